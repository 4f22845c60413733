"""The project's serving API key: every request to a model server must carry it.

It is generated once per project (``secrets.token_urlsafe``) and kept in ``<project>/serving/.api_key``, readable
only by its owner (mode 0600). Clients send it as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

Example::

    key = api_key()                                     # the default project's key
    requests.get(url + "/v2/health/ready", headers={"Authorization": f"Bearer {key}"})
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Any

from jhops.serving.store import SERVING_DIR, project_root

KEY_FILE = ".api_key"


def key_path(root: str) -> str:
    """Where the key of the project at ``root`` is kept.

    Example: ``key_path("/data/iceberg")`` -> ``"/data/iceberg/serving/.api_key"``
    """
    return os.path.join(root, SERVING_DIR, KEY_FILE)


def api_key(project: Any = None, rotate: bool = False) -> str:
    """The serving API key of ``project`` (created on first use); ``rotate=True`` makes a new one.

    Running servers keep the key they started with: restart them after a rotation.
    Example: ``headers = {"X-API-Key": api_key()}``
    """
    path = key_path(project_root(project))
    if not rotate:
        with contextlib.suppress(FileNotFoundError), open(path, encoding="ascii") as f:
            key = f.read().strip()
            if key:
                return key
    os.makedirs(os.path.dirname(path), exist_ok=True)
    key = secrets.token_urlsafe(32)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    if rotate:
        os.replace(tmp, path)
        return key
    try:
        os.link(tmp, path)  # two first uses at once: exactly one key wins, the other reads it
    except FileExistsError:
        pass
    finally:
        os.remove(tmp)
    with open(path, encoding="ascii") as f:
        return f.read().strip()
