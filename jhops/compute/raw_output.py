"""Raw output: what a process writes to its file descriptors 1 and 2, below Python's ``sys.stdout``.

TensorFlow's and absl's C++ banners, the JVM's warnings, log4j and child processes write there, out of reach of
Python's own streams. Sent to a file, they stay in the worker's log instead of the notebook cell.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any, TextIO


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or replaced stream has nothing to flush
            stream.flush()


def _fileno(stream: object) -> int | None:
    try:
        return int(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None


@contextlib.contextmanager
def raw_output_to(path: str, fds: Sequence[int] = (1, 2), keep_python_streams: bool = False) -> Iterator[str]:
    """Append what this process (and any process it starts meanwhile) writes to ``fds`` to the file ``path``.

    A process started inside the block keeps writing to the file after it; the descriptors of this process
    are restored when the block ends. With ``keep_python_streams``, ``sys.stdout``/``sys.stderr`` still write
    where they did (progress bars, warnings), and only what is written below Python goes to the file.

    Example::

        with raw_output_to("/tmp/worker-0.log"):
            import tensorflow   # its C++ banner goes to the file
    """
    _flush()
    saved = [os.dup(fd) for fd in fds]
    kept: list[tuple[str, Any, TextIO]] = []
    try:
        with open(path, "ab") as log:
            for fd in fds:
                os.dup2(log.fileno(), fd)
        for fd, copy in zip(fds, saved, strict=True):
            name = {1: "stdout", 2: "stderr"}.get(fd)
            stream = getattr(sys, name) if keep_python_streams and name else None
            if name and stream is not None and _fileno(stream) == fd:
                encoding = getattr(stream, "encoding", None) or "utf-8"
                own: TextIO = open(os.dup(copy), "w", buffering=1, encoding=encoding,  # noqa: SIM115 - closed below
                                   errors="backslashreplace")
                kept.append((name, stream, own))
                setattr(sys, name, own)
        yield path
    finally:
        _flush()
        for name, stream, opened in kept:
            setattr(sys, name, stream)
            opened.close()
        for fd, copy in zip(fds, saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def tail(path: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file ("" when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return ""


def is_verbose(verbose: bool | None = None) -> bool:
    """``verbose`` as given, else the ``JHOPS_VERBOSE`` environment variable (``1``, ``true`` or ``yes``).

    Example: ``is_verbose(None)`` is False unless ``JHOPS_VERBOSE=1``.
    """
    if verbose is not None:
        return verbose
    return os.environ.get("JHOPS_VERBOSE", "").strip().lower() in ("1", "true", "yes")


def native_output_log() -> str:
    """The file that quiet imports send native output to: one per process, in the temporary folder.

    Example: ``native_output_log()`` is ``/tmp/jhops-native-output-4242.log`` in process 4242.
    """
    return os.path.join(tempfile.gettempdir(), f"jhops-native-output-{os.getpid()}.log")


def _goes_to_a_file(fd: int) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False


def import_quietly(name: str) -> ModuleType:
    """Import module ``name`` with what it writes below Python (TensorFlow's oneDNN and CPU-feature banners) going
    to :func:`native_output_log` instead of the notebook cell; Python's own warnings still show. Only the first
    import can print, so later ones are plain imports. ``JHOPS_VERBOSE=1`` lets the output through, and a process
    whose descriptor 2 is a file already (a worker writing to its log) keeps it there.

    Example: ``tf = import_quietly("tensorflow")`` where jhops, not the user, is the first to load TensorFlow.
    """
    if name in sys.modules or is_verbose() or _goes_to_a_file(2):
        # A worker's descriptor 2 is its log file already: the banners belong there.
        return importlib.import_module(name)
    with raw_output_to(native_output_log(), fds=(2,), keep_python_streams=True):
        return importlib.import_module(name)

