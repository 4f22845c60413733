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
import tempfile
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from functools import partial
from typing import Any

from jhops.compute.executor import Executor, WorkerExit
from jhops.compute.memory import parse_size
from jhops.compute.raw_output import raw_output_to, tail
from jhops.compute.worker import WorkerSpec, run_worker
from jhops.extras import require_extra

#: the log4j2 configuration of the sessions jhops creates: errors only, from the JVM's first line
LOG4J2_PROPERTIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spark-log4j2.properties")
#: the Spark configuration key under which a session jhops created records where its JVM's output goes
OUTPUT_LOG_KEY = "spark.jhops.outputLog"

_RESULT_SCHEMA = "index long, worker_id string, tasks long"


def is_spark_master(value: str) -> bool:
    """Whether ``value`` names a Spark master or a Spark Connect server rather than an executor kind."""
    return value.startswith(("local[", "spark://", "sc://", "yarn", "k8s://", "mesos://")) or value == "local-cluster"


def is_local_master(master: str) -> bool:
    """Whether ``master`` runs Spark's executors inside the driver's JVM (``local``, ``local[N]``)."""
    return master == "local" or master.startswith("local[")


def session_conf(master: str, memory_per_worker: str | None = None, output_log: str | None = None) -> dict[str, str]:
    """The settings jhops gives a SparkSession it creates for ``master``.

    Quiet logging from the first line (the log4j2 file shipped with jhops), no console progress bars, and
    ``memory_per_worker`` as the executors' memory: ``spark.executor.memory`` (each executor's JVM; unused by
    ``local[N]``, whose executors live in the driver's JVM) and, on a cluster, ``spark.executor.pyspark.memory``
    (the Python workers; Spark enforces it as an address-space limit, which TensorFlow needs well above its
    resident memory, so it is not set for ``local[N]``, where it would be the only effect).
    Example: ``session_conf("spark://h:7077", "4g")["spark.executor.pyspark.memory"] == "4g"``.
    """
    conf = {
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J2_PROPERTIES}",
        # Stage progress bars would interleave with the experiment's own progress lines.
        "spark.ui.showConsoleProgress": "false",
    }
    if memory_per_worker is not None:
        parse_size(memory_per_worker)
        conf["spark.executor.memory"] = memory_per_worker
        if not is_local_master(master):
            conf["spark.executor.pyspark.memory"] = memory_per_worker
    if output_log is not None:
        conf[OUTPUT_LOG_KEY] = output_log
    return conf


def get_or_create_session(master: str | None = None, workers: int = 2, memory_per_worker: str | None = None,
                          output_log: str | None = None) -> Any:
    """The active SparkSession, or a new one for ``master`` (default ``local[workers]``).

    A session made here logs errors only, and its JVM's own output (start-up warnings, log4j, what Python
    workers print in local mode) goes to the file ``output_log`` (default: ``jhops-spark-<pid>.log`` in the
    temporary folder; ``spark.conf.get("spark.jhops.outputLog")`` says where), not to the notebook.
    ``memory_per_worker`` sets the executors' memory (see ``session_conf``); an active session keeps its own.
    ``sc://host:port`` connects to a Spark Connect server. Example: ``get_or_create_session("local[2]")``.
    """
    require_extra("spark", "the Spark executor")
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
    master = master or f"local[{workers}]"
    output_log = output_log or os.path.join(tempfile.gettempdir(), f"jhops-spark-{os.getpid()}.log")
    builder = SparkSession.builder.master(master).appName("jhops")
    for key, value in session_conf(master, memory_per_worker, output_log).items():
        builder = builder.config(key, value)
    if os.environ.get("JHOPS_SPARK_UI", "1") == "0":
        builder = builder.config("spark.ui.enabled", "false")
    # The JVM starts inside getOrCreate and keeps the output descriptors it finds: give it the log file.
    with raw_output_to(output_log):
        try:
            return builder.getOrCreate()
        except Exception as exc:
            said = tail(output_log)
            if not said:
                raise
            raise RuntimeError(f"Spark did not start: {exc}\nIts output ({output_log}) ends with:\n{said}") from exc


def _is_connect(spark: Any) -> bool:
    return "connect" in type(spark).__module__


def _task_worker(spec_blob: bytes, index: int, log_file: str | None, batches: Iterator[Any]) -> Iterator[Any]:
    """The body of every task of a worker's job; only the task holding row ``index`` serves.

    Its raw output goes to ``log_file`` where that file's folder exists on the task's host (a local master,
    or a shared file system); elsewhere it stays in the Spark executor's own log.
    """
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
    writable = log_file is not None and os.path.isdir(os.path.dirname(log_file))
    if writable:
        identity["log_file"] = log_file
    # Spark reuses Python worker processes between tasks: leave the process as it was found.
    cwd, environ = os.getcwd(), dict(os.environ)
    try:
        with raw_output_to(log_file) if writable and log_file is not None else nullcontext():
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

    With ``log_dir``, each worker's raw output goes to ``log_dir/worker-N.log`` where its task can reach
    that folder. Example::

        executor = SparkExecutor(master="local[2]", workers=2, memory_per_worker="4g")
    """

    def __init__(self, spark: Any = None, master: str | None = None, workers: int = 2,
                 memory_per_worker: str | None = None, log_dir: str | None = None) -> None:
        self.spark = spark if spark is not None else get_or_create_session(master, workers, memory_per_worker)
        self.log_dir = log_dir
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

    def log_path(self, index: int) -> str | None:
        if self.log_dir is None:
            return None
        os.makedirs(self.log_dir, exist_ok=True)
        return os.path.join(self.log_dir, f"worker-{index}.log")

    def _run_job(self, spec_blob: bytes, index: int) -> None:
        try:
            if self.connect:
                self.spark.addTag(self.group)
            else:
                self.spark.sparkContext.setJobGroup(self.group, f"jhops worker {index}", interruptOnCancel=True)
            frame = self.spark.range(0, index + 1, 1, index + 1)
            frame.mapInPandas(partial(_task_worker, spec_blob, index, self.log_path(index)), _RESULT_SCHEMA).collect()
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
