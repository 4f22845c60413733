"""How far an experiment has got: trials done out of planned, by state, and the best trial so far.

One implementation for every view of a running or stored experiment: the driver's choice of the best trial,
the console lines, the notebook view and the REST resource (``/jhops/experiments``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jhops.experiments.records import Experiment, Trial, TrialState

#: the most recent live log lines a summary carries (what the sidebar shows)
SUMMARY_LOG_LINES = 20


def best_trial(trials: Sequence[Trial], metric_key: str | None, direction: str) -> tuple[str | None, Trial | None]:
    """The metric that ranks trials and the finished trial best at it (``None`` while none has it).

    Without a ``metric_key`` the first metric a finished trial reported ranks them.
    Example: ``best_trial(exp.trials, "accuracy", "max")`` is ``("accuracy", <the most accurate trial>)``.
    """
    finished = [t for t in trials if t.state is TrialState.FINISHED]
    key = metric_key
    if key is None:
        key = next((next(iter(t.metrics)) for t in finished if t.metrics), None)
    if key is None:
        return None, None
    scored = [t for t in finished if key in t.metrics]
    if not scored:
        return key, None
    pick = max if direction == "max" else min
    return key, pick(scored, key=lambda t: t.metrics[key])


@dataclass(frozen=True)
class ProgressSummary:
    """Trials done out of planned, how many are in each state, and the best trial so far.

    ``total`` is the planned count (``Experiment.num_trials``) from the start, though a search creates its
    trials as it goes; it grows only when more trials exist than were planned (ASHA's promotions).

    Example::

        summary = ProgressSummary.of(exp)
        f"{summary.done}/{summary.total} trials ({summary.counts_text()}), best {summary.best_metric}"
    """

    done: int
    total: int
    counts: dict[str, int]
    metric_key: str | None
    best: Trial | None
    #: what the running driver last published to the project (``Experiment.live``)
    workers_alive: int | None = None
    updated: float | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, exp: Experiment) -> ProgressSummary:
        counts = exp.counts()
        done = sum(n for state, n in counts.items() if TrialState(state).is_final)
        key, best = best_trial(exp.trials, exp.metric_key, exp.direction)
        recorded = exp.best_trial  # what the driver recorded at the end wins over a pick from partial records
        if recorded is not None:
            key, best = exp.metric_key or key, recorded
        return cls(done=done, total=max(exp.num_trials, len(exp.trials)), counts=counts, metric_key=key,
                   best=best, workers_alive=exp.live.get("workers_alive"), updated=exp.live.get("updated"),
                   logs=list(exp.live.get("logs", []))[-SUMMARY_LOG_LINES:])

    @property
    def early_stopped(self) -> int:
        return self.counts.get(TrialState.EARLY_STOPPED.value, 0)

    @property
    def failed(self) -> int:
        """Trials that ended without a result of their own (ERROR or FAILED)."""
        return sum(n for state, n in self.counts.items() if TrialState(state).is_failure)

    @property
    def best_metric(self) -> float | None:
        if self.best is None or self.metric_key is None:
            return None
        return self.best.metrics.get(self.metric_key)

    def counts_text(self) -> str:
        """The states in words, e.g. ``"1 early_stopped, 3 finished, 1 running"``."""
        return ", ".join(f"{n} {state.lower()}" for state, n in sorted(self.counts.items()))

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``progress`` in ``GET /jhops/experiments`` (see ``jhops/server/openapi.yaml``)."""
        best = None if self.best is None else {"trial": self.best.number, "params": self.best.params,
                                                 "metric": self.best_metric}
        return {"done": self.done, "total": self.total, "counts": self.counts, "early_stopped": self.early_stopped,
                "failed": self.failed, "best": best, "workers_alive": self.workers_alive, "updated": self.updated,
                "logs": self.logs}
