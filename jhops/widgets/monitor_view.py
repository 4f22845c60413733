"""A deployment's monitoring report in a notebook cell: traffic, latency, errors, predictions over time, and the
input drift table with reference-vs-live histograms of the drifted features.

HTML with inline SVG plus a plain-text version, rendered from ``MonitoringReport.to_dict()`` (so the JSON the
REST API serves renders the same way), and an ordinary output that stays in the saved notebook.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import Any

from IPython.display import display

from jhops.serving.monitoring import MonitoringReport, describe_reference, monitor
from jhops.widgets.charts import histogram_chart, line_chart

# Theme colours of JupyterLab (light and dark), with fallbacks for other front ends.
DRIFT_COLOR = "var(--jp-error-color1, #d62728)"
OK_COLOR = "var(--jp-success-color1, #2ca02c)"
MUTED_COLOR = "var(--jp-layout-color4, #7f7f7f)"
BADGE_TEXT_COLOR = "var(--jp-ui-inverse-font-color1, white)"
MAX_DRIFT_CHARTS = 12


def _as_dict(report: MonitoringReport | Mapping[str, Any]) -> Mapping[str, Any]:
    return report.to_dict() if isinstance(report, MonitoringReport) else report


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _when(iso: str | None) -> str:
    if not iso:
        return "-"
    return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S UTC")


def _badge(text: str, color: str) -> str:
    return (f'<span class="jp-jhops-badge" style="background:{color};color:{BADGE_TEXT_COLOR};border-radius:3px;'
            f'padding:1px 6px;font-size:11px">{html.escape(text)}</span>')


def _time_axis(window: Mapping[str, Any]) -> tuple[float, str]:
    """Seconds per unit and the x label: seconds, minutes or hours since the window's start."""
    duration = window.get("duration_s") or 0.0
    if duration <= 180:
        return 1.0, "seconds since start"
    if duration <= 3 * 3600:
        return 60.0, "minutes since start"
    return 3600.0, "hours since start"


def _series(rows: Sequence[Mapping[str, Any]], origin: float, unit: float, value: Any) -> list[tuple[float, float]]:
    """(time, value) points of the buckets where ``value(row)`` is a number."""
    points = []
    for row in rows:
        y = value(row)
        if isinstance(y, (int, float)):
            points.append(((row["start_ts"] - origin) / unit, float(y)))
    return points


def _traffic_charts(data: Mapping[str, Any]) -> str:
    buckets, window = data["buckets"], data["window"]
    unit, x_label = _time_axis(window)
    origin = window["start_ts"] or 0.0
    per = f"per {_fmt(window['bucket_s'])} s bucket"
    rate = line_chart({"requests/s": _series(buckets, origin, unit, lambda b: b["rate_per_s"])},
                      title=f"Request rate ({per})", x_label=x_label, y_label="requests/s")
    latency = line_chart({k: _series(buckets, origin, unit, lambda b, k=k: b["latency_ms"][k])
                          for k in ("p50", "p95", "p99")}, title="Latency", x_label=x_label, y_label="ms")
    errors = line_chart({"error rate": _series(buckets, origin, unit, lambda b: b["error_rate"])},
                        title="Error rate", x_label=x_label, y_label="failed / all")
    return '<div style="display:flex;flex-wrap:wrap;gap:8px">' + rate + latency + errors + "</div>"


def _prediction_charts(data: Mapping[str, Any]) -> str:
    pred, window = data["predictions"], data["window"]
    if not pred.get("kind"):
        return "<p><i>no predictions logged (inference_logging MODEL_INPUTS or NONE, or only failed requests)</i></p>"
    unit, x_label = _time_axis(window)
    origin = window["start_ts"] or 0.0
    over_time = pred["over_time"]
    charts = []
    if any(row.get("mean") is not None for row in over_time):
        what = pred.get("histogram_of") or "prediction"
        charts.append(line_chart({f"mean {what}"[:16]: _series(over_time, origin, unit, lambda r: r.get("mean"))},
                                 title=f"Mean {what} over time", x_label=x_label, y_label="mean"))
    classes = list(pred.get("class_counts") or {})[:8]
    if classes:
        charts.append(line_chart({f"class {c}": _series(over_time, origin, unit,
                                                        lambda r, c=c: (r.get("class_counts") or {}).get(c, 0)
                                                        if r["count"] else None) for c in classes},
                                 title="Predicted classes over time", x_label=x_label, y_label="instances"))
    histogram = pred.get("histogram") or {}
    if histogram.get("counts"):
        charts.append(histogram_chart(histogram["edges"], histogram["counts"],
                                      title=f"All predictions: {pred.get('histogram_of') or 'prediction'}",
                                      width=320, height=160))
    counts = pred.get("class_counts") or {}
    summary = (f"{pred['count']} instances, {html.escape(str(pred['kind']))}"
               + (f", mean {_fmt(pred['mean'])}" if pred.get("mean") is not None else "")
               + (", classes " + html.escape(", ".join(f"{k}: {v}" for k, v in list(counts.items())[:8]))
                  if counts else ""))
    return (f"<div>{summary}</div>" '<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start">'
            + "".join(charts) + "</div>")


def _reference_line(drift: Mapping[str, Any]) -> str:
    ref = drift.get("reference")
    if not ref:
        return "no reference"
    line = f"{describe_reference(ref)}: {ref.get('rows')} rows"
    if ref.get("feature_groups"):
        commits = ", ".join(f"{g['name']} v{g['version']} commit {g['commit']}" for g in ref["feature_groups"])
        line += f", from the statistics stored with {commits} (the split could not be read)"
    elif ref.get("method") != "data":
        line += ", from stored statistics"
    return line


def _drift_table(features: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("feature", "PSI", "KS", "KS p", "live mean", "reference mean",
                                              "live n", "drift"))
    body = []
    for f in features:
        flags = f.get("flags") or []
        if f["drifted"]:
            flag = _badge("DRIFT " + "+".join(flags).upper(), DRIFT_COLOR)
        elif f.get("note"):
            flag = _badge("n/a", MUTED_COLOR)
        else:
            flag = _badge("ok", OK_COLOR)
        style = ' style="font-weight:bold"' if f["drifted"] else ""
        cells = [html.escape(f["name"]), _fmt(f.get("psi")), _fmt(f.get("ks")), _fmt(f.get("ks_pvalue"), 2),
                 _fmt(f.get("live_mean"), 4), _fmt(f.get("reference_mean"), 4), str(f.get("live_count", "-"))]
        note = f' title="{html.escape(f["note"])}"' if f.get("note") else ""
        body.append(f'<tr data-feature="{html.escape(f["name"])}"{style}{note}>'
                    + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{flag}</td></tr>")
    return (f'<table class="jp-jhops-table jp-jhops-drift"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _drift_charts(features: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for f in [f for f in features if f["drifted"]][:MAX_DRIFT_CHARTS]:
        hist = f.get("histogram") or {}
        if not hist.get("edges"):
            continue
        name = f["name"]
        parts.append('<div class="jp-jhops-drift-pair" style="display:inline-block;margin:4px 12px 4px 0">'
                     f"<div><b>{html.escape(name)}</b> &middot; PSI {_fmt(f.get('psi'))}, KS {_fmt(f.get('ks'))}</div>"
                     + histogram_chart(hist["edges"], hist["reference"], title="reference", series=0)
                     + histogram_chart(hist["edges"], hist["live"], title="live", series=1) + "</div>")
    return "".join(parts)


def render_html(report: MonitoringReport | Mapping[str, Any]) -> str:
    """The report as HTML with inline SVG charts (a report, or its ``to_dict()``).

    Example: ``render_html(jhops.serving.monitoring.monitor("iceberg"))``
    """
    data = _as_dict(report)
    requests, latency, drift = data["requests"], data["latency_ms"], data["drift"]
    name = data.get("deployment") or "inference log"
    model = data.get("model") or {}
    parts = [f'<div class="jp-jhops-monitor" data-deployment="{html.escape(str(name))}" '
             f'data-requests="{requests["count"]}" data-drifted="{len(drift["drifted"])}">']
    parts.append(f"<div><b>{html.escape(str(name))}</b>"
                 + (f" &middot; model {html.escape(str(model['name']))} v{model['version']}" if model.get("name")
                    else "")
                 + f" &middot; {_when(data['window']['start'])} to {_when(data['window']['end'])}</div>")
    if data.get("message") or not requests["count"]:
        parts.append(f"<p><i>{html.escape(data.get('message') or 'no requests')}</i></p></div>")
        return "".join(parts)
    rate = f" &middot; {_fmt(requests['rate_per_s'])} requests/s" if requests.get("rate_per_s") is not None else ""
    excluded = (f" &middot; {requests['excluded']} requests to other model versions left out"
                if requests.get("excluded") else "")
    error_color = DRIFT_COLOR if requests["errors"] else "inherit"
    parts.append(f"<div>{requests['count']} requests ({requests['instances']} instances){rate} &middot; "
                 f'<span style="color:{error_color}">{requests["errors"]} errors ({_pct(requests["error_rate"])})'
                 "</span> &middot; latency "
                 + ", ".join(f"{k} {_fmt(latency.get(k))} ms" for k in ("p50", "p95", "p99")) + excluded + "</div>")
    if data.get("log_note"):  # the model server did not confirm it wrote every request: say so above the numbers
        parts.append(f'<p class="jp-jhops-log-note"><i>{html.escape(data["log_note"])}</i></p>')
    parts.append(_traffic_charts(data))
    parts.append("<h4>Predictions</h4>" + _prediction_charts(data))
    parts.append("<h4>Input drift</h4>")
    thresholds = drift.get("thresholds") or {}
    parts.append(f"<div>against {html.escape(_reference_line(drift))}; flags: PSI &ge; {_fmt(thresholds.get('psi'))}"
                 f" or KS &ge; {_fmt(thresholds.get('ks'))}, each also significant (alpha "
                 f"{_fmt(thresholds.get('alpha'))} over all tests)</div>")
    if drift["features"]:
        verdict = (_badge(f"{len(drift['drifted'])} drifted", DRIFT_COLOR) if drift["drifted"]
                   else _badge("no drift", OK_COLOR))
        parts.append(f"<div>{verdict}</div>" + _drift_table(drift["features"]))
        charts = _drift_charts(drift["features"])
        if charts:
            parts.append("<h4>Drifted features: reference vs live</h4>" + charts)
    if drift.get("note"):
        parts.append(f"<div><small>{html.escape(drift['note'])}</small></div>")
    parts.append("</div>")
    return "".join(parts)


def render_text(report: MonitoringReport | Mapping[str, Any]) -> str:
    """The report as plain text, for terminals and text-only front ends."""
    data = _as_dict(report)
    requests, latency, drift = data["requests"], data["latency_ms"], data["drift"]
    model = data.get("model") or {}
    name = data.get("deployment") or "inference log"
    head = f"{name}" + (f" (model {model['name']} v{model['version']})" if model.get("name") else "")
    if data.get("message") or not requests["count"]:
        return f"{head}: {data.get('message') or 'no requests'}"
    lines = [f"{head}: {requests['count']} requests, {_fmt(requests.get('rate_per_s'))}/s, "
             f"{_when(data['window']['start'])} to {_when(data['window']['end'])}",
             f"errors {requests['errors']} ({_pct(requests['error_rate'])}); latency "
             + ", ".join(f"{k} {_fmt(latency.get(k))} ms" for k in ("p50", "p95", "p99"))]
    pred = data["predictions"]
    if pred.get("kind"):
        lines.append(f"predictions: {pred['count']} {pred['kind']}"
                     + (f", mean {_fmt(pred['mean'])}" if pred.get("mean") is not None else ""))
    if drift["features"]:
        lines.append(f"drift against {_reference_line(drift)}:")
        for f in drift["features"]:
            mark = "DRIFT" if f["drifted"] else ("n/a" if f.get("note") else "ok")
            lines.append(f"  {f['name']:<20} PSI {_fmt(f.get('psi')):>7}  KS {_fmt(f.get('ks')):>7}  {mark}")
    if drift.get("note"):
        lines.append(f"drift: {drift['note']}")
    return "\n".join(lines)


def bundle(report: MonitoringReport | Mapping[str, Any]) -> dict[str, str]:
    """The display bundle (``text/html`` and ``text/plain``) of a report."""
    return {"text/html": render_html(report), "text/plain": render_text(report)}


class MonitorView:
    """The report of one deployment in one cell output, refreshed in place.

    Example::

        view = MonitorView("iceberg", bucket_s=60)
        view.refresh()          # displays the report; later calls update the same output
    """

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        self.options = options
        self._handle: Any = None

    def refresh(self) -> MonitoringReport:
        """Compute the report again and show it."""
        report = monitor(self.name, **self.options)
        data = bundle(report)
        if self._handle is None:
            self._handle = display(data, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(data, raw=True)
        return report


class MonitorDisplay:
    """A report as a displayable object: HTML in a notebook, text in a terminal.

    Example: ``MonitorDisplay(monitor("iceberg"))`` as a cell's last line shows the view.
    """

    def __init__(self, report: MonitoringReport | Mapping[str, Any]) -> None:
        self.data = _as_dict(report)

    def _repr_html_(self) -> str:
        return render_html(self.data)

    def __repr__(self) -> str:
        return render_text(self.data)


def show(report: MonitoringReport | Mapping[str, Any] | str, **options: Any) -> None:
    """Display a report, its ``to_dict()``, or the report of the deployment named (``options`` go to ``monitor``).

    Example: ``show("iceberg", since=datetime.timedelta(hours=1))``
    """
    if isinstance(report, str):
        report = monitor(report, **options)
    display(MonitorDisplay(report))  # type: ignore[no-untyped-call]
