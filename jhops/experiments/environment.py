"""The environment an experiment ran in, recorded with it so that results can be reproduced."""

from __future__ import annotations

import getpass
import platform
import socket
import sys
from importlib import metadata
from typing import Any

PACKAGES = ("jhops", "numpy", "pandas", "pyspark", "tensorflow", "tensorflow-cpu", "keras", "torch",
            "scikit-learn", "cloudpickle", "pyzmq", "sqlalchemy")


def capture() -> dict[str, Any]:
    """Python version, platform, host, user and the versions of the ML packages that are installed.

    Example: ``capture()["packages"]["numpy"]`` is the installed numpy version.
    """
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "user": user,
        "executable": sys.executable,
        "packages": packages,
    }
