"""Shared fixtures: a fresh project per test, and one local[2] SparkSession for the whole run."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from jhops.project import Project

# Spark on loopback only, without its web UI; executors run this interpreter.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("JHOPS_SPARK_UI", "0")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def project(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    monkeypatch.setenv("JHOPS_PROJECT", str(root))
    return Project(root)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from jhops.compute.spark import get_or_create_session

    session = get_or_create_session("local[2]", workers=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def spark_connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server (the one pyspark ships) on a free loopback port, for the whole run."""
    import socket
    import subprocess
    import time

    pyspark = pytest.importorskip("pyspark")
    home = os.path.dirname(pyspark.__file__)
    if not os.path.exists(os.path.join(home, "sbin", "start-connect-server.sh")):
        pytest.skip("this pyspark has no Spark Connect server")
    port, state = _free_port(), tmp_path_factory.mktemp("spark-connect")
    env = {**os.environ, "SPARK_HOME": home, "SPARK_PID_DIR": str(state), "SPARK_LOG_DIR": str(state),
           "SPARK_IDENT_STRING": f"jhops-test-{port}"}
    subprocess.run(
        ["bash", os.path.join(home, "sbin", "start-connect-server.sh"), "--master", "local[2]",
         "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
         "--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false"],
        env=env, check=True, capture_output=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    logs = "\n".join(p.read_text()[-2000:] for p in state.glob("*.out"))
                    pytest.fail(f"the Spark Connect server did not start:\n{logs}")
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        subprocess.run(["bash", os.path.join(home, "sbin", "stop-connect-server.sh")], env=env,
                       capture_output=True)


def _slow_trial(x: Any, reporter: Any) -> None:
    import time

    for step in range(600):
        reporter.broadcast(step, step=step)
        time.sleep(0.1)


@pytest.fixture
def slow_trial() -> Any:
    """A training function that reports every 0.1 s for a minute: something to interrupt."""
    return _slow_trial


@pytest.fixture
def interrupt_after() -> Iterator[Any]:
    """Call ``interrupt_after(seconds)`` to send the test's main thread a KeyboardInterrupt, as Jupyter does."""
    import _thread
    import threading

    timers: list[threading.Timer] = []

    def start(seconds: float) -> None:
        timer = threading.Timer(seconds, _thread.interrupt_main)
        timers.append(timer)
        timer.start()

    yield start
    for timer in timers:
        timer.cancel()
