"""What every executor provides: start workers, report the ones that ended, stop them all."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass

from jhops.compute.worker import WorkerSpec


@dataclass
class WorkerExit:
    """A worker whose process or task ended, with why when it is known.

    ``retry`` is False when running its task again elsewhere would end the same way (it used too much memory).
    """

    index: int
    reason: str
    retry: bool = True


def thread_budget(workers: int, cores: int | None = None) -> dict[str, str]:
    """Environment that caps each worker's math-library threads to its share of the cores.

    Two TensorFlow processes left to size their own pools fight over the cores; a fixed share each
    scales better. Example: ``thread_budget(2, cores=8)["TF_NUM_INTRAOP_THREADS"] == "4"``.
    """
    share = max(1, (cores or os.cpu_count() or 1) // max(1, workers))
    return {
        "OMP_NUM_THREADS": str(share),
        "TF_NUM_INTRAOP_THREADS": str(share),
        "TF_NUM_INTEROP_THREADS": "1" if share < 4 else "2",
        "JHOPS_THREAD_BUDGET": str(share),
    }


class Executor(ABC):
    """Runs workers somewhere: local processes, Spark tasks, a remote cluster."""

    #: a short name for records, e.g. ``"local"`` or ``"spark(local[2])"``
    name: str = "executor"
    #: a folder for each worker's raw output (``worker-N.log``: C libraries, TensorFlow's banners), where the
    #: executor's workers can write to it; None: the executor's own place
    log_dir: str | None = None

    @abstractmethod
    def driver_host(self) -> str:
        """The address the driver must bind so that this executor's workers can reach it."""

    @abstractmethod
    def start_worker(self, spec: WorkerSpec, index: int) -> None:
        """Start one long-running worker; it registers with the driver by itself."""

    @abstractmethod
    def poll(self) -> list[WorkerExit]:
        """Workers that ended since the last call."""

    @abstractmethod
    def stop(self, timeout: float = 5.0) -> None:
        """End every worker still running, waiting up to ``timeout`` seconds for a clean exit."""
