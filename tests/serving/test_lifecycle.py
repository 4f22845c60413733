"""Deployment records and server processes: states, restarts, other processes, failures, the API key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pytest
import requests

from jhops import models, progress_bar, serving
from jhops.serving import process


@pytest.fixture
def bars_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress bars of deployment starts drawn at once, not only after two seconds."""
    monkeypatch.setattr(progress_bar, "DELAY_S", 0.0)


def test_states_from_created_to_stopped(deploy: Callable[..., serving.Deployment], root: str,
                                        bars_at_once: None, capsys: pytest.CaptureFixture[str]) -> None:
    d = deploy("states", "doubler", start=False)
    assert d.status().state == "CREATED" and d.url is None
    status = serving.start("states", project=root, progress=False)
    assert capsys.readouterr().err == ""  # no bar when asked for none
    assert status.state == "RUNNING" and status.port and status.pid and status.url == f"http://127.0.0.1:{status.port}"
    assert (status.model_name, status.model_version) == ("doubler", 1)
    assert serving.start("states", project=root).pid == status.pid  # already running: the same server
    with open(os.path.join(d.folder, "deployment.json")) as f:
        record = json.load(f)
    assert record["state"] == "RUNNING" and record["pid"] == status.pid
    stopped = serving.stop("states", project=root)
    assert stopped.state == "STOPPED" and stopped.pid is None and not process.alive(status.pid)
    assert [s.name for s in serving.list(project=root)].count("states") == 1


def test_found_again_from_another_process(deploy: Callable[..., serving.Deployment], root: str) -> None:
    deploy("shared", "doubler")
    code = (f"import jhops.serving as s, numpy as np; st = s.status('shared', project={root!r}); "
            f"print(st.state, st.url, s.predict('shared', np.ones((1, 3), 'float32'), project={root!r}).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    state, url, predictions = out.stdout.split(" ", 2)
    assert state == "RUNNING" and url == serving.status("shared", project=root).url
    assert predictions.strip() == "[[2.0, 2.0, 2.0]]"
    # ... and stopped from there too
    subprocess.run([sys.executable, "-c", f"import jhops.serving as s; s.stop('shared', project={root!r})"],
                   check=True, timeout=60)
    assert serving.status("shared", project=root).state == "STOPPED"


def test_restart_keeps_the_port_and_the_log(deploy: Callable[..., serving.Deployment], root: str,
                                            bars_at_once: None, capsys: pytest.CaptureFixture[str]) -> None:
    d = deploy("restart", "doubler")
    port = d.status().port
    for _ in range(5):
        d.predict(np.ones((1, 3), "float32"))
    d.stop()
    capsys.readouterr()
    d.start()
    assert "start restart (done): 3/3" in capsys.readouterr().err  # launch, load model, ready
    assert d.status().port == port
    for _ in range(3):
        d.predict(np.ones((1, 3), "float32"))
    d.stop()
    log = serving.read_inference_log("restart", project=root)
    assert len(log) == 8 and log["request_id"].is_unique and (log["status_code"] == 200).all()


def test_a_killed_server_reads_failed_never_running(deploy: Callable[..., serving.Deployment]) -> None:
    d = deploy("killed", "doubler")
    pid = d.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert process.wait_exit(pid, 10)
    status = d.status()
    assert status.state == "FAILED" and status.url is None and "is gone" in (status.error or "")
    assert status.log_tail is not None and "jhops serving 'killed'" in status.log_tail
    assert d.start().state == "RUNNING"  # and it starts again


def test_a_model_that_fails_to_load(deploy: Callable[..., serving.Deployment], root: str, bars_at_once: None,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    d = deploy("broken", "doubler", start=False, predictor_loader="json:no_such_loader")
    with pytest.raises(serving.DeploymentStartError) as info:
        d.start(timeout=30)
    assert "could not load model 'doubler'" in str(info.value) and "AttributeError" in info.value.log_tail
    assert "start broken (failed at load model)" in capsys.readouterr().err
    status = d.status()
    assert status.state == "FAILED" and "no_such_loader" in (status.error or "") and status.log_tail


def test_a_server_not_ready_in_time_is_killed(deploy: Callable[..., serving.Deployment],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.path.join(os.path.dirname(__file__), "predictors"))
    d = deploy("slow", "doubler", start=False, predictor_loader="slow_loader:load")
    with pytest.raises(serving.DeploymentStartError, match="not ready within 2 s"):
        d.start(timeout=2)
    status = d.status()
    assert status.state == "FAILED" and status.pid is None


def test_graceful_stop_finishes_in_flight_requests(deploy: Callable[..., serving.Deployment], root: str,
                                                   key_headers: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JHOPS_TEST_PREDICT_DELAY", "1.0")
    d = deploy("graceful", "doubler")
    import threading

    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(requests.post(
        f"{d.url}/v1/models/graceful:predict", json={"instances": [[1, 2, 3]]}, headers=key_headers,
        timeout=30).status_code))
    thread.start()
    time.sleep(0.4)
    started = time.monotonic()
    assert d.stop().state == "STOPPED"
    thread.join()
    assert results == [200] and time.monotonic() - started > 0.3
    assert len(serving.read_inference_log("graceful", project=root)) == 1


def test_create_or_update_restarts_a_running_deployment(deploy: Callable[..., serving.Deployment],
                                                        root: str) -> None:
    d = deploy("update", "doubler")
    pid = d.status().pid
    serving.create_or_update("update", "doubler", batching=True, project=root)
    status = d.status()
    assert status.state == "RUNNING" and status.pid != pid and d.batching.enabled


def test_bad_arguments(root: str) -> None:
    with pytest.raises(serving.ServingError, match="instances=2"):
        serving.create_or_update("many", "doubler", instances=2, project=root)
    with pytest.raises(serving.ServingError, match="not valid"):
        serving.create_or_update("Bad_Name", "doubler", project=root)
    with pytest.raises(serving.ServingError, match="inference_logging"):
        serving.create_or_update("x", "doubler", inference_logging="SOME", project=root)
    with pytest.raises(serving.ServingError, match="max_batch_size"):
        serving.create_or_update("x", "doubler", batching={"max_batch_size": 0}, project=root)
    with pytest.raises(serving.ServingError, match="runtime 'sklearn'"):
        serving.create_or_update("x", "doubler", runtime="sklearn", project=root)
    with pytest.raises(models.ModelNotFoundError):
        serving.create_or_update("x", "no-such-model", project=root)
    with pytest.raises(serving.DeploymentNotFoundError, match="create_or_update"):
        serving.status("never-made", project=root)
    with pytest.raises(serving.ServingError, match="not RUNNING"):
        serving.create_or_update("idle", "doubler", project=root).predict([[1, 2, 3]])


def test_delete(deploy: Callable[..., serving.Deployment], root: str) -> None:
    d = deploy("gone", "doubler")
    pid = d.status().pid
    serving.delete("gone", project=root)
    assert not os.path.exists(d.folder) and not process.alive(pid)
    assert "gone" not in [s.name for s in serving.list(project=root)]


def test_api_key_is_per_project_stable_and_private(root: str, tmp_path: object) -> None:
    key = serving.api_key(root)
    assert key == serving.api_key(root) and len(key) >= 40
    path = os.path.join(root, "serving", ".api_key")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert serving.api_key(str(tmp_path)) != key


def test_concurrent_starts_make_one_server(deploy: Callable[..., serving.Deployment], root: str) -> None:
    import threading

    d = deploy("race", "doubler", start=False)
    pids: list[int | None] = []
    threads = [threading.Thread(target=lambda: pids.append(serving.start("race", project=root).pid))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pids) == 4 and len(set(pids)) == 1 and d.status().state == "RUNNING"
