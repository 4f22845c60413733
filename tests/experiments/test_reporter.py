import threading

import pytest

from jhops.experiments.reporter import Reporter, TrialStopped


def test_broadcast_records_history_with_counting_steps():
    reporter = Reporter(default_key="acc")
    reporter.broadcast(0.5)
    reporter.broadcast(0.6)
    reporter.broadcast({"acc": 0.7, "loss": 1.0}, step=10)
    updates = reporter.drain()
    assert [(k, s, v) for k, s, v, _ in updates["metrics"]] == [
        ("acc", 0, 0.5), ("acc", 1, 0.6), ("acc", 10, 0.7), ("loss", 10, 1.0)]
    assert reporter.latest == {"acc": 0.7, "loss": 1.0}
    assert reporter.drain() == {}


def test_non_numbers_are_refused_and_nan_is_skipped():
    reporter = Reporter()
    with pytest.raises(TypeError, match="must be a number"):
        reporter.broadcast("high")
    reporter.broadcast(float("nan"))
    updates = reporter.drain()
    assert "metrics" not in updates
    assert "not recorded" in updates["stderr"]


def test_log_lines_are_collected():
    reporter = Reporter()
    reporter.log("epoch 1")
    reporter.write("stderr", "warning\n")
    assert reporter.drain() == {"stdout": "epoch 1\n", "stderr": "warning\n"}


def test_broadcast_raises_once_the_driver_asks_to_stop():
    stop = threading.Event()
    reporter = Reporter(stop)
    reporter.broadcast(1.0)
    stop.set()
    with pytest.raises(TrialStopped):
        reporter.broadcast(2.0)
    # the value reported with the stop is still kept
    assert reporter.latest["metric"] == 2.0
