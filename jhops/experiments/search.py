"""``search``: an asynchronous hyperparameter search with early stopping, on long-running workers."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from jhops.compute import Executor, default_workers
from jhops.experiments.arguments import check_call
from jhops.experiments.driver import DriverSettings, Listener
from jhops.experiments.early_stopping import EarlyStopRule, MedianRule, make_rule
from jhops.experiments.launch import check_common, run_trials
from jhops.experiments.optimizers import Optimizer, make_optimizer
from jhops.experiments.records import Experiment
from jhops.experiments.schedule import Planned, SearchSchedule
from jhops.experiments.searchspace import Searchspace
from jhops.project import Project


def search(
    train_fn: Callable[..., Any],
    searchspace: Searchspace,
    optimizer: str | Optimizer = "randomsearch",
    num_trials: int | None = 10,
    metric: str = "metric",
    direction: str = "max",
    early_stop: str | EarlyStopRule | None = "median",
    *,
    es_min: int = 5,
    es_interval: float = 1.0,
    executor: str | Executor = "local",
    workers: int | None = None,
    name: str | None = None,
    seed: int | None = None,
    optimizer_options: dict[str, Any] | None = None,
    project: Project | None = None,
    code: str | None = None,
    listeners: Iterable[Listener] | None = None,
    master: str | None = None,
    spark: Any = None,
    settings: DriverSettings | None = None,
    memory_per_worker: str | None = None,
    verbose: bool | None = None,
) -> Experiment:
    """Search ``searchspace`` for the best ``metric`` of ``train_fn``, trials running asynchronously.

    Whenever a worker is free it gets the optimizer's next suggestion, without waiting for the others.
    ``reporter.broadcast(value, step)`` feeds the early-stopping rule (``"median"``: a trial worse than the
    median of finished trials at the same step is stopped once ``es_min`` trials have finished, checked
    every ``es_interval`` seconds); a stopped trial is recorded EARLY_STOPPED with its metrics so far.
    Optimizers: ``randomsearch``, ``gridsearch`` and ``asha`` (which passes each trial a ``budget``),
    or an ``Optimizer`` of your own. Returns the ``Experiment``: ``best_params``, ``best_metric``, trials.
    ``memory_per_worker`` and ``verbose`` are as for ``launch``.

    Example::

        space = Searchspace(lr=("DOUBLE", [1e-4, 1e-1], "log"), dropout=("DOUBLE", [0.0, 0.5]))
        exp = search(train, space, optimizer="randomsearch", num_trials=20, metric="accuracy", workers=2)
        exp.best_params, exp.best_metric
    """
    check_common(train_fn, direction, workers, memory_per_worker)
    if not isinstance(searchspace, Searchspace):
        raise TypeError(f"searchspace must be a jhops Searchspace, got {type(searchspace).__name__}")
    if len(searchspace) == 0:
        raise ValueError("the searchspace is empty: add parameters, e.g. Searchspace(lr=('DOUBLE', [1e-4, 1e-1]))")
    chosen = make_optimizer(optimizer, **(optimizer_options or {}))
    chosen.initialize(searchspace, num_trials, direction, seed)
    rule = make_rule(early_stop, min_finished=es_min)
    schedule = SearchSchedule(chosen, rule, es_interval)
    # Check the function against a suggestion now (a copy, so the search itself starts fresh).
    probe = SearchSchedule(copy.deepcopy(chosen)).next()
    if not isinstance(probe, Planned):
        raise ValueError("the optimizer suggested no trial at all: is num_trials at least 1?")
    check_call(train_fn, probe.params)
    planned = num_trials if num_trials is not None else len(searchspace.grid())
    record = {
        "searchspace": searchspace.to_dict(),
        "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__,
        "optimizer_options": optimizer_options or {},
        "early_stop": type(rule).__name__,
        "es_min": es_min if isinstance(rule, MedianRule) else None,
        "seed": seed,
    }
    return run_trials(
        train_fn, trials=[], num_trials=planned, args_record=record,
        workers=workers or default_workers(planned), kind="parallel", name=name, metric_key=metric,
        direction=direction, executor=executor, project=project, code=code, listeners=listeners,
        master=master, spark=spark, settings=settings, schedule=schedule, memory_per_worker=memory_per_worker,
        verbose=verbose,
    )
