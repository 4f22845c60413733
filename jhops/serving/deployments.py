"""Deployments: a registered model version served by a local model server process, found again by name.

A deployment is a record in ``<project>/serving/<name>/deployment.json`` (its config and lifecycle state) with
the server's ``server.log`` and its ``inference_log/`` beside it. States: CREATED, STARTING, RUNNING, STOPPED,
FAILED. A record that says STARTING or RUNNING whose server process is gone reads as FAILED.

Example::

    from jhops import serving
    serving.create_or_update("iceberg", model_name="iceberg-cnn", batching=True)
    serving.start("iceberg")
    serving.predict("iceberg", chips)               # a V2 binary request; an array of probabilities
    serving.stop("iceberg")
"""

from __future__ import annotations

import builtins
import os
import shutil
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from jhops.progress_bar import Steps
from jhops.serving import process
from jhops.serving.api_key import api_key
from jhops.serving.batching import BatchingConfig
from jhops.serving.client import ModelClient
from jhops.serving.errors import DeploymentStartError, ServingError
from jhops.serving.inference_log import check_mode, read_log
from jhops.serving.model_source import DEFAULT_LOADER, resolve_model, resolve_runtime
from jhops.serving.store import (
    INFERENCE_LOG_DIR,
    deployment_dir,
    list_names,
    locked,
    project_root,
    read_record,
    write_record,
)

STATES = ("CREATED", "STARTING", "RUNNING", "STOPPED", "FAILED")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
FLUSH_TIMEOUT_S = 5.0
"""How long a reader of the inference log waits for a running server to write what it has answered."""
START_STEPS = ("launch", "load model", "ready")


@dataclass(frozen=True)
class DeploymentStatus:
    """Where a deployment stands: its state, where it listens, what it serves, and why it failed."""

    name: str
    state: str
    url: str | None
    port: int | None
    pid: int | None
    model_name: str
    model_version: int | None
    error: str | None = None
    log_tail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict."""
        return asdict(self)


def _status(folder: str, record: Mapping[str, Any]) -> DeploymentStatus:
    state, pid, error = record.get("state", "CREATED"), record.get("pid"), record.get("error")
    if state in ("STARTING", "RUNNING") and not process.alive(pid, folder):
        state = "FAILED"
        code = process.exit_code(pid) if pid else None
        error = error or (f"the model server (pid {pid}) is gone" + (f": it exited with status {code}"
                                                                      if code is not None else "")
                          + "; see the log tail, then start it again")
    running = state in ("STARTING", "RUNNING")
    return DeploymentStatus(
        name=record["name"], state=state, url=record.get("url") if running else None,
        port=record.get("port") if running else None, pid=pid if running else None,
        model_name=record["model_name"], model_version=record.get("model_version"), error=error,
        log_tail=process.log_tail(folder) if state == "FAILED" else None)


class Deployment:
    """One deployment of a project, read from its record on each access (other processes may change it).

    Example::

        d = get_deployment("iceberg")
        d.start(); d.predict([[...]]); d.status().state      # 'RUNNING'
    """

    def __init__(self, root: str, name: str) -> None:
        self.root = root
        self.name = name
        self.folder = deployment_dir(root, name)
        read_record(self.folder)  # fails now, with the way to create it, if there is none

    @property
    def record(self) -> dict[str, Any]:
        """The deployment's ``deployment.json``, as now on disk."""
        return read_record(self.folder)

    model_name = property(lambda self: str(self.record["model_name"]))
    model_version = property(lambda self: self.record.get("model_version"))
    framework = property(lambda self: str(self.record["framework"]))
    runtime = property(lambda self: str(self.record["runtime"]))
    inference_logging = property(lambda self: str(self.record["inference_logging"]))
    batching = property(lambda self: BatchingConfig(**self.record["batching"]))

    @property
    def url(self) -> str | None:
        """The server's base URL while it runs (``http://127.0.0.1:<port>``), else None."""
        return self.status().url

    @property
    def api_key(self) -> str:
        """The API key every request to this deployment needs (the project's key)."""
        return api_key(self.root)

    @property
    def inference_log_path(self) -> str:
        """The folder of the Parquet inference log (readable with pyarrow, DuckDB or Spark)."""
        return os.path.join(self.folder, INFERENCE_LOG_DIR)

    def status(self) -> DeploymentStatus:
        """The current state (a dead server reads FAILED, never RUNNING)."""
        return _status(self.folder, self.record)

    def start(self, timeout: float = START_TIMEOUT_S, progress: bool | None = None) -> DeploymentStatus:
        """Start the server (a no-op when it runs) and wait until it answers ``/v2/health/ready``.

        A start that takes more than two seconds shows a progress bar over its steps (launch, load model, ready);
        ``progress=False`` (or ``JHOPS_PROGRESS=0``) turns it off. Raises ``DeploymentStartError`` with the server
        log's tail when it fails or is not ready in ``timeout`` s.
        Example: ``get_deployment("iceberg").start(progress=False).state`` -> ``"RUNNING"``
        """
        with Steps(f"start {self.name}", START_STEPS, progress=progress) as bar:
            bar.step("launch")
            with locked(self.folder):
                record = read_record(self.folder)
                pid: int = record.get("pid") or 0
                if not (record.get("state") in ("STARTING", "RUNNING") and process.alive(pid, self.folder)):
                    pid = process.launch(self.folder).pid
                    write_record(self.folder, {**record, "state": "STARTING", "pid": pid, "error": None,
                                               "url": None, "started": None})
            return self._wait_ready(pid, timeout, bar)

    def _fail(self, pid: int, message: str) -> DeploymentStartError:
        with locked(self.folder):
            record = read_record(self.folder)
            if record.get("pid") == pid:
                write_record(self.folder, {**record, "state": "FAILED", "pid": None, "error": message})
        tail = process.log_tail(self.folder)
        return DeploymentStartError(f"deployment {self.name!r}: {message}\n--- server log (tail) ---\n{tail}", tail)

    def _wait_ready(self, pid: int, timeout: float, bar: Steps) -> DeploymentStatus:
        deadline = time.monotonic() + timeout
        bar.step("load model")  # the server records itself RUNNING once its model is loaded and it listens
        while True:
            record = read_record(self.folder)
            if record.get("state") == "FAILED" and record.get("pid") in (None, pid):
                raise self._fail(pid, record.get("error") or "the model server failed")
            if not process.alive(pid, self.folder):
                code = process.exit_code(pid)
                raise self._fail(pid, "the model server exited before it was ready"
                                 + (f" (status {code})" if code is not None else ""))
            if record.get("state") == "RUNNING" and record.get("pid") == pid:
                if bar.current != "ready":
                    bar.step("ready")
                if ModelClient(record["url"], self.name, self.api_key, timeout=5).get("/v2/health/ready") == 200:
                    return self.status()
            if time.monotonic() > deadline:
                process.terminate(pid, 5.0, self.folder)
                raise self._fail(pid, f"the model server was not ready within {timeout:g} s (killed); load the "
                                      "model in a notebook to see how long it takes, or pass a longer timeout")
            time.sleep(0.05)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> DeploymentStatus:
        """Stop the server gracefully (SIGTERM: in-flight requests finish, the log is flushed); SIGKILL after
        ``timeout`` s."""
        pid = self.record.get("pid")
        outcome = process.terminate(pid, timeout, self.folder) if pid else "gone"
        changes: dict[str, Any] = {"state": "STOPPED", "pid": None, "url": None, "stopped": time.time()}
        if outcome == "killed":
            changes["error"] = f"killed after not stopping within {timeout:g} s; the last second of the " \
                               "inference log may be lost"
        with locked(self.folder):
            record = read_record(self.folder)
            if record.get("pid") in (None, pid):
                write_record(self.folder, {**record, **changes})
        return self.status()

    def delete(self) -> None:
        """Stop the server and remove the deployment with its logs."""
        self.stop()
        shutil.rmtree(self.folder)

    def predict(self, instances: Any) -> Any:
        """Predictions from the running server: a numeric array goes as a V2 binary tensor and comes back as an
        array; anything else (lists, dicts) goes as V1 JSON and comes back as the ``predictions`` list."""
        status = self.status()
        if status.state != "RUNNING" or status.url is None:
            raise ServingError(f"deployment {self.name!r} is {status.state}, not RUNNING: start it with "
                               f"jhops.serving.start({self.name!r})")
        client = _client(status.url, self.name, self.api_key)
        if isinstance(instances, np.ndarray) and instances.dtype.kind in "biuf":
            return client.infer(instances)
        return client.predict(instances)

    def flush_inference_log(self, timeout: float | None = None) -> bool:
        """Have the running server write every request it has answered to the inference log, waiting up to
        ``timeout`` s (``FLUSH_TIMEOUT_S``, 5, when None); whether the log now holds them all.

        True at once when there is nothing to write: the server is not running (a graceful stop wrote it all) or
        logs nothing. False when a running server does not confirm in time (overloaded, hung, or a server of an
        older jhops): the log may then lack the requests of its last flush interval.
        Example: ``d.predict(x); d.flush_inference_log(); len(d.read_inference_log())``
        """
        record = self.record
        status = _status(self.folder, record)
        if status.state != "RUNNING" or status.url is None or record.get("inference_logging") == "NONE":
            return True
        wait = FLUSH_TIMEOUT_S if timeout is None else timeout
        # A client of its own: the pooled one's timeout suits predictions, not this short, bounded wait.
        client = ModelClient(status.url, self.name, self.api_key, timeout=wait + 1.0)
        try:
            return client.flush_inference_log(wait)
        finally:
            client.close()

    def read_inference_log(self, per_instance: bool = False) -> Any:
        """The inference log as a pandas DataFrame (see ``read_inference_log``), with every request a running
        server has answered (it is asked to write them first; a ``RuntimeWarning`` says when it did not confirm).
        """
        if not self.flush_inference_log():
            warnings.warn(unflushed_message(self.name), RuntimeWarning, stacklevel=2)
        return read_log(self.inference_log_path, per_instance=per_instance)

    def export_kserve(self, path: str | None = None, **options: Any) -> dict[str, Any]:
        """The KServe InferenceService manifest of this deployment (see ``jhops.serving.export_kserve``)."""
        from jhops.serving.kserve import inference_service, write_yaml

        manifest = inference_service(self.record, **options)
        if path is not None:
            write_yaml(manifest, path)
        return manifest

    def __repr__(self) -> str:
        status = self.status()
        return (f"Deployment({self.name!r}, model={status.model_name!r} v{status.model_version}, "
                f"state={status.state}, url={status.url})")


def unflushed_message(name: str) -> str:
    """What a reader of deployment ``name``'s log is told when its running server did not confirm a flush.

    Example: ``warnings.warn(unflushed_message("iceberg"), RuntimeWarning)``
    """
    return (f"the model server of {name!r} did not confirm within {FLUSH_TIMEOUT_S:g} s that it wrote its latest "
            "requests to the inference log (overloaded or hung?): the requests of about its last second may be "
            f"missing; serving.status({name!r}) and its server.log tell more")


_CLIENTS: dict[tuple[str, str, str], ModelClient] = {}


def _client(url: str, name: str, key: str) -> ModelClient:
    # One pooled client per server, so repeated predict calls reuse their keep-alive connections.
    client = _CLIENTS.get((url, name, key))
    if client is None:
        client = _CLIENTS[(url, name, key)] = ModelClient(url, name, key)
    return client


def create_or_update(name: str, model_name: str, model_version: int | None = None, runtime: str = "auto",
                     instances: int = 1, batching: bool | Mapping[str, Any] = False,
                     inference_logging: str = "ALL", project: Any = None,
                     predictor_loader: str | None = None) -> Deployment:
    """Create the deployment ``name`` of a registered model, or update its config (a running one restarts).

    ``model_version`` None takes the latest version now. ``runtime`` is ``"auto"`` or the framework's KServe
    runtime (``tensorflow``, ``sklearn``, ``pytorch``, ``onnx``, ``python``). ``batching``: False, True (32
    instances, 5 ms) or ``{"max_batch_size": 32, "max_latency_ms": 5}``. ``inference_logging``: ``ALL``,
    ``MODEL_INPUTS``, ``PREDICTIONS`` or ``NONE``. ``instances`` must be 1: the embedded server is one process
    with one predictor thread and a batcher; scale out with ``export_kserve(name, replicas=N)``.
    ``predictor_loader`` names another ``"module:function"`` to load the model folder (default: the registry's
    ``load_predictor``).

    Example::

        d = create_or_update("iceberg", "iceberg-cnn", batching={"max_batch_size": 16, "max_latency_ms": 2})
    """
    if not isinstance(instances, int) or isinstance(instances, bool) or instances < 1:
        raise ServingError(f"instances must be a positive integer, got {instances!r}")
    if instances > 1:
        raise ServingError(f"instances={instances}: the embedded model server runs one process per deployment "
                           "(batching makes the most of it); for several replicas deploy on KServe with "
                           f"export_kserve({name!r}, replicas={instances})")
    root = project_root(project)
    folder = deployment_dir(root, name)
    model = resolve_model(model_name, model_version, project if project is not None else root)
    config = {
        "name": name,
        "project": root,
        "model_name": model.name,
        "model_version": model.version,
        "model_path": os.path.abspath(model.path),
        "framework": model.framework,
        "signature": model.signature,
        "runtime": resolve_runtime(runtime, model.framework),
        "instances": instances,
        "batching": BatchingConfig.parse(batching).to_json(),
        "inference_logging": check_mode(inference_logging),
        "loader": predictor_loader or DEFAULT_LOADER,
    }
    api_key(root)  # the key exists before any server needs it
    with locked(folder):
        try:
            existing: dict[str, Any] | None = read_record(folder)
        except LookupError:
            existing = None
        now = time.time()
        base = existing or {"state": "CREATED", "pid": None, "port": None, "url": None, "error": None,
                            "created": now, "started": None, "stopped": None}
        write_record(folder, {**base, **config, "updated": now})
    deployment = Deployment(root, name)
    if existing is not None and _status(folder, existing).state in ("STARTING", "RUNNING"):
        deployment.stop()
        deployment.start()
    return deployment


def get_deployment(name: str, project: Any = None) -> Deployment:
    """The deployment ``name`` of ``project`` (``DeploymentNotFoundError`` if there is none).

    Example: ``get_deployment("iceberg").status().state``
    """
    return Deployment(project_root(project), name)


def start(name: str, project: Any = None, timeout: float = START_TIMEOUT_S,
          progress: bool | None = None) -> DeploymentStatus:
    """Start deployment ``name``'s server and wait until it is ready (a progress bar when it takes a while;
    ``progress=False`` for none).

    Example: ``start("iceberg").url`` -> ``"http://127.0.0.1:41235"``
    """
    return get_deployment(name, project).start(timeout, progress=progress)


def stop(name: str, project: Any = None, timeout: float = STOP_TIMEOUT_S) -> DeploymentStatus:
    """Stop deployment ``name``'s server gracefully.

    Example: ``stop("iceberg").state`` -> ``"STOPPED"``
    """
    return get_deployment(name, project).stop(timeout)


def status(name: str, project: Any = None) -> DeploymentStatus:
    """The state of deployment ``name``: state, url, port, pid, model and version, error and log tail.

    Example: ``status("iceberg").state`` -> ``"RUNNING"``
    """
    return get_deployment(name, project).status()


def delete(name: str, project: Any = None) -> None:
    """Stop deployment ``name`` and remove it with its logs.

    Example: ``delete("iceberg")``
    """
    get_deployment(name, project).delete()


def list_deployments(project: Any = None) -> builtins.list[DeploymentStatus]:
    """The status of every deployment of ``project``, by name.

    Example: ``[d.name for d in list_deployments()]`` -> ``["iceberg"]``
    """
    root = project_root(project)
    return [_status(deployment_dir(root, n), read_record(deployment_dir(root, n))) for n in list_names(root)]


def predict(name: str, instances: Any, project: Any = None) -> Any:
    """Predictions of deployment ``name`` over HTTP (see ``Deployment.predict``).

    Example: ``predict("iris", [[5.1, 3.5, 1.4, 0.2]])`` -> ``[0]``
    """
    return get_deployment(name, project).predict(instances)


def read_inference_log(name: str, project: Any = None, per_instance: bool = False) -> Any:
    """Deployment ``name``'s inference log as a pandas DataFrame, one row per request (or per instance), with
    every request a running server has answered so far.

    Columns: request_id, timestamp, latency_ms, deployment, model_name, model_version, protocol, status_code,
    error, n_instances, inputs, predictions (numpy arrays, first axis = instances, or decoded JSON).
    Example: ``read_inference_log("iceberg").query("status_code == 200")``
    """
    return get_deployment(name, project).read_inference_log(per_instance=per_instance)


def export_kserve(name: str, path: str | None = None, project: Any = None, **options: Any) -> dict[str, Any]:
    """The KServe ``InferenceService`` manifest of deployment ``name``, written as YAML to ``path`` if given.

    Options: ``storage_uri``, ``namespace``, ``replicas``, ``resources``, ``logger_url``, ``image`` (python).
    Example: ``export_kserve("iceberg", "iceberg.yaml")["spec"]["predictor"]["model"]["modelFormat"]``
    """
    return get_deployment(name, project).export_kserve(path, **options)


__all__ = ["STATES", "Deployment", "DeploymentStartError", "DeploymentStatus", "create_or_update", "delete",
           "export_kserve", "get_deployment", "list_deployments", "predict", "read_inference_log", "start",
           "status", "stop"]
