"""The live view of an experiment in a notebook cell: state, progress, metric curves, trials, worker logs.

It is a display (HTML with inline SVG, plus a plain-text version) updated in place while the driver
runs, so its final state is an ordinary output that stays in the saved notebook.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

from IPython.display import display

from jhops.experiments.driver import LogLine, Progress
from jhops.experiments.progress_summary import ProgressSummary
from jhops.experiments.records import Experiment, TrialState
from jhops.experiments.summary import (
    experiment_row,
    format_metrics,
    format_params,
    shared_params,
    trial_ending,
    trial_row,
)
from jhops.widgets.charts import line_chart

# Theme colours of JupyterLab (light and dark), with fallbacks for other front ends.
STATE_COLORS = {
    "RUNNING": "var(--jp-brand-color1, #1f77b4)", "FINISHED": "var(--jp-success-color1, #2ca02c)",
    "ERROR": "var(--jp-error-color1, #d62728)", "FAILED": "var(--jp-error-color0, #8c1c13)",
    "KILLED": "var(--jp-layout-color4, #7f7f7f)", "PENDING": "var(--jp-layout-color3, #bbbbbb)",
    "EARLY_STOPPED": "var(--jp-warn-color1, #ff7f0e)",
}
MAX_LOG_LINES = 40


def _badge(state: str) -> str:
    color = STATE_COLORS.get(state, "#555")
    return (f'<span class="jp-jhops-badge" style="background:{color};color:white;border-radius:3px;'
            f'padding:1px 6px;font-size:11px">{html.escape(state)}</span>')


def _table(rows: Sequence[dict[str, Any]], badge_column: str | None = "state") -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = []
    for row in rows:
        cells = []
        for key, value in row.items():
            text = _badge(str(value)) if key == badge_column else html.escape(str(value))
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="jp-jhops-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _chart_key(exp: Experiment) -> str | None:
    # The metric key when trials reported it; else the first key they did report: a cell without --metric whose
    # function broadcasts bare values records them as "metric", while its key comes from the returned dict.
    reported = [key for trial in exp.trials for key in trial.history]
    if exp.metric_key and (exp.metric_key in reported or not reported):
        return exp.metric_key
    return reported[0] if reported else None


def render_html(exp: Experiment, logs: Sequence[LogLine] = (), workers_alive: int | None = None) -> str:
    """The view of ``exp`` as HTML. Example: ``render_html(Project().experiments.get_experiment(3))``."""
    progress = ProgressSummary.of(exp)
    elapsed = (exp.end_time or time.time()) - exp.start_time
    parts = [f'<div class="jp-jhops-experiment" data-experiment-id="{exp.id}" data-state="{exp.state.value}">']
    parts.append(f"<div><b>{html.escape(exp.name)}</b> #{exp.id} {_badge(exp.state.value)} "
                 f"&middot; {html.escape(exp.executor)}, {exp.workers} worker(s)"
                 + (f", {workers_alive} alive" if workers_alive is not None and exp.state.value == "RUNNING" else "")
                 + f" &middot; {elapsed:.1f}s</div>")
    parts.append(f'<div><progress value="{progress.done}" max="{max(1, progress.total)}" style="width:240px">'
                 f"</progress> {progress.done}/{progress.total} trials ({html.escape(progress.counts_text())})</div>")
    shared = shared_params(exp.trials)
    if shared:
        parts.append(f"<div>all trials: {html.escape(format_params(shared))}</div>")
    best = progress.best_metric
    if progress.best is not None and best is not None:
        varying = {k: v for k, v in progress.best.params.items() if k not in shared}
        with_params = f" with {html.escape(format_params(varying))}" if varying else ""
        parts.append(f"<div>best {html.escape(str(progress.metric_key))} = <b>{best:.4g}</b>{with_params}</div>")
    if exp.error:
        parts.append(f'<pre style="color:#d62728;white-space:pre-wrap">{html.escape(exp.error)}</pre>')
    key = _chart_key(exp)
    if key:
        series = {f"trial {t.number}": [(float(s), v) for s, v in t.history.get(key, [])] for t in exp.trials
                  if t.history.get(key)}
        parts.append(line_chart(series, title=f"{key} per step", y_label=key))
    parts.append(_table([trial_row(t, hide=shared) for t in exp.trials]))
    for trial in exp.trials:
        if trial.error and trial.state is not TrialState.FINISHED:
            parts.append(f"<details><summary>{html.escape(trial_ending(trial))}</summary>"
                         f"<pre>{html.escape(trial.error)}</pre></details>")
    if logs:
        lines = [f"[trial {ln.trial}] {ln.text}" if ln.trial is not None else ln.text
                 for ln in list(logs)[-MAX_LOG_LINES:]]
        parts.append('<details open><summary>worker logs</summary><pre class="jp-jhops-logs" '
                     'style="max-height:16em;overflow:auto">' + html.escape("\n".join(lines)) + "</pre></details>")
    parts.append("</div>")
    return "".join(parts)


def render_text(exp: Experiment) -> str:
    """The view of ``exp`` as plain text, for terminals and text-only front ends."""
    row = experiment_row(exp)
    lines = [f"{exp.name} #{exp.id} {row['state']} ({row['executor']}, {row['workers']} workers) {row['duration']}"]
    if exp.best_metric is not None:
        with_params = f" with {format_params(exp.best_params)}" if exp.best_params else ""
        lines.append(f"best {exp.metric_key}={exp.best_metric:.4g}{with_params}")
    if exp.error:
        lines.append(exp.error)
    for trial in exp.trials:
        lines.append(f"  trial {trial.number} {trial.state.value} {format_metrics(trial.metrics)}")
    return "\n".join(lines)


class ExperimentView:
    """A progress listener that keeps one cell output up to date.

    Example::

        view = ExperimentView()
        launch(train, args, listeners=[view])
    """

    def __init__(self) -> None:
        self._handle: Any = None

    def bundle(self, progress: Progress) -> dict[str, str]:
        exp = progress.experiment
        return {"text/html": render_html(exp, progress.logs, progress.workers_alive),
                "text/plain": render_text(exp)}

    def __call__(self, progress: Progress) -> None:
        data = self.bundle(progress)
        if self._handle is None:
            self._handle = display(data, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(data, raw=True)


def stored_logs(exp: Experiment, per_trial: int = 10, verbose: bool = False) -> list[LogLine]:
    """The last log lines of each trial of a stored experiment; standard error only when ``verbose`` (as live),
    but for jhops' own notes."""
    lines = []
    for trial in exp.trials:
        for stream, text in (("stdout", trial.stdout), ("stderr", trial.stderr)):
            shown = [ln for ln in text.splitlines() if stream == "stdout" or verbose or ln.startswith("[jhops]")]
            for line in shown[-per_trial:]:
                lines.append(LogLine(trial.number, trial.worker.get("index", -1), stream, line))
    return lines


def show(exp: Experiment, verbose: bool = False) -> None:
    """Display a stored experiment the way the live view ended (``verbose``: with the trials' standard error)."""
    bundle = {"text/html": render_html(exp, stored_logs(exp, verbose=verbose)), "text/plain": render_text(exp)}
    display(bundle, raw=True)  # type: ignore[no-untyped-call]
