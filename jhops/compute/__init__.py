"""Where workers run: local processes or Spark tasks, behind one ``Executor`` interface."""

from __future__ import annotations

import os
from typing import Any

from jhops.compute.executor import Executor, WorkerExit, thread_budget
from jhops.compute.local import LocalExecutor
from jhops.compute.spark import SparkExecutor, is_spark_master

EXECUTORS = ("local", "spark")

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "SparkExecutor", "WorkerExit", "make_executor",
           "thread_budget"]


def make_executor(kind: str | Executor, workers: int, *, log_dir: str | None = None,
                  master: str | None = None, spark: Any = None, memory_per_worker: str | None = None) -> Executor:
    """The executor named by ``kind``: ``"local"``, ``"spark"``, or a Spark master / ``sc://`` URL.

    ``memory_per_worker`` (``"4g"``) is watched on local workers, and set as the executors' memory of a
    SparkSession made here (see ``jhops.compute.spark.get_or_create_session``).
    Example: ``make_executor("spark", 2)`` runs workers as tasks of the active (or a new ``local[2]``)
    SparkSession; ``make_executor("sc://localhost:15002", 2)`` goes through Spark Connect.
    """
    if isinstance(kind, Executor):
        return kind
    if kind == "local":
        return LocalExecutor(log_dir=log_dir, memory_per_worker=memory_per_worker)
    if kind == "spark" or is_spark_master(kind):
        return SparkExecutor(spark=spark, master=master or (None if kind == "spark" else kind), workers=workers,
                             memory_per_worker=memory_per_worker, log_dir=log_dir)
    raise ValueError(
        f"Unknown executor {kind!r}. Use 'local', 'spark', or a Spark master URL such as 'local[2]', "
        "'spark://host:7077' or 'sc://localhost:15002'."
    )


def default_workers(num_trials: int) -> int:
    """As many workers as trials, but no more than the machine's cores."""
    return max(1, min(num_trials, os.cpu_count() or 1))
