"""A plain ``pip install jhops`` (the wheel, no extras) in a clean virtualenv runs experiments, loads the server
extension, and every sidebar route answers JSON; the parts that need an extra say which one.

This builds the wheel and installs its dependencies from the package index into a new virtualenv (about a
minute), so it is marked ``install``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.install, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[1]


def _run(*command: Any, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The environment of a user who has only the new virtualenv: none of this test run's paths or settings."""
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")}
    return {**keep, "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
            "JHOPS_PROGRESS": "0"}


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The wheel installed without extras into a fresh virtualenv, and that user's environment."""
    root = tmp_path_factory.mktemp("plain-install")
    dist, venv, home = root / "dist", root / "venv", root / "home"
    home.mkdir()
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO)
    wheels = list(dist.glob("jhops-*.whl"))
    assert len(wheels) == 1, wheels
    _run(sys.executable, "-m", "venv", venv)
    env = _clean_env(venv, home)
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheels[0], env=env)
    return {"venv": venv, "env": env, "root": root}


def test_the_plain_install_has_no_extras(plain):
    listed = _run(plain["venv"] / "bin" / "python", "-m", "pip", "list", "--format", "json", env=plain["env"])
    names = {p["name"].lower() for p in json.loads(listed)}
    assert "jhops" in names
    assert not names & {"pyspark", "tensorflow", "tensorflow-cpu", "torch", "deltalake", "duckdb",
                        "great-expectations", "uvicorn", "orjson", "scipy", "optuna"}


def test_an_experiment_runs_on_local_workers(plain):
    script = textwrap.dedent("""
        import jhops
        from jhops import experiment

        def train(lr, reporter):
            for step in range(3):
                reporter.broadcast(lr * step, step=step)
            return {"accuracy": lr}

        project = jhops.Project(__import__("sys").argv[1])
        exp = experiment.launch(train, {"lr": [0.1, 0.2]}, metric_key="accuracy", workers=2, project=project)
        print(exp.state.value, exp.best_metric, len(exp.trials))
    """)
    out = _run(plain["venv"] / "bin" / "python", "-c", script, plain["root"] / "project", env=plain["env"])
    assert out.split() == ["FINISHED", "0.2", "2"]


def test_a_missing_extra_is_named(plain):
    script = textwrap.dedent("""
        for module in ("jhops.featurestore", "jhops.serving"):
            try:
                __import__(module)
            except ImportError as exc:
                print(type(exc).__name__, exc)
    """)
    out = _run(plain["venv"] / "bin" / "python", "-c", script, env=plain["env"])
    assert "MissingExtraError the feature store needs the 'featurestore' extra" in out
    assert "pip install 'jhops[featurestore]'" in out
    assert "pip install 'jhops[serving]'" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        kind = error.headers.get("Content-Type", "")
        return error.code, kind, json.loads(body) if kind.startswith("application/json") else body.decode()


def test_the_server_extension_loads_and_the_sidebar_routes_answer(plain):
    venv, env = plain["venv"], {**plain["env"], "JHOPS_PROJECT": str(plain["root"] / "project")}
    listing = subprocess.run([venv / "bin" / "jupyter", "server", "extension", "list"], capture_output=True,
                             text=True, env=env)
    assert "jhops" in listing.stderr + listing.stdout and "OK" in listing.stderr + listing.stdout
    port, token = _free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [venv / "bin" / "jupyter", "server", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={plain['root']}", "--ServerApp.port_retries=0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/jhops"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status = _get(f"{base}/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "the jupyter server did not start"
                time.sleep(0.5)
        assert status[0] == 200 and status[2]["version"]
        answers = {path: _get(f"{base}/{path}", token) for path in
                   ("compute", "experiments", "models", "featurestore/groups", "featurestore/search?q=band",
                    "deployments", "deployments/iceberg/monitoring", "no/such/route")}
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    for path, (code, kind, body) in answers.items():
        assert kind.startswith("application/json"), f"{path}: {code} {kind} {body!r}\n{log[-2000:]}"
        assert code < 500 or code == 501, f"{path}: {code} {body}\n{log[-2000:]}"
    for path in ("compute", "experiments", "models"):
        assert answers[path][0] == 200, answers[path]
    for path, extra in (("featurestore/groups", "featurestore"), ("featurestore/search?q=band", "featurestore"),
                        ("deployments", "serving"), ("deployments/iceberg/monitoring", "serving")):
        code, _, body = answers[path]
        assert code == 501 and f"pip install 'jhops[{extra}]'" in body["message"], (path, code, body)
    assert answers["no/such/route"][0] == 404
