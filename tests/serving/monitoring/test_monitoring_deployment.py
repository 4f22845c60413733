"""Monitoring a deployment: against its model's training dataset, without one, with nothing logged, and a served
model end to end."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from jhops import serving
from jhops.serving import deployments
from jhops.serving.inference_log import InferenceRecord, ParquetSink
from jhops.serving.monitoring import MonitoringError, monitor
from jhops.serving.server import FLUSH_INTERVAL_ENV
from tests.serving.monitoring.inference_logs import FEATURES, batches, chips, tabular


def _write_log(deployment: serving.Deployment, *runs: tuple[Sequence[np.ndarray], int]) -> None:
    """Requests of (batches, model version) runs, one second apart, into the deployment's inference log."""
    records = [(b, version) for batches, version in runs for b in batches]
    now = time.time() - len(records)
    # One sink: two in the same second would share a run name and write the same part file.
    ParquetSink(deployment.inference_log_path).write([
        InferenceRecord(f"r{i}", now + i, 1.0 + i % 5, deployment.name, deployment.model_name, version, "v2", 200,
                        None, len(b), b, np.full((len(b), 1), 0.5, "float32"))
        for i, (b, version) in enumerate(records)])


def test_monitor_a_deployment_against_its_models_training_dataset(root: str) -> None:
    deployment = serving.create_or_update("mon-offline", "scorer", project=root)
    try:
        assert "no requests yet" in monitor("mon-offline", project=root).summary()
        _write_log(deployment, (batches(tabular(400, seed=11, shift=2.0), 10), 1),
                   (batches(tabular(50, seed=12), 10), 7))  # requests to another model version
        report = monitor("mon-offline", project=root)
        assert (report.deployment, report.model_name, report.model_version) == ("mon-offline", "scorer", 1)
        assert report.requests == 40 and report.excluded_requests == 5 and report.drifted == ["x1"]
        assert report.reference is not None and report.reference["name"] == "sensors_td"
        assert monitor("mon-offline", project=root, reference="test").reference["split"] == "test"  # type: ignore[index]
        assert monitor("mon-offline", project=root, reference=None).drift == []
        with pytest.raises(MonitoringError, match="has the splits"):
            monitor("mon-offline", project=root, reference="validation")
    finally:
        deployment.delete()


def test_monitor_an_image_deployment(root: str) -> None:
    deployment = serving.create_or_update("mon-chips", "chip-scorer", project=root)
    try:
        _write_log(deployment, (batches(chips(96, seed=18, band_1_db=3.0), 8), 1))
        report = monitor("mon-chips", project=root)
        assert report.requests == 12 and report.instances == 96
        assert "band_1.mean" in report.drifted and all(n.startswith("band_1.") for n in report.drifted)
        assert "DRIFT against chips_td v1 (train): band_1.mean" in report.summary()
    finally:
        deployment.delete()


def test_a_model_without_a_training_dataset_is_monitored_without_drift(root: str) -> None:
    deployment = serving.create_or_update("mon-untracked", "untracked", project=root)
    try:
        empty = monitor("mon-untracked", project=root)
        assert empty.requests == 0 and "drift needs a reference" in empty.summary()
        _write_log(deployment, (batches(tabular(100, seed=13), 10), 1))
        report = monitor("mon-untracked", project=root)  # by default: traffic, latency, errors and predictions
        assert report.requests == 10 and report.instances == 100 and report.errors == 0
        assert report.latency_ms["p50"] is not None and report.predictions["count"] == 100
        assert report.drift == [] and report.reference is None
        note = report.drift_note or ""
        assert "records no training dataset" in note and "drift needs a reference" in note
        assert "reference=<DataFrame of training rows>" in note and "training_dataset=" in note  # how to give one
        assert f"drift: {note}" in report.summary() and report.to_dict()["drift"]["note"] == note
        # an explicitly wrong reference still raises, saying what to pass
        with pytest.raises(MonitoringError, match=r"reference='test'.*records no training dataset"):
            monitor("mon-untracked", project=root, reference="test")
        with pytest.raises(MonitoringError, match="reference must be"):
            monitor("mon-untracked", project=root, reference=42)
        traffic = monitor("mon-untracked", project=root, reference=None)
        assert traffic.requests == 10 and traffic.drift_note == "no reference: drift not measured"
        given = monitor("mon-untracked", project=root, reference=tabular(300, seed=14), features=FEATURES)
        assert given.drifted == [] and [f.name for f in given.drift] == FEATURES
    finally:
        deployment.delete()


def test_a_deployment_that_logs_nothing_says_so(root: str) -> None:
    deployment = serving.create_or_update("mon-silent", "scorer", inference_logging="NONE", project=root)
    try:
        assert "inference_logging is NONE" in monitor("mon-silent", project=root).summary()
    finally:
        deployment.delete()


def test_unknown_deployment(root: str) -> None:
    with pytest.raises(serving.DeploymentNotFoundError, match="create_or_update"):
        monitor("nowhere", project=root)


def test_end_to_end_a_served_model(root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The server writes its log every minute here: only a flush on demand gets the requests in on time.
    monkeypatch.setenv(FLUSH_INTERVAL_ENV, "60")
    deployment = serving.create_or_update("mon-live", "scorer", project=root)
    try:
        deployment.start(timeout=60)
        for batch in batches(tabular(200, seed=15), 10):
            deployment.predict(batch)
        between = time.time()
        for batch in batches(tabular(300, seed=16, shift=2.5), 10):
            deployment.predict(batch)
        with pytest.raises(serving.InferenceRequestError):
            deployment.predict(np.zeros((1, 7), "float32"))  # a wrong shape: a 400, logged as an error
        report = monitor("mon-live", project=root)  # right after the traffic, the server still running
        assert report.requests == 51 and report.errors == 1 and report.instances == 500  # the 400 ran no instance
        assert report.message is None
        assert report.latency_ms["p50"] is not None and report.latency_ms["p50"] > 0
        assert report.predictions["kind"] == "probability" and report.predictions["count"] == 500
        assert report.drifted == ["x1"]
        calm = monitor("mon-live", project=root, since=0, until=between)
        assert calm.requests == 20 and calm.drifted == []
        json.dumps(report.to_dict(), allow_nan=False)
        deployment.predict(tabular(1, seed=17))
        assert len(serving.read_inference_log("mon-live", project=root)) == 52
        # A server that does not answer the flush (stopped here) leaves monitoring working, with a warning.
        deployment.predict(tabular(1, seed=18))
        pid = deployment.status().pid
        assert pid is not None
        monkeypatch.setattr(deployments, "FLUSH_TIMEOUT_S", 0.3)
        os.kill(pid, signal.SIGSTOP)
        try:
            stalled = monitor("mon-live", project=root)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert stalled.requests == 52 and stalled.message is None and stalled.log_note is not None
        assert "did not confirm" in stalled.log_note and "may be missing" in stalled.log_note
        assert f"note: {stalled.log_note}" in stalled.summary()
        assert stalled.to_dict()["log_note"] == stalled.log_note and report.to_dict()["log_note"] is None
        deployment.stop()
        assert monitor("mon-live", project=root).requests == 53  # a graceful stop writes the rest
    finally:
        deployment.delete()


def test_the_serving_notebook_does_not_wait_for_the_log() -> None:
    notebook = json.loads((Path(__file__).parents[3] / "notebooks" / "04_serving.ipynb").read_text())
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "serving.monitor(" in code and "time.sleep" not in code


def test_monitoring_is_reachable_from_jhops_serving_without_slowing_its_import():
    import subprocess
    import sys

    code = ("import sys, jhops.serving as s; light = 'pandas' not in sys.modules; "
            "from jhops.serving import monitoring; "
            "print(light, s.monitor is monitoring.monitor, s.MonitoringReport is monitoring.MonitoringReport)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "True"]
