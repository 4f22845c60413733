"""Workers as local processes of the same Python environment."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from typing import IO

from jhops.compute.executor import Executor, WorkerExit
from jhops.compute.memory import MemoryLimit
from jhops.compute.raw_output import tail
from jhops.compute.worker import WorkerSpec


class LocalExecutor(Executor):
    """Each worker is a Python process running ``jhops.compute.worker.main``; its raw output goes to ``log_dir``.

    With ``memory_per_worker`` (``"2g"``), a worker whose resident memory (with its child processes) goes over
    it is ended, and ``poll`` says so: ``"worker 0 used 2.3 GB, over memory_per_worker=2g"``.

    Example::

        executor = LocalExecutor(log_dir="/tmp/logs", memory_per_worker="4g")
        executor.start_worker(spec, 0)
    """

    name = "local"

    def __init__(self, log_dir: str | None = None, memory_per_worker: str | None = None) -> None:
        #: where each worker's raw output goes; a temporary folder unless set before the first worker starts
        self.log_dir = log_dir
        self.memory_limit = MemoryLimit.parse(memory_per_worker) if memory_per_worker else None
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._logs: dict[int, IO[bytes]] = {}

    def driver_host(self) -> str:
        return "127.0.0.1"

    def log_path(self, index: int) -> str:
        if self.log_dir is None:
            self.log_dir = tempfile.mkdtemp(prefix="jhops-workers-")
        os.makedirs(self.log_dir, exist_ok=True)
        return os.path.join(self.log_dir, f"worker-{index}.log")

    def start_worker(self, spec: WorkerSpec, index: int) -> None:
        path = self.log_path(index)
        log = open(path, "ab")  # noqa: SIM115 - closed in poll()/stop()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from jhops.compute.worker import main; main()"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **spec.env},
            # Its own process group, so an interrupt in the notebook reaches the driver, not the workers.
            start_new_session=True,
        )
        assert proc.stdin is not None
        # The secret travels on a pipe, never on the command line where `ps` would show it.
        proc.stdin.write(pickle.dumps((spec, index, path)))
        proc.stdin.close()
        self._procs[index] = proc
        self._logs[index] = log

    def _over_memory(self, index: int, proc: subprocess.Popen[bytes]) -> str | None:
        """End a worker that uses more than its memory; the reason, when it did."""
        reason = self.memory_limit.check(index, proc.pid) if self.memory_limit is not None else None
        if reason is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own process group: the worker and its children
            proc.wait()
        return reason

    def poll(self) -> list[WorkerExit]:
        ended = []
        for index, proc in list(self._procs.items()):
            over = self._over_memory(index, proc) if proc.poll() is None else None
            if over is not None:
                del self._procs[index]
                self._logs.pop(index).close()
                ended.append(WorkerExit(index, over, retry=False))
                continue
            code = proc.poll()
            if code is None:
                continue
            del self._procs[index]
            self._logs.pop(index).close()
            if code == 0:
                ended.append(WorkerExit(index, "exited"))
            else:
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                said = tail(self.log_path(index))
                ended.append(WorkerExit(index, f"worker process died ({how})" + (f":\n{said}" if said else "")))
        return ended

    def stop(self, timeout: float = 5.0) -> None:
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.send_signal(signal.SIGCONT)  # a stopped process handles SIGTERM only once resumed
        deadline = time.monotonic() + timeout
        for proc in self._procs.values():
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self._logs.values():
            log.close()
        self._procs.clear()
        self._logs.clear()
