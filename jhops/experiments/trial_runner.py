"""Running one trial inside a worker: inject the parameters, capture output, collect metrics and artifacts."""

from __future__ import annotations

import contextlib
import numbers
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import fsspec

from jhops.experiments import context
from jhops.experiments.arguments import call_kwargs
from jhops.experiments.hparams import write_hparams
from jhops.experiments.reporter import Reporter, TrialStopped

FINISHED, STOPPED, FAILED = "finished", "stopped", "failed"


class _Capture:
    """A text stream that copies writes into the reporter and, with ``echo``, on to the original stream."""

    def __init__(self, reporter: Reporter, stream: str, original: TextIO, echo: bool) -> None:
        self._reporter, self._stream, self._original, self._echo = reporter, stream, original, echo

    def write(self, text: str) -> int:
        self._reporter.write(self._stream, text)
        if self._echo:
            # The original stream may be closed in a Spark task; the reporter still has the text.
            with contextlib.suppress(OSError, ValueError):
                self._original.write(text)
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._original.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


def split_result(value: Any, default_key: str, folder: str) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Split a training function's return value into metrics, other outputs and artifact files.

    Numbers are metrics; paths of existing files or folders are artifacts (copied into ``folder`` when
    they are outside it); anything else is kept as its ``repr`` in outputs.
    Example: ``split_result({"acc": 0.9, "model": "m.keras"}, "metric", "/t")``.
    """
    metrics: dict[str, float] = {}
    outputs: dict[str, str] = {}
    artifacts: list[str] = []
    if value is None:
        return metrics, outputs, artifacts
    items = value.items() if isinstance(value, Mapping) else [(default_key, value)]
    for key, item in items:
        key = str(key)
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            metrics[key] = float(item)
        elif isinstance(item, (str, os.PathLike)) and os.path.exists(os.fspath(item)):
            path = os.path.abspath(os.fspath(item))
            if os.path.commonpath([path, os.path.abspath(folder)]) != os.path.abspath(folder):
                target = os.path.join(folder, os.path.basename(path))
                if os.path.isdir(path):
                    shutil.copytree(path, target, dirs_exist_ok=True)
                else:
                    shutil.copy2(path, target)
                path = target
            artifacts.append(os.path.relpath(path, folder))
        else:
            outputs[key] = repr(item)[:2000]
    return metrics, outputs, artifacts


def list_files(folder: str) -> list[str]:
    """Every file under ``folder``, as sorted relative paths."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            found.append(os.path.relpath(os.path.join(root, name), folder))
    return sorted(found)


@dataclass
class TrialRunner:
    """The task runner that ``jhops.compute`` workers call for each trial of an experiment.

    It travels to the workers pickled (with the training function) once, when they start.
    """

    fn: Callable[..., Any]
    project_url: str
    project_is_local: bool
    experiment_id: int
    default_key: str = "metric"
    _reporter: Reporter | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_reporter"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def drain(self) -> dict[str, Any]:
        with self._lock:
            return self._reporter.drain() if self._reporter is not None else {}

    def _local_folder(self, relative: str) -> str:
        if self.project_is_local:
            folder = os.path.join(self.project_url, relative)
        else:
            folder = tempfile.mkdtemp(prefix="jhops-trial-")
        os.makedirs(folder, exist_ok=True)
        return folder

    def _fetch_checkpoint(self, relative: str | None) -> str | None:
        """A local folder for the configuration's checkpoints; from a remote project, what earlier runs saved."""
        if relative is None:
            return None
        if self.project_is_local:
            return os.path.join(self.project_url, relative)
        local = tempfile.mkdtemp(prefix="jhops-checkpoint-")
        fs, root = fsspec.core.url_to_fs(self.project_url)
        if fs.exists(f"{root}/{relative}"):
            fs.get(f"{root}/{relative}/", local + "/", recursive=True)
        return local

    def _store_checkpoint(self, local: str | None, relative: str | None) -> None:
        if local is None or relative is None or self.project_is_local:
            return
        if os.path.isdir(local) and os.listdir(local):
            fs, root = fsspec.core.url_to_fs(self.project_url)
            fs.put(local + "/", f"{root}/{relative}", recursive=True)
        shutil.rmtree(local, ignore_errors=True)

    def run(self, task: dict[str, Any], stop: threading.Event, worker_info: dict[str, Any]) -> dict[str, Any]:
        folder = self._local_folder(task["folder"])
        checkpoint = self._fetch_checkpoint(task.get("checkpoint"))
        reporter = Reporter(stop, self.default_key)
        with self._lock:
            self._reporter = reporter
        context.set_current(context.TrialContext(self.experiment_id, task["id"], task["number"], folder, reporter,
                                                 checkpoint))
        saved = sys.stdout, sys.stderr, os.getcwd()
        # Copied to the worker's log file too; a Spark task without one would write to the Spark executor's
        # console, in local mode the notebook's, where it would only repeat what the driver records and shows.
        echo = worker_info.get("kind") != "spark-task" or bool(worker_info.get("log_file"))
        sys.stdout = _Capture(reporter, "stdout", sys.stdout, echo)
        sys.stderr = _Capture(reporter, "stderr", sys.stderr, echo)
        status, value, error = FINISHED, None, None
        try:
            os.chdir(folder)
            value = self.fn(**call_kwargs(self.fn, task["params"], reporter))
        except TrialStopped:
            status = STOPPED
        except BaseException:  # a trial's failure, even SystemExit, is recorded, never fatal to the worker
            status, error = FAILED, traceback.format_exc()
            reporter.write("stderr", error)
        finally:
            sys.stdout, sys.stderr = saved[0], saved[1]
            os.chdir(saved[2])
            context.set_current(None)
        try:
            metrics, outputs, _ = split_result(value, self.default_key, folder)
        except Exception:  # a return value that cannot be split fails the trial, not the worker
            status, error = FAILED, traceback.format_exc()
            metrics, outputs = {}, {}
        # A function that reported but returned nothing ends with the last value of each metric.
        for key, last in reporter.latest.items():
            metrics.setdefault(key, last)
        if status != FAILED:
            write_hparams(os.path.join(folder, "tensorboard"), task["params"], metrics)
        self._store_checkpoint(checkpoint, task.get("checkpoint"))
        artifacts = list_files(folder)
        if not self.project_is_local and artifacts:
            fs, root = fsspec.core.url_to_fs(self.project_url)
            fs.put(folder + "/", f"{root}/{task['folder']}", recursive=True)
            shutil.rmtree(folder, ignore_errors=True)
        return {"status": status, "metrics": metrics, "outputs": outputs, "artifacts": artifacts, "error": error}
