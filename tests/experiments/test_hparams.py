"""TensorBoard HParams data written per trial, read back from the event file's records."""

import glob
import os
import struct
import subprocess
import sys

import pytest

from jhops import experiment

pytest.importorskip("tensorboard")


def _events(path):
    from tensorboard.compat.proto import event_pb2

    with open(path, "rb") as f:
        data = f.read()
    events, at = [], 0
    while at < len(data):
        (length,) = struct.unpack("<Q", data[at:at + 8])
        events.append(event_pb2.Event.FromString(data[at + 12:at + 12 + length]))
        at += 12 + length + 4
    return events


def _fit(lr, act, reporter):
    reporter.broadcast(lr * 2, step=0)
    return {"accuracy": lr * 10}


def test_each_trial_writes_its_hparams_and_final_metrics(project):
    exp = experiment.launch(_fit, {"lr": [0.1, 0.2], "act": ["relu", "tanh"]}, metric_key="accuracy",
                            project=project, listeners=[])
    for trial in exp.trials:
        files = glob.glob(os.path.join(project.path, trial.folder, "tensorboard", "events.out.tfevents.*"))
        assert len(files) == 1 and any(a.startswith("tensorboard/events.out") for a in trial.artifacts)
        events = _events(files[0])
        plugin = [v for e in events for v in e.summary.value if v.metadata.plugin_data.plugin_name == "hparams"]
        assert plugin, "no HParams session data"
        scalars = {v.tag: v.simple_value for e in events for v in e.summary.value if v.HasField("simple_value")}
        assert scalars == {"accuracy": pytest.approx(trial.metrics["accuracy"])}
        # the session's hyperparameters, as TensorBoard's HParams plugin stores them
        content = b"".join(v.metadata.plugin_data.content for v in plugin)
        assert trial.params["act"].encode() in content and b"lr" in content


def test_writing_hparams_does_not_load_tensorflow(tmp_path):
    code = ("import sys; from jhops.experiments.hparams import write_hparams; "
            f"assert write_hparams({str(tmp_path)!r}, {{'lr': 0.1, 'opt': object()}}, {{'acc': 0.5}}); "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tensorboards_hparams_plugin_reads_the_trials(project):
    """A real TensorBoard server on loopback lists the trials' hyperparameters and metric in its HParams plugin."""
    import json
    import socket
    import time
    import urllib.request

    exp = experiment.launch(_fit, {"lr": [0.1, 0.2, 0.3], "act": ["relu", "tanh", "relu"]}, metric_key="accuracy",
                            project=project, listeners=[])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logdir = os.path.join(project.path, "experiments", str(exp.id))
    server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--host", "127.0.0.1",
                               "--port", str(port), "--reload_interval", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, info = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/data/plugin/hparams/experiment",
                                                 data=json.dumps({"experimentName": ""}).encode(),
                                                 headers={"Content-Type": "application/json"})
                info = json.load(urllib.request.urlopen(request, timeout=5))
                if len(info.get("hparamInfos", [])) == 2 and info.get("metricInfos"):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert info is not None, "TensorBoard did not answer"
        hparams = {h["name"]: h for h in info["hparamInfos"]}
        assert set(hparams) == {"lr", "act"}
        assert sorted(hparams["act"]["domainDiscrete"]) == ["relu", "tanh"]
        assert [m["name"]["tag"] for m in info["metricInfos"]] == ["accuracy"]
    finally:
        server.terminate()
        server.wait(10)
