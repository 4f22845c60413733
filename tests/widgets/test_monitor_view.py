"""The monitoring view, rendered without a kernel: charts, the drift table and flags, histograms, plain text."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops.serving.monitoring import MonitoringReport, monitor_frame
from jhops.widgets import monitor_view

T0 = 1_767_225_600.0


def _report(shift: float = 2.0, deployment: str | None = "iceberg<1>") -> MonitoringReport:
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"angle": rng.normal(39, 3, 800), "b<1>": rng.normal(-20, 2, 800)})
    rows = []
    for i in range(60):
        x = np.column_stack([rng.normal(39, 3, 10), rng.normal(-20 + shift, 2, 10)])
        rows.append({"timestamp": pd.Timestamp(T0 + 5 * i, unit="s", tz="UTC"), "latency_ms": 1.0 + i % 7,
                     "status_code": 500 if i % 20 == 0 else 200, "error": None, "n_instances": 10, "inputs": x,
                     "predictions": rng.uniform(0, 1, (10, 1)).astype("float32")})
    return monitor_frame(pd.DataFrame(rows), reference, deployment=deployment, model_name="iceberg-sk",
                         model_version=2)


def test_html_has_traffic_latency_errors_and_prediction_charts() -> None:
    page = monitor_view.render_html(_report())
    assert 'class="jp-jhops-monitor"' in page and 'data-requests="60"' in page and 'data-drifted="1"' in page
    assert "iceberg&lt;1&gt;" in page and "iceberg<1>" not in page
    assert "model iceberg-sk v2" in page and "2026-01-01 00:00:00 UTC" in page
    assert "3 errors (5.0%)" in page and "latency p50" in page
    for title in ("Request rate", "Latency", "Error rate", "Mean prediction over time", "All predictions"):
        assert title in page
    assert page.count("<polyline") >= 3 + 3  # rate, three latency percentiles, error rate, prediction mean
    assert "minutes since start" in page  # a five-minute window


def test_a_log_that_may_lack_requests_says_so() -> None:
    report = _report()
    assert "jp-jhops-log-note" not in monitor_view.render_html(report)
    report.log_note = "the model server did not confirm it wrote every request: the last second may be missing"
    assert "the last second may be missing" in monitor_view.render_html(report)


def test_drift_table_flags_and_reference_vs_live_histograms() -> None:
    page = monitor_view.render_html(_report())
    assert '<table class="jp-jhops-table jp-jhops-drift">' in page
    assert '<tr data-feature="b&lt;1&gt;" style="font-weight:bold">' in page and ">DRIFT PSI+KS<" in page
    assert '<tr data-feature="angle">' in page and ">ok<" in page
    assert "Drifted features: reference vs live" in page
    assert page.count('class="jp-jhops-drift-pair"') == 1 and page.count('class="jp-jhops-histogram"') == 3
    calm = monitor_view.render_html(_report(shift=0.0))
    assert ">no drift<" in calm and "Drifted features" not in calm and ">DRIFT" not in calm


def test_text_view_and_bundle() -> None:
    report = _report()
    text = monitor_view.render_text(report)
    assert text.splitlines()[0].startswith("iceberg<1> (model iceberg-sk v2): 60 requests")
    assert "errors 3 (5.0%)" in text and "DRIFT" in text and "angle" in text
    assert set(monitor_view.bundle(report)) == {"text/html", "text/plain"}


def test_renders_the_json_the_rest_api_serves() -> None:
    report = _report()
    data = json.loads(json.dumps(report.to_dict()))
    assert monitor_view.render_html(data) == monitor_view.render_html(report)


def test_an_empty_report_says_no_requests_yet() -> None:
    empty = monitor_frame(pd.DataFrame(columns=["timestamp", "latency_ms", "status_code"]), deployment="iceberg")
    page = monitor_view.render_html(empty)
    assert "no requests yet" in page and "<svg" not in page
    assert "no requests yet" in monitor_view.render_text(empty)


def test_show_displays_html_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(monitor_view, "display", lambda obj: shown.append(obj))
    report = _report()
    monitor_view.show(report)
    assert shown[0]._repr_html_() == monitor_view.render_html(report)
    assert repr(shown[0]) == monitor_view.render_text(report)


def test_monitor_view_updates_one_output(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []

    class Handle:
        def update(self, data: Any, raw: bool) -> None:
            shown.append("update")

    def fake_display(data: Any, raw: bool, display_id: bool) -> Handle:
        shown.append("display")
        return Handle()

    monkeypatch.setattr(monitor_view, "display", fake_display)
    monkeypatch.setattr(monitor_view, "monitor", lambda name, **options: _report(deployment=name))
    view = monitor_view.MonitorView("iceberg", bucket_s=60)
    assert view.refresh().deployment == "iceberg"
    view.refresh()
    assert shown == ["display", "update"]


def test_a_reference_from_stored_statistics_says_so() -> None:
    pa = pytest.importorskip("pyarrow")
    from jhops.featurestore.statistics import compute_statistics
    from jhops.serving.monitoring import ReferenceProfile

    rng = np.random.default_rng(1)
    stats = compute_statistics(pa.table({"x": rng.normal(size=500)}))
    profile = ReferenceProfile.from_statistics(stats, source={
        "source": "feature_group_statistics", "name": "td", "version": 3, "split": "train",
        "feature_groups": [{"name": "fg", "version": 1, "commit": 4}]})
    log = pd.DataFrame({"timestamp": [T0 + i for i in range(40)], "latency_ms": 1.0, "status_code": 200,
                        "inputs": [rng.normal(3, 1, (5, 1)) for _ in range(40)]})
    page = monitor_view.render_html(monitor_frame(log, profile))
    assert "td v3 (train): 500 rows, from the statistics stored with fg v1 commit 4" in page
    assert ">DRIFT PSI+KS<" in page


def test_the_report_follows_the_theme() -> None:
    from tests.widgets.test_charts import hard_coded_colours

    page = monitor_view.render_html(_report())
    assert hard_coded_colours(page) == []
    pair = page[page.index('class="jp-jhops-drift-pair"'):]
    # reference and live bars in two series colours, told apart on light and dark themes
    assert "fill:var(--jp-jhops-series-0" in pair and "fill:var(--jp-jhops-series-1" in pair
