"""``launch``: run a training function as a tracked experiment on local or Spark workers."""

from __future__ import annotations

import inspect
import os
import sys
import sysconfig
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import cloudpickle

from jhops.compute import Executor, default_workers, make_executor, thread_budget
from jhops.compute.memory import parse_size
from jhops.compute.raw_output import is_verbose
from jhops.experiments import environment
from jhops.experiments.arguments import check_call, expand_args
from jhops.experiments.driver import DriverSettings, ExperimentDriver, Listener
from jhops.experiments.progress import ConsoleProgress
from jhops.experiments.records import Experiment
from jhops.experiments.schedule import Schedule
from jhops.experiments.trial_runner import TrialRunner
from jhops.project import Project

DIRECTIONS = ("max", "min")


def _installed(module_file: str) -> bool:
    roots = {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib")}
    path = os.path.abspath(module_file)
    return any(path.startswith(os.path.abspath(root) + os.sep) for root in roots)


def ship(runner: TrialRunner) -> bytes:
    """Pickle the runner with its training function for the workers.

    A function from a module the workers may not import (a test file, a ``.py`` next to the notebook)
    travels by value, like one defined in the notebook; installed packages travel by reference.
    """
    module = sys.modules.get(getattr(runner.fn, "__module__", "") or "")
    module_file = getattr(module, "__file__", None)
    by_value = (module is not None and module.__name__ != "__main__" and module_file is not None
                and not module.__name__.startswith("jhops.") and not _installed(module_file))
    if not by_value:
        return bytes(cloudpickle.dumps(runner))
    cloudpickle.register_pickle_by_value(module)
    try:
        return bytes(cloudpickle.dumps(runner))
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def _source_of(fn: Callable[..., Any]) -> str | None:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return None


def launch(
    train_fn: Callable[..., Any],
    args: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    name: str | None = None,
    metric_key: str | None = None,
    direction: str = "max",
    executor: str | Executor = "local",
    workers: int | None = None,
    *,
    project: Project | None = None,
    code: str | None = None,
    listeners: Iterable[Listener] | None = None,
    master: str | None = None,
    spark: Any = None,
    kind: str = "experiment",
    settings: DriverSettings | None = None,
    memory_per_worker: str | None = None,
    verbose: bool | None = None,
) -> Experiment:
    """Run ``train_fn`` once per parameter set on long-running workers and record everything.

    ``args`` follows hops-util-py: a dict of lists runs trial *i* with the *i*-th element of each list
    (use ``grid(...)`` for every combination); parameters reach ``train_fn`` as keyword arguments, or as
    one dict if it has an ``hparams`` parameter, and a ``reporter`` is passed if it asks for one. The
    function returns a metric, a dict of metrics and artifact paths, or nothing.

    Returns the finished ``Experiment`` record: ``.metrics`` are the best (or only) trial's metrics,
    ``.trials`` all trials. ``KeyboardInterrupt`` kills the workers and records the experiment KILLED.

    ``memory_per_worker`` (``"4g"``) ends a local worker that goes over it and fails its trial with the
    reason; on Spark it sets the executors' memory of a session jhops creates. ``verbose`` shows what the
    trials write to standard error (library warnings, TensorFlow's logs) in the live lines too; by default
    it is kept in the trials' records and the workers' log files only (``JHOPS_VERBOSE=1`` turns it on).

    Example::

        def train(lr, reporter):
            ...
            return {"accuracy": acc}

        exp = launch(train, {"lr": [0.1, 0.01]}, metric_key="accuracy", executor="spark", workers=2)
        exp.metrics, exp.best_params
    """
    check_common(train_fn, direction, workers, memory_per_worker)
    params_list = expand_args(args)
    for params in params_list:
        check_call(train_fn, params)
    return run_trials(
        train_fn, trials=params_list, num_trials=len(params_list), args_record=params_list,
        workers=min(workers or default_workers(len(params_list)), len(params_list)),
        kind=kind, name=name, metric_key=metric_key, direction=direction, executor=executor, project=project,
        code=code, listeners=listeners, master=master, spark=spark, settings=settings,
        memory_per_worker=memory_per_worker, verbose=verbose,
    )


def check_common(train_fn: Callable[..., Any], direction: str, workers: int | None,
                 memory_per_worker: str | None = None) -> None:
    """The checks every launch makes before anything starts."""
    if not callable(train_fn):
        raise TypeError(f"train_fn must be a function, got {type(train_fn).__name__}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'max' or 'min', got {direction!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if memory_per_worker is not None:
        parse_size(memory_per_worker)


def run_trials(
    train_fn: Callable[..., Any],
    *,
    trials: Sequence[Mapping[str, Any]],
    num_trials: int,
    args_record: Any,
    workers: int,
    kind: str,
    name: str | None,
    metric_key: str | None,
    direction: str,
    executor: str | Executor,
    project: Project | None,
    code: str | None,
    listeners: Iterable[Listener] | None,
    master: str | None,
    spark: Any,
    settings: DriverSettings | None,
    schedule: Schedule | None = None,
    memory_per_worker: str | None = None,
    verbose: bool | None = None,
) -> Experiment:
    """Record an experiment and run its trials (those given, then the schedule's) on ``workers`` workers."""
    project = project or Project()
    store = project.experiments
    run_executor = make_executor(executor, workers, master=master, spark=spark, memory_per_worker=memory_per_worker)
    env = environment.capture()
    experiment = store.create_experiment(
        name=str(name or getattr(train_fn, "__name__", "experiment")),
        kind=kind,
        executor=run_executor.name,
        workers=workers,
        num_trials=num_trials,
        direction=direction,
        metric_key=metric_key,
        args=args_record,
        code=code or _source_of(train_fn),
        environment=env,
        driver={"pid": os.getpid(), "host": env["host"]},
    )
    if project.is_local:
        run_executor.log_dir = project.artifact_path("experiments", str(experiment.id), "workers")
    experiment.trials = store.create_trials(experiment.id, trials)
    runner = TrialRunner(train_fn, project.url, project.is_local, experiment.id, default_key=metric_key or "metric")
    driver = ExperimentDriver(
        store,
        experiment,
        run_executor,
        ship(runner),
        workers=workers,
        listeners=listeners if listeners is not None else [ConsoleProgress()],
        settings=settings,
        # TensorFlow's INFO lines from every worker would flood the console; warnings still show.
        worker_env={**thread_budget(workers), "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "1")},
        schedule=schedule,
        verbose=is_verbose(verbose),
    )
    return driver.run()
