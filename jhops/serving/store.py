"""Deployment records as files: ``<project>/serving/<name>/deployment.json``, written atomically, under a lock.

Files rather than the metadata database, so a model server process and any notebook or script find a
deployment by name with nothing but the project folder, and a record survives a kernel restart.

Example::

    folder = deployment_dir(project_root(None), "iceberg")
    with locked(folder):
        record = read_record(folder)
        write_record(folder, {**record, "state": "STOPPED"})
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any

from jhops.serving.errors import DeploymentNotFoundError, ServingError

SERVING_DIR = "serving"
RECORD_FILE = "deployment.json"
LOG_FILE = "server.log"
INFERENCE_LOG_DIR = "inference_log"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


def check_name(name: str) -> str:
    """``name`` if it is a valid deployment name: lower-case letters, digits and ``-``, starting with a letter.

    The rule is Kubernetes' (DNS-1035), so the same name works as a KServe InferenceService.
    Example: ``check_name("iceberg-cnn")`` -> ``"iceberg-cnn"``
    """
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith("-"):
        raise ServingError(f"deployment name {name!r} is not valid: use lower-case letters, digits and '-', "
                           "start with a letter, at most 63 characters (e.g. 'iceberg-cnn')")
    return name


def project_root(project: Any = None) -> str:
    """The local folder of ``project``: a ``Project``, a path, or None for ``$JHOPS_PROJECT`` / ``./jhops-project``.

    Example: ``project_root("/data/iceberg")`` -> ``"/data/iceberg"``
    """
    from jhops.project import DEFAULT_ROOT, Project

    if isinstance(project, Project):
        if not project.is_local:
            raise ServingError(f"the project {project.url!r} is not on the local disk; the embedded model server "
                               "needs a local project folder (or export the deployment with export_kserve)")
        return project.path
    root = os.fspath(project) if project is not None else os.environ.get("JHOPS_PROJECT", DEFAULT_ROOT)
    if "://" in root and not root.startswith("file://"):
        raise ServingError(f"the project {root!r} is not on the local disk; the embedded model server needs a "
                           "local project folder")
    return os.path.abspath(root.removeprefix("file://"))


def deployment_dir(root: str, name: str) -> str:
    """The folder of deployment ``name`` in the project at ``root``.

    Example: ``deployment_dir("/proj", "iceberg")`` -> ``"/proj/serving/iceberg"``
    """
    return os.path.join(root, SERVING_DIR, check_name(name))


def list_names(root: str) -> list[str]:
    """The names of the deployments recorded in the project at ``root``, sorted.

    Example: ``list_names("/proj")`` -> ``["iceberg", "iris"]``
    """
    base = os.path.join(root, SERVING_DIR)
    if not os.path.isdir(base):
        return []
    return sorted(n for n in os.listdir(base) if os.path.isfile(os.path.join(base, n, RECORD_FILE)))


def read_record(folder: str) -> dict[str, Any]:
    """The record in ``folder``; ``DeploymentNotFoundError`` if there is none.

    Example: ``read_record("/proj/serving/iceberg")["state"]`` -> ``"RUNNING"``
    """
    try:
        with open(os.path.join(folder, RECORD_FILE), encoding="utf-8") as f:
            record: dict[str, Any] = json.load(f)
    except FileNotFoundError:
        name = os.path.basename(folder)
        raise DeploymentNotFoundError(
            f"no deployment named {name!r} in the project {os.path.dirname(os.path.dirname(folder))}; create it "
            f"with jhops.serving.create_or_update({name!r}, model_name=...)") from None
    return record


def write_record(folder: str, record: dict[str, Any]) -> None:
    """Write ``record`` as ``deployment.json``: a temp file, fsync, then ``os.replace``; readers never see half.

    Example: ``write_record(folder, {**read_record(folder), "state": "STOPPED"})``
    """
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".deployment-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(folder, RECORD_FILE))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def locked(folder: str) -> Iterator[None]:
    """Hold the deployment's lock file: one process at a time changes its state (start, stop, the server itself).

    Example: ``with locked(folder): write_record(folder, record)``
    """
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_record(folder: str, **changes: Any) -> dict[str, Any]:
    """Read, change and write the record under the lock; returns the new record.

    Example: ``update_record(folder, state="STOPPED", pid=None)``
    """
    with locked(folder):
        record = {**read_record(folder), **changes}
        write_record(folder, record)
    return record
