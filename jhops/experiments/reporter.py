"""The ``reporter`` a training function receives: metric history, log lines, and the stop signal."""

from __future__ import annotations

import math
import numbers
import threading
import time
from collections.abc import Mapping
from typing import Any


class TrialStopped(Exception):
    """Raised inside a trial by ``reporter.broadcast`` when the driver asked the trial to stop."""


def as_metric(value: Any, name: str) -> float:
    """``value`` as a float metric, or a ``TypeError`` that names the metric."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}: {value!r}")
    return float(value)


class Reporter:
    """Collects what a trial reports; the worker's heartbeat sends it to the driver.

    Example, inside a training function::

        def train(lr, reporter):
            for epoch in range(10):
                acc = fit_one_epoch(lr)
                reporter.broadcast(acc, step=epoch)      # or broadcast({"acc": acc, "loss": l})
                reporter.log(f"epoch {epoch}: {acc:.3f}")
            return acc
    """

    def __init__(self, stop: threading.Event | None = None, default_key: str = "metric") -> None:
        self._stop = stop or threading.Event()
        self.default_key = default_key
        self._lock = threading.Lock()
        self._points: list[tuple[str, int, float, float]] = []
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._steps: dict[str, int] = {}
        self.latest: dict[str, float] = {}

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def broadcast(self, metric: float | Mapping[str, float], step: int | None = None) -> None:
        """Record one value (or a dict of values) of the metric history at ``step``.

        Steps count up by themselves when not given. Raises ``TrialStopped`` when the driver has asked
        this trial to stop, so the function ends at its next report.
        """
        values = metric if isinstance(metric, Mapping) else {self.default_key: metric}
        now = time.time()
        with self._lock:
            for key, raw in values.items():
                value = as_metric(raw, key)
                if not math.isfinite(value):
                    self._stderr.append(f"[jhops] metric {key!r} is {value} at step {step}; not recorded\n")
                    continue
                at = step if step is not None else self._steps.get(key, -1) + 1
                self._steps[key] = at
                self._points.append((key, int(at), value, now))
                self.latest[key] = value
        if self._stop.is_set():
            raise TrialStopped("the driver asked this trial to stop")

    def log(self, message: str) -> None:
        """Add a line to the trial's log, shown live in the notebook and stored with the trial."""
        with self._lock:
            self._stdout.append(message if message.endswith("\n") else message + "\n")

    def write(self, stream: str, text: str) -> None:
        """Append raw captured output (``stream`` is ``"stdout"`` or ``"stderr"``)."""
        with self._lock:
            (self._stdout if stream == "stdout" else self._stderr).append(text)

    def drain(self) -> dict[str, Any]:
        """Everything reported since the last call, in the heartbeat's wire format."""
        with self._lock:
            updates: dict[str, Any] = {}
            if self._points:
                updates["metrics"], self._points = self._points, []
            if self._stdout:
                updates["stdout"], self._stdout = "".join(self._stdout), []
            if self._stderr:
                updates["stderr"], self._stderr = "".join(self._stderr), []
            return updates
