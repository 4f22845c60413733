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
