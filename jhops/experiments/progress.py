"""A plain-text progress listener for scripts and terminals (notebooks get a richer view)."""

from __future__ import annotations

import sys
from typing import TextIO

from jhops.experiments.driver import Progress
from jhops.experiments.progress_summary import ProgressSummary
from jhops.experiments.records import TrialState
from jhops.experiments.summary import format_metrics, format_params, trial_ending


class ConsoleProgress:
    """Prints one line when a trial starts or ends, and a summary at the end.

    Example: ``launch(train, args, listeners=[ConsoleProgress()])``
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._seen: dict[int, TrialState] = {}

    def __call__(self, progress: Progress) -> None:
        exp = progress.experiment
        summary = ProgressSummary.of(exp)
        for trial in exp.trials:
            if self._seen.get(trial.id) is trial.state or trial.state is TrialState.PENDING:
                continue
            self._seen[trial.id] = trial.state
            # Count what has been printed, so "n/N" grows one line at a time.
            done = sum(state.is_final for state in self._seen.values())
            params = format_params(trial.params) or "no parameters"
            if trial.state is TrialState.RUNNING:
                line = f"trial {trial.number} started ({params}) on worker {trial.worker.get('index', '?')}"
            elif trial.state is TrialState.FINISHED:
                metrics = format_metrics(trial.metrics) or "-"
                line = f"trial {trial.number} finished in {trial.duration or 0:.1f}s: {metrics}"
            else:
                line = trial_ending(trial)
            print(f"[jhops {exp.name} #{exp.id}] {done}/{summary.total} {line}", file=self.stream, flush=True)
        if progress.final:
            best = summary.best_metric
            with_best = f", best {summary.metric_key}={best:.4g}" if best is not None else ""
            print(f"[jhops {exp.name} #{exp.id}] {exp.state.value} in {exp.duration or 0:.1f}s{with_best}",
                  file=self.stream, flush=True)
