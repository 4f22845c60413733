"""Workers as long-running Spark tasks, on a classic SparkSession or over Spark Connect.

Each worker is one Spark job of its own, so a worker that crashes fails only its job, and a replacement
can be started while the others keep working. The job runs ``mapInPandas`` over ``range(index + 1)`` in
``index + 1`` partitions: the task of partition ``index`` runs the worker loop, the others end at once.
``mapInPandas`` is used (not RDDs) because it is what works both on classic Spark and over Spark Connect.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Iterator
from functools import partial
from typing import Any

from jhops.compute.executor import Executor, WorkerExit
from jhops.compute.worker import WorkerSpec, run_worker

_RESULT_SCHEMA = "index long, worker_id string, tasks long"


def is_spark_master(value: str) -> bool:
    """Whether ``value`` names a Spark master or a Spark Connect server rather than an executor kind."""
    return value.startswith(("local[", "spark://", "sc://", "yarn", "k8s://", "mesos://")) or value == "local-cluster"


def get_or_create_session(master: str | None = None, workers: int = 2) -> Any:
    """The active SparkSession, or a new one for ``master`` (default ``local[workers]``).

    ``sc://host:port`` connects to a Spark Connect server. Example: ``get_or_create_session("local[2]")``.
    """
    from pyspark.sql import SparkSession

    if master is not None and master.startswith("sc://"):
        try:
            return SparkSession.builder.remote(master).getOrCreate()
        except Exception as exc:
            if "SESSION_ALREADY_EXIST" not in str(exc):
                raise
            raise ValueError(
                f"Cannot connect to {master}: a classic SparkSession is already running in this process, and "
                "PySpark allows no Spark Connect session beside it. Use executor='spark' to run on the running "
                "session, or call spark.stop() first."
            ) from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    # Executors must run this interpreter, or they import another environment's packages. A session made
    # in-process reads the environment variable, not the spark.pyspark.python setting.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master or f"local[{workers}]").appName("jhops")
    # Stage progress bars would interleave with the experiment's own progress lines.
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if os.environ.get("JHOPS_SPARK_UI", "1") == "0":
        builder = builder.config("spark.ui.enabled", "false")
    return builder.getOrCreate()


def _is_connect(spark: Any) -> bool:
    return "connect" in type(spark).__module__


def _task_worker(spec_blob: bytes, index: int, batches: Iterator[Any]) -> Iterator[Any]:
    """The body of every task of a worker's job; only the task holding row ``index`` serves."""
    import pandas as pd
    from pyspark import TaskContext

    ids = {int(i) for batch in batches for i in batch["id"]}
    if index not in ids:
        return
    context = TaskContext.get()
    identity: dict[str, Any] = {"kind": "spark-task"}
    if context is not None:
        identity.update(partition_id=context.partitionId(), stage_id=context.stageId(),
                        task_attempt_id=context.taskAttemptId(), attempt_number=context.attemptNumber())
    spec: WorkerSpec = pickle.loads(spec_blob)
    # Spark reuses Python worker processes between tasks: leave the process as it was found.
    cwd, environ = os.getcwd(), dict(os.environ)
    try:
        summary = run_worker(spec, index, identity)
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
    yield pd.DataFrame([summary])


def _short_error(exc: BaseException) -> str:
    """A Spark error without the JVM stack trace: the first line, and the end of a Python traceback."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip() and not ln.lstrip().startswith("at ")]
    if len(lines) <= 8:
        return "\n".join(lines)
    python_end = [i for i, ln in enumerate(lines) if "Error" in ln and not ln.startswith(" ")]
    tail = lines[max(0, (python_end[0] if python_end else len(lines)) - 4):][:8]
    return "\n".join([lines[0], "...", *tail])


class SparkExecutor(Executor):
    """Runs each worker as a Spark task on ``spark`` (or a session made for ``master``).

    Example::

        executor = SparkExecutor(master="local[2]", workers=2)
    """

    def __init__(self, spark: Any = None, master: str | None = None, workers: int = 2) -> None:
        self.spark = spark if spark is not None else get_or_create_session(master, workers)
        self.connect = _is_connect(self.spark)
        self.master = master or (None if self.connect else self.spark.sparkContext.master)
        self.name = f"spark({self.master or 'connect'})"
        self.group = f"jhops-{os.getpid()}-{id(self)}"
        self._threads: dict[int, threading.Thread] = {}
        self._errors: dict[int, str] = {}
        self._lock = threading.Lock()

    def driver_host(self) -> str:
        explicit = os.environ.get("JHOPS_DRIVER_HOST")
        if explicit:
            return explicit
        master = self.master or ""
        if master.startswith("local") or master.startswith(("sc://localhost", "sc://127.0.0.1")):
            return "127.0.0.1"
        if not self.connect:
            host = self.spark.sparkContext.getConf().get("spark.driver.host")
            if host:
                return str(host)
        return "0.0.0.0"

    def _run_job(self, spec_blob: bytes, index: int) -> None:
        try:
            if self.connect:
                self.spark.addTag(self.group)
            else:
                self.spark.sparkContext.setJobGroup(self.group, f"jhops worker {index}", interruptOnCancel=True)
            frame = self.spark.range(0, index + 1, 1, index + 1)
            frame.mapInPandas(partial(_task_worker, spec_blob, index), _RESULT_SCHEMA).collect()
        except BaseException as exc:  # the job's failure is the worker's exit, reported through poll()
            with self._lock:
                self._errors[index] = _short_error(exc)

    def start_worker(self, spec: WorkerSpec, index: int) -> None:
        thread = threading.Thread(target=self._run_job, args=(pickle.dumps(spec), index),
                                  name=f"jhops-spark-worker-{index}", daemon=True)
        self._threads[index] = thread
        thread.start()

    def poll(self) -> list[WorkerExit]:
        ended = []
        for index, thread in list(self._threads.items()):
            if thread.is_alive():
                continue
            del self._threads[index]
            with self._lock:
                error = self._errors.pop(index, None)
            ended.append(WorkerExit(index, f"Spark task failed: {error}" if error else "exited"))
        return ended

    def stop(self, timeout: float = 5.0) -> None:
        if any(t.is_alive() for t in self._threads.values()):
            if self.connect:
                self.spark.interruptTag(self.group)
            else:
                self.spark.sparkContext.cancelJobGroup(self.group)
        for thread in self._threads.values():
            thread.join(timeout)
        self._threads.clear()
