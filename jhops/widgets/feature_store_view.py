"""The feature store in a notebook cell: groups and datasets, or one group's schema, commits, statistics
with histograms, validation reports and a preview. HTML with inline SVG, so it stays in the saved notebook.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from IPython.display import HTML, display

from jhops.featurestore.feature_group import FeatureGroup
from jhops.featurestore.feature_store import FeatureStore
from jhops.widgets.charts import histogram_chart

# Theme colours of JupyterLab (light and dark), with fallbacks for other front ends.
STATUS_COLORS = {"SUCCESS": "var(--jp-success-color1, #2ca02c)", "WARNING": "var(--jp-warn-color1, #ff7f0e)",
                 "FAILURE": "var(--jp-error-color1, #d62728)"}
MUTED_COLOR = "var(--jp-layout-color4, #7f7f7f)"
BADGE_TEXT_COLOR = "var(--jp-ui-inverse-font-color1, white)"
PREVIEW_ROWS = 5


def _when(timestamp: float | None) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def _table(rows: Sequence[dict[str, Any]], css: str = "jp-jhops-table") -> str:
    if not rows:
        return "<p><i>none</i></p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{v if isinstance(v, _Raw) else html.escape(str(v))}</td>"
                                    for v in row.values()) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class _Raw(str):
    """Cell content that is already HTML."""


def _badge(status: str) -> _Raw:
    color = STATUS_COLORS.get(status, MUTED_COLOR)
    return _Raw(f'<span class="jp-jhops-badge" style="background:{color};color:{BADGE_TEXT_COLOR};border-radius:3px;'
                f'padding:1px 6px;font-size:11px">{html.escape(status)}</span>')


def _short(value: Any, limit: int = 60) -> str:
    if hasattr(value, "__len__") and not isinstance(value, str) and len(value) > 4:
        head = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in list(value)[:3])
        return f"[{head}, ... ({len(value)} values)]"
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_store(fs: FeatureStore) -> str:
    """Every feature group and training dataset of the store."""
    groups = []
    for group in fs.get_feature_groups():
        commits = group.commits()
        groups.append({
            "name": group.name, "version": group.version, "description": group.description,
            "primary key": ", ".join(group.primary_key), "features": len(group.features),
            "commits": len(commits), "rows": commits[-1]["statistics"]["rows"] if commits and commits[-1]["statistics"]
            else "-", "online": "yes" if group.online_enabled else "no", "validation": group.validation_policy,
            "tags": ", ".join(f"{k}={v}" for k, v in group.tags.items()),
        })
    datasets = [{"name": td.name, "version": td.version, "splits": ", ".join(f"{k}: {v}" for k, v in td.counts.items()),
                 "format": td.data_format, "label": ", ".join(td.label),
                 "from": ", ".join(f"{k}@{v}" for k, v in td.sources.items())} for td in fs.get_training_datasets()]
    return (f'<div class="jp-jhops-featurestore"><b>Feature store</b> &middot; {html.escape(fs.project.url)}'
            f"<h4>Feature groups</h4>{_table(groups)}<h4>Training datasets</h4>{_table(datasets)}"
            "<p>Show one group with <code>%hops fs NAME [--version N]</code>.</p></div>")


def _statistics_html(stats: dict[str, Any]) -> str:
    cells = []
    for name, column in stats["columns"].items():
        kind = column.get("kind")
        if kind == "array":
            source, label = column["elements"], f"{name} (elements, length {column['length']['max']})"
        elif kind == "numeric":
            source, label = column, name
        else:
            top = ", ".join(f"{t['value']}: {t['count']}" for t in column.get("top", [])[:5])
            cells.append(f'<div class="jp-jhops-stat"><b>{html.escape(name)}</b><br>{column["count"]} values, '
                         f'{column["nulls"]} null, {column.get("distinct", "-")} distinct<br>'
                         f"<small>{html.escape(top)}</small></div>")
            continue
        numbers = (f"min {_short(source['min'])} &middot; max {_short(source['max'])} &middot; mean "
                   f"{_short(source['mean'])} &middot; std {_short(source['std'])}")
        chart = histogram_chart(source["histogram"]["edges"], source["histogram"]["counts"], title=label)
        cells.append(f'<div class="jp-jhops-stat">{chart}<br><small>{column["count"]} values, {column["nulls"]} null'
                     f"<br>{numbers}</small></div>")
    return '<div style="display:flex;flex-wrap:wrap;gap:12px">' + "".join(cells) + "</div>"


def render_group(group: FeatureGroup) -> str:
    """One feature group version: schema, commits, statistics with histograms, validation, preview."""
    parts = [f'<div class="jp-jhops-featuregroup" data-name="{html.escape(group.name)}" data-version="{group.version}">'
             f"<b>{html.escape(group.name)}</b> v{group.version} &middot; primary key "
             f"{html.escape(', '.join(group.primary_key))}"
             + (" &middot; online" if group.online_enabled else "")
             + f" &middot; validation {group.validation_policy}"]
    if group.description:
        parts.append(f"<div>{html.escape(group.description)}</div>")
    if group.tags:
        parts.append(f"<div>tags: {html.escape(', '.join(f'{k}={v}' for k, v in group.tags.items()))}</div>")
    parts.append("<h4>Schema</h4>" + _table([
        {"feature": f.name, "type": f.type, "primary key": "yes" if f.name in group.primary_key else "",
         "description": f.description, "tags": ", ".join(f"{k}={v}" for k, v in f.tags.items())}
        for f in group.features]))
    reports = {r["delta_version"]: r for r in group.validation_reports() if r["delta_version"] is not None}
    commits = group.commits()
    parts.append("<h4>Commits</h4>" + _table([
        {"version": c["delta_version"], "committed": _when(c["committed_at"]), "operation": c["operation"],
         "rows written": c["rows"],
         "validation": _badge(reports[c["delta_version"]]["status"]) if c["delta_version"] in reports else "-"}
        for c in reversed(commits)]))
    with_stats = [c for c in commits if c["statistics"]]
    if with_stats:
        latest = with_stats[-1]
        parts.append(f"<h4>Statistics (commit {latest['delta_version']}, {latest['statistics']['rows']} rows)</h4>"
                     + _statistics_html(latest["statistics"]))
    all_reports = group.validation_reports()
    if all_reports:
        rows = []
        for report in reversed(all_reports[-10:]):
            failed = [r for r in report["results"] if not r["success"]]
            rows.append({"report": report["id"], "when": _when(report["created"]), "status": _badge(report["status"]),
                         "commit": report["delta_version"] if report["delta_version"] is not None else "rejected",
                         "rules": len(report["results"]),
                         "failed": "; ".join(f"{r['rule']}({r['feature'] or 'table'}) observed "
                                             f"{_short(r['observed'])}" for r in failed) or "-"})
        parts.append("<h4>Validation reports</h4>" + _table(rows))
    if group.offline.exists():
        preview = group.show(PREVIEW_ROWS)
        parts.append(f"<h4>Preview ({PREVIEW_ROWS} rows)</h4>" + _table(
            [{k: _short(v) for k, v in row.items()} for row in preview.to_dict("records")]))
    parts.append("</div>")
    return "".join(parts)


def show(fs: FeatureStore, name: str | None = None, version: int | None = None) -> None:
    """Display the store, or one group. Example: ``show(jhops.featurestore(), "iceberg")``"""
    display(HTML(render_group(fs.get_feature_group(name, version)) if name else render_store(fs)))
