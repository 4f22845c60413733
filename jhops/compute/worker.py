"""The long-running worker loop, the same in a local process and inside a Spark task.

A worker registers, then loops: get a task -> run it while a heartbeat thread sends its updates (the reply
may ask it to stop) -> send the final result -> next task, until the driver says DONE. The task itself is
run by a ``TaskRunner`` that the launching layer provides (``jhops.experiments`` runs trials); the worker
knows nothing of what a task means.
"""

from __future__ import annotations

import os
import pickle
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

import cloudpickle

from jhops.compute.protocol import DONE, FINAL, GET, HB, REG, STOP, TASK, WAIT, ProtocolError, WorkerChannel


class TaskRunner(Protocol):
    """What a worker runs for each task. ``run`` must not raise: failures belong in its result."""

    def run(self, task: dict[str, Any], stop: threading.Event, worker_info: dict[str, Any]) -> dict[str, Any]:
        ...

    def drain(self) -> dict[str, Any]:
        """Updates gathered since the last call (metrics, log lines), sent with the next heartbeat."""
        ...


@dataclass
class WorkerSpec:
    """Everything a worker needs, shipped to it once when it starts."""

    address: str
    secret: str
    runner: bytes
    hb_interval: float = 1.0
    call_timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)


class _Heartbeat(threading.Thread):
    def __init__(self, channel: WorkerChannel, worker_id: str, interval: float, exit_on_orphan: bool):
        super().__init__(name="jhops-heartbeat", daemon=True)
        self._channel = channel
        self._worker_id = worker_id
        self._interval = interval
        self._exit_on_orphan = exit_on_orphan
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._task_id: Any = None
        self._runner: TaskRunner | None = None
        self.stop_task = threading.Event()
        self.dismissed = threading.Event()

    def begin(self, task_id: Any, runner: TaskRunner) -> None:
        with self._lock:
            self._task_id, self._runner = task_id, runner
            self.stop_task.clear()

    def end(self) -> None:
        with self._lock:
            self._task_id, self._runner = None, None

    def halt(self) -> None:
        self._halt.set()

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            with self._lock:
                task_id, runner = self._task_id, self._runner
                updates = runner.drain() if runner is not None else {}
            try:
                reply = self._channel.call({"type": HB, "worker": self._worker_id, "task": task_id,
                                            "updates": updates})
            except ProtocolError:
                self.stop_task.set()
                self.dismissed.set()
                if self._exit_on_orphan:
                    # The driver is gone and the training code may never return: end this process.
                    os._exit(3)
                return
            if reply["type"] == STOP:
                self.stop_task.set()
            elif reply["type"] == DONE:
                self.stop_task.set()
                self.dismissed.set()
                return


def run_worker(spec: WorkerSpec, index: int, identity: dict[str, Any] | None = None,
               exit_on_orphan: bool = False) -> dict[str, Any]:
    """Serve tasks from the driver at ``spec.address`` until it says DONE; return a summary.

    Example (what a local worker process does)::

        run_worker(spec, index=0, exit_on_orphan=True)
    """
    os.environ.update(spec.env)
    runner: TaskRunner = cloudpickle.loads(spec.runner)
    worker_id = uuid.uuid4().hex[:12]
    info = {"index": index, "worker_id": worker_id, "host": socket.gethostname(), "pid": os.getpid(),
            **(identity or {})}
    channel = WorkerChannel(spec.address, spec.secret, timeout=spec.call_timeout)
    heartbeat = _Heartbeat(channel, worker_id, spec.hb_interval, exit_on_orphan)
    tasks_run = 0
    try:
        channel.call({"type": REG, "worker": worker_id, "info": info})
        heartbeat.start()
        while not heartbeat.dismissed.is_set():
            reply = channel.call({"type": GET, "worker": worker_id})
            if reply["type"] == DONE:
                break
            if reply["type"] == WAIT:
                time.sleep(min(0.2, spec.hb_interval))
                continue
            if reply["type"] != TASK:
                raise ProtocolError(f"unexpected reply to GET: {reply['type']}")
            task = reply["task"]
            heartbeat.begin(task["id"], runner)
            result = runner.run(task, heartbeat.stop_task, info)
            heartbeat.end()
            channel.call({"type": FINAL, "worker": worker_id, "task": task["id"], "result": result,
                          "updates": runner.drain()})
            tasks_run += 1
    finally:
        heartbeat.halt()
        channel.close()
    return {"index": index, "worker_id": worker_id, "tasks": tasks_run}


def main() -> None:
    """Entry point of a local worker process: reads ``(spec, index, log_file)`` pickled on standard input."""
    spec, index, log_file = pickle.loads(sys.stdin.buffer.read())
    run_worker(spec, index, identity={"kind": "process", "log_file": log_file}, exit_on_orphan=True)


if __name__ == "__main__":
    main()
