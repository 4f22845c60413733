"""Model server processes: launch one per deployment, tell whether it lives, stop it gracefully.

A server runs in its own session (``start_new_session``), so it outlives the kernel or script that started it;
any process that reads the deployment's record can stop it. Liveness checks the recorded pid is a jhops model
server for that folder, not a zombie, and not another program that got the pid later.

Example::

    proc = launch("/proj/serving/iceberg")
    alive(proc.pid)                               # True
    terminate(proc.pid, timeout=30)               # "terminated" (or "killed" after the timeout)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from jhops.serving.store import LOG_FILE

_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}  # servers this process started: polled so they get reaped
MODULE = "jhops.serving.server"


def launch(folder: str) -> subprocess.Popen[bytes]:
    """Start the model server of the deployment in ``folder``; its output goes to ``server.log`` there.

    Example: ``launch("/proj/serving/iceberg").pid``
    """
    with open(os.path.join(folder, LOG_FILE), "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting\n".encode())
        log.flush()
        proc = subprocess.Popen([sys.executable, "-m", MODULE, folder], stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, cwd=folder, start_new_session=True, close_fds=True)
    _CHILDREN[proc.pid] = proc
    return proc


def exit_code(pid: int) -> int | None:
    """The exit status of a server this process started and that has exited, else None.

    Example: ``exit_code(proc.pid)`` -> ``1`` after a model that failed to load
    """
    proc = _CHILDREN.get(pid)
    return proc.poll() if proc is not None else None


def alive(pid: int | None, folder: str | None = None) -> bool:
    """Whether ``pid`` is a running model server (of ``folder``, when given).

    Example: ``alive(record["pid"], "/proj/serving/iceberg")``
    """
    if not pid:
        return False
    proc = _CHILDREN.get(pid)
    if proc is not None and proc.poll() is not None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            if f.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                return False
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no /proc (macOS): the signal check is all there is
    if MODULE.encode() not in argv:
        return False
    return folder is None or os.fsencode(folder) in argv


def wait_exit(pid: int, timeout: float, folder: str | None = None) -> bool:
    """Wait up to ``timeout`` seconds for the server ``pid`` to end; whether it did.

    Example: ``wait_exit(pid, 10.0)`` -> ``True``
    """
    deadline = time.monotonic() + timeout
    while alive(pid, folder):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def terminate(pid: int, timeout: float = 30.0, folder: str | None = None) -> str:
    """SIGTERM (a graceful stop), then SIGKILL after ``timeout`` s: ``"terminated"``, ``"killed"`` or ``"gone"``.

    Example: ``terminate(pid, 30.0)`` -> ``"terminated"``
    """
    if not alive(pid, folder):
        return "gone"
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_exit(pid, timeout, folder):
        return "terminated"
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_exit(pid, 10.0, folder)
    return "killed"


def log_tail(folder: str, lines: int = 40) -> str:
    """The last ``lines`` lines of the deployment's ``server.log``.

    Example: ``print(log_tail("/proj/serving/iceberg", 20))``
    """
    try:
        with open(os.path.join(folder, LOG_FILE), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
