"""Experiments and trials as flat rows, shared by every table view (magic, CLI, notebook, REST)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from jhops.experiments.records import Experiment, Trial


def _when(timestamp: float | None) -> str:
    return "" if timestamp is None else dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}s"


def format_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def format_metrics(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())


def trial_ending(trial: Trial) -> str:
    """How a trial that did not finish ended, in one line: its state and the last line of its reason.

    Example: ``"trial 2 EARLY_STOPPED: at step 3 its best accuracy 0.612 was below the median 0.701 ..."``
    """
    last = (trial.error or "").strip().splitlines()[-1:]
    return f"trial {trial.number} {trial.state.value}" + (f": {last[0]}" if last else "")


def shared_params(trials: list[Trial]) -> dict[str, Any]:
    """The parameters every trial has with the same value (none when there is only one trial).

    Example: trials with ``{"lr": 0.1, "epochs": 4}`` and ``{"lr": 0.01, "epochs": 4}`` share ``{"epochs": 4}``.
    """
    if len(trials) < 2:
        return {}
    first = trials[0].params
    return {k: v for k, v in first.items() if all(k in t.params and t.params[k] == v for t in trials[1:])}


def experiment_row(exp: Experiment) -> dict[str, Any]:
    """One experiment as a row. Example: ``experiment_row(exp)["state"] == "FINISHED"``."""
    best = "" if exp.best_metric is None else f"{exp.metric_key}={exp.best_metric:.4g}"
    return {
        "id": exp.id,
        "name": exp.name,
        "kind": exp.kind,
        "state": exp.state.value,
        "trials": exp.num_trials,
        "executor": exp.executor,
        "workers": exp.workers,
        "best": best,
        "started": _when(exp.start_time),
        "duration": _seconds(exp.duration),
    }


def trial_row(trial: Trial, hide: Collection[str] = ()) -> dict[str, Any]:
    """One trial as a row, with where it ran (worker index, and Spark partition when on Spark).

    Parameters named in ``hide`` (those all trials share, say) are left out of the row.
    """
    where = f"worker {trial.worker['index']}" if "index" in trial.worker else ""
    if "partition_id" in trial.worker:
        where += f" (spark partition {trial.worker['partition_id']})"
    return {
        "trial": trial.number,
        "state": trial.state.value,
        "params": format_params({k: v for k, v in trial.params.items() if k not in hide}),
        "metrics": format_metrics(trial.metrics),
        "duration": _seconds(trial.duration),
        "where": where,
    }
