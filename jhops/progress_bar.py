"""Progress bars for long calls: a bar over the named steps of one call (an insert, a deployment's start).

``tqdm.auto`` draws it: a widget in a notebook, a text bar on a terminal. It appears only once the call has run
for ``DELAY_S`` seconds, so quick calls print nothing, and a background thread refreshes it while a long step
runs, so the elapsed time moves even when a step gives no updates of its own. ``JHOPS_PROGRESS=0`` (or
``progress=False`` where a call takes it) turns the bars off.

Example::

    with Steps("insert iceberg v1", ["validate", "write", "statistics"]) as bar:
        bar.step("validate")
        ...
        bar.step("write")
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any

#: calls shorter than this show no bar
DELAY_S = 2.0
_REFRESH_S = 0.5
_OFF = {"0", "false", "no", "off"}


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether to draw bars: ``progress`` when given, else ``$JHOPS_PROGRESS`` (on unless 0/false/no/off).

    Example: ``progress_enabled(False)`` is ``False``.
    """
    if progress is not None:
        return bool(progress)
    return os.environ.get("JHOPS_PROGRESS", "1").strip().lower() not in _OFF


class Steps:
    """A bar over the named steps of one call; ``step(name)`` ends the previous step and starts ``name``.

    Leaving the ``with`` block completes the bar (or marks it failed when an exception leaves it).
    Example: ``with Steps("start iceberg", ["launch", "load model", "ready"]) as bar: bar.step("launch")``
    """

    def __init__(self, description: str, steps: Sequence[str], *, progress: bool | None = None,
                 delay: float | None = None) -> None:
        self.description = description
        self.steps = list(steps)
        self.enabled = progress_enabled(progress) and bool(self.steps)
        # Read when the bar is made, so one setting (tests set DELAY_S = 0) reaches every long call.
        self.delay = DELAY_S if delay is None else delay
        self.current: str | None = None
        self.done = 0
        self._bar: Any = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Steps:
        if self.enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=len(self.steps), desc=self.description, unit="step", delay=self.delay,
                             leave=True, dynamic_ncols=True, bar_format="{desc}: {n}/{total} |{bar}| {elapsed}")
            self._thread = threading.Thread(target=self._refresh, name="jhops-progress", daemon=True)
            self._thread.start()
        return self

    def step(self, name: str) -> None:
        """End the step under way (if any) and start ``name``, which the bar shows beside it."""
        with self._lock:
            if self.current is not None:
                self.done += 1
                if self._bar is not None:
                    self._bar.update(1)
            self.current = name
            if self._bar is not None:
                self._bar.set_description_str(f"{self.description} ({name})", refresh=False)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is None:
            return
        with self._lock:
            shown = self._bar._time() - self._bar.start_t >= self.delay
            if kind is None:
                self._bar.set_description_str(f"{self.description} (done)", refresh=False)
                self._bar.update(len(self.steps) - self._bar.n)
            else:
                where = f" at {self.current}" if self.current else ""
                self._bar.set_description_str(f"{self.description} (failed{where})", refresh=False)
            if shown:
                self._bar.refresh()
            self._bar.close()

    def _refresh(self) -> None:
        # A step such as a Delta write gives no updates of its own: redraw so the bar appears after the delay
        # and its elapsed time moves.
        while not self._stop.wait(_REFRESH_S):
            with self._lock:
                if self._bar is not None and self._bar._time() - self._bar.start_t >= self.delay:
                    self._bar.refresh()


__all__ = ["DELAY_S", "Steps", "progress_enabled"]
