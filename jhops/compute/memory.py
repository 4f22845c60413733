"""Memory per worker: sizes such as ``2g``, a process's resident memory, and the limit a worker must stay under.

A local worker's limit is watched from outside, on its resident memory: an address-space limit (``RLIMIT_AS``)
would break TensorFlow and the JVM, which reserve far more address space than they ever use.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_SIZE = re.compile(r"^([1-9][0-9]*)([mMgG])$")
_UNITS = {"m": 2**20, "g": 2**30}


def parse_size(text: str) -> int:
    """Bytes in a size written as Spark writes them, in mebibytes or gibibytes. Example: ``parse_size("2g")``."""
    match = _SIZE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"memory per worker must look like 512m or 4g, got {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def format_size(size: int) -> str:
    """A size for people: ``"2.3 GB"``, ``"612 MB"``."""
    return f"{size / 2**30:.1f} GB" if size >= 2**30 else f"{size / 2**20:.0f} MB"


def _linux_resident(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants, from /proc."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue  # it ended while we looked
    return total


def resident_bytes(pid: int) -> int | None:
    """Resident memory of a process and its children, or None when it cannot be read here.

    Uses psutil when it is installed, else /proc (Linux). Example: ``resident_bytes(os.getpid())``.
    """
    try:
        import psutil
    except ImportError:
        return _linux_resident(pid) if os.path.isdir(f"/proc/{pid}") else None
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.Error:
        return None
    total = 0
    for each in processes:
        try:
            total += each.memory_info().rss
        except psutil.Error:
            continue
    return total


@dataclass(frozen=True)
class MemoryLimit:
    """The memory a worker may use, as the user wrote it (``"2g"``) and in bytes.

    Example::

        limit = MemoryLimit.parse("2g")
        limit.check(0, pid)   # None, or "worker 0 used 2.3 GB, over memory_per_worker=2g"
    """

    text: str
    bytes: int

    @classmethod
    def parse(cls, text: str) -> MemoryLimit:
        return cls(text, parse_size(text))

    def check(self, index: int, pid: int) -> str | None:
        """Why worker ``index`` (process ``pid``) must end, or None while it stays under the limit."""
        used = resident_bytes(pid)
        if used is None or used <= self.bytes:
            return None
        return f"worker {index} used {format_size(used)}, over memory_per_worker={self.text}"
