"""Experiments and trials as flat rows, shared by every table view (magic, CLI, notebook, REST)."""

from __future__ import annotations

import datetime as dt
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


def trial_row(trial: Trial) -> dict[str, Any]:
    """One trial as a row, with where it ran (worker index, and Spark partition when on Spark)."""
    where = f"worker {trial.worker['index']}" if "index" in trial.worker else ""
    if "partition_id" in trial.worker:
        where += f" (spark partition {trial.worker['partition_id']})"
    return {
        "trial": trial.number,
        "state": trial.state.value,
        "params": format_params(trial.params),
        "metrics": format_metrics(trial.metrics),
        "duration": _seconds(trial.duration),
        "where": where,
    }
