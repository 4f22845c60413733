"""Monitoring's traffic numbers: latency percentiles, error rate, request rate in time buckets, the predictions'
distribution over time, the empty log, bad arguments, and the report as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops.serving import monitoring
from jhops.serving.monitoring import MonitoringError, monitor_frame
from tests.serving.monitoring.inference_logs import T0, batches, log_frame, tabular


def test_latency_percentiles_and_error_rate() -> None:
    n = 100
    status = [500 if i in (3, 50, 77) else 200 for i in range(n)]
    errors = ["predictor raised" if i in (3, 50, 77, 90) else None for i in range(n)]  # 90: an error with a 200
    log = log_frame([np.zeros((1, 4))] * n, latency=[float(i + 1) for i in range(n)], status=status, errors=errors)
    report = monitor_frame(log)
    assert report.requests == 100 and report.instances == 100
    assert report.latency_ms["p50"] == pytest.approx(50.5)
    assert report.latency_ms["p95"] == pytest.approx(95.05)
    assert report.latency_ms["p99"] == pytest.approx(99.01)
    assert report.latency_ms["max"] == 100.0
    assert report.errors == 4 and report.error_rate == pytest.approx(0.04)
    assert report.status_codes == {"200": 97, "500": 3}
    lines = report.summary()
    assert "errors: 4 (4.0%)" in lines and "p50 50.5 ms, p95 95.0 ms, p99 99.0 ms" in lines


def test_request_rate_over_the_window_and_in_buckets() -> None:
    times = [T0 + i for i in range(10)] + [T0 + 10 + i / 3 for i in range(30)]  # 1/s, then 3/s
    log = log_frame([np.zeros((2, 4))] * 40)
    log["timestamp"] = pd.to_datetime(times, unit="s", utc=True)
    report = monitor_frame(log, since=T0, until=T0 + 20, bucket_s=10)
    assert report.rate_per_s == pytest.approx(2.0) and report.instances == 80
    assert [b["requests"] for b in report.buckets] == [10, 30]
    assert [b["rate_per_s"] for b in report.buckets] == pytest.approx([1.0, 3.0])
    assert report.buckets[1]["start"] == "2026-01-01T00:00:10+00:00"
    # the window cuts requests out, and ISO text or datetimes work as bounds
    until = dt.datetime(2026, 1, 1, 0, 0, 15, tzinfo=dt.timezone.utc)
    late = monitor_frame(log, since="2026-01-01T00:00:10", until=until)
    assert late.requests == 16
    # without bounds the window spans the requests, and every bucket counts a whole bucket's time
    even = monitor_frame(log_frame([np.zeros((1, 4))] * 30, step=2.0), bucket_s=10)
    assert [b["rate_per_s"] for b in even.buckets] == [0.5] * 6
    # without a bucket size, the window gets at most 60 buckets of a round size
    assert monitor_frame(log).bucket_s == 1.0
    assert monitoring.choose_bucket(3600) == 60.0 and monitoring.choose_bucket(0) == 1.0


def test_bucket_errors_and_latency_follow_time() -> None:
    log = log_frame([np.zeros((1, 4))] * 20, latency=[1.0] * 10 + [9.0] * 10, status=[200] * 10 + [503] * 10)
    first, second = monitor_frame(log, bucket_s=10).buckets
    assert (first["error_rate"], second["error_rate"]) == (0.0, 1.0)
    assert (first["latency_ms"]["p99"], second["latency_ms"]["p50"]) == (1.0, 9.0)


def test_prediction_distribution_over_time() -> None:
    probs = [np.full((5, 1), 0.2, "float32")] * 10 + [np.full((5, 1), 0.8, "float32")] * 10
    report = monitor_frame(log_frame([np.zeros((5, 4))] * 20, probs), bucket_s=10)
    pred = report.predictions
    assert pred["kind"] == "probability" and pred["count"] == 100 and pred["mean"] == pytest.approx(0.5)
    assert [b["mean"] for b in pred["over_time"]] == pytest.approx([0.2, 0.8])
    assert pred["histogram"]["edges"][0] == 0.0 and pred["histogram"]["edges"][-1] == 1.0
    assert sum(pred["histogram"]["counts"]) == 100
    # two-column probabilities give class counts and the probability of class 1
    two = [np.array([[0.9, 0.1], [0.3, 0.7], [0.4, 0.6]], "float32")] * 4
    pred = monitor_frame(log_frame([np.zeros((3, 4))] * 4, two)).predictions
    assert pred["kind"] == "probabilities" and pred["class_counts"] == {"1": 8, "0": 4}
    assert pred["mean"] == pytest.approx((0.1 + 0.7 + 0.6) / 3)
    # labels, as integers or as text
    labels = monitor_frame(log_frame([np.zeros((2, 4))] * 3, [np.array([1, 0])] * 3)).predictions
    assert labels["kind"] == "class" and labels["class_counts"] == {"0": 3, "1": 3}
    text = monitor_frame(log_frame([[{"a": 1}]] * 2, [["ship"], ["iceberg"]])).predictions
    assert text["class_counts"] == {"iceberg": 1, "ship": 1}


def test_failed_requests_have_no_predictions_counted() -> None:
    log = log_frame([np.zeros((1, 4))] * 4, [np.array([[0.5]])] * 4, status=[200, 200, 500, 400])
    assert monitor_frame(log).predictions["count"] == 2


def test_an_empty_log_says_no_requests_yet() -> None:
    report = monitor_frame(log_frame([]), deployment="iceberg")
    assert report.requests == 0 and report.error_rate is None and report.rate_per_s is None
    assert report.message is not None and report.message.startswith("no requests yet")
    assert "no requests yet" in report.summary() and "jhops.serving.predict('iceberg'" in report.summary()
    data = report.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["latency_ms"]["p99"] is None and data["buckets"] == [] and data["drift"]["features"] == []
    empty_window = monitor_frame(log_frame([np.zeros((1, 4))]), since=T0 + 100, until=T0 + 200)
    assert empty_window.message == "no requests in the window"


def test_bad_arguments_say_what_to_pass() -> None:
    log = log_frame([np.zeros((1, 4))])
    with pytest.raises(MonitoringError, match="read_log"):
        monitor_frame(log.drop(columns=["latency_ms"]))
    with pytest.raises(MonitoringError, match="is not a time"):
        monitor_frame(log, since="yesterday-ish")
    with pytest.raises(MonitoringError, match="before since"):
        monitor_frame(log, since=T0 + 5, until=T0)
    with pytest.raises(MonitoringError, match="bucket_s"):
        monitor_frame(log, bucket_s=0)
    with pytest.raises(MonitoringError, match="reference must be"):
        monitor_frame(log, reference=42)


@pytest.mark.parametrize("seconds", [1e30, -1e30, float("nan"), float("inf")])
def test_a_time_no_request_can_have_is_refused(seconds: float) -> None:
    # Found by the REST fuzz test: since=1e30 was an OverflowError deep in datetime.
    with pytest.raises(MonitoringError, match=r"since=.* is not a time: epoch seconds must be finite"):
        monitor_frame(log_frame([np.zeros((1, 4))]), since=seconds)


def test_to_dict_is_json(sensors_td: Any) -> None:
    probs = [np.full((10, 1), 0.3, "float32")] * 60
    report = monitor_frame(log_frame(batches(tabular(600, seed=3, shift=2.0), 10), probs), sensors_td)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(data) == {"deployment", "model", "generated_at", "message", "log_note", "window", "requests",
                         "latency_ms", "buckets", "predictions", "drift"}
    assert set(data["drift"]) == {"reference", "thresholds", "note", "drifted", "features"}
    assert data["drift"]["thresholds"]["psi"] == 0.2 and data["drift"]["drifted"] == ["x1"]
    feature = data["drift"]["features"][1]
    assert feature["name"] == "x1" and feature["flags"] == ["psi", "ks"] and feature["drifted"] is True
    assert set(data["requests"]) == {"count", "instances", "errors", "error_rate", "rate_per_s", "status_codes",
                                     "excluded"}
    assert data["window"]["start"] == "2026-01-01T00:00:00+00:00" and data["window"]["bucket_s"] == 1.0
