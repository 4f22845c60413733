"""Model serving: deployments of registered models on local model servers, inference logging, KServe export.

Each deployment runs as its own server process on 127.0.0.1, speaking KServe V1 and the Open Inference
Protocol V2 (JSON and binary tensors) behind the project's API key, with optional dynamic batching and a
durable Parquet inference log.

Example::

    from jhops import serving
    serving.create_or_update("iris", model_name="iris", batching=True)
    serving.start("iris")
    serving.predict("iris", [[5.1, 3.5, 1.4, 0.2]])        # [0]
    serving.read_inference_log("iris")                      # a DataFrame, one row per request
    serving.monitor("iris").summary()                       # traffic, latency, errors, input drift
    serving.stop("iris")
"""

from typing import Any

from jhops.extras import require_extra

# Before the submodules: without uvicorn, orjson & co. the user reads which extra to install, not a bare import
# error.
require_extra("serving", "model serving")

from jhops.serving.api_key import api_key
from jhops.serving.batching import BatchingConfig
from jhops.serving.deployments import (
    STATES,
    Deployment,
    DeploymentStatus,
    create_or_update,
    delete,
    export_kserve,
    get_deployment,
    predict,
    read_inference_log,
    start,
    status,
    stop,
)
from jhops.serving.deployments import list_deployments as list  # the Hopsworks call shape
from jhops.serving.errors import (
    DeploymentNotFoundError,
    DeploymentStartError,
    InferenceRequestError,
    InvalidInputError,
    ServingError,
)
from jhops.serving.inference_log import LOG_MODES

__all__ = [
    "LOG_MODES",
    "STATES",
    "BatchingConfig",
    "Deployment",
    "DeploymentNotFoundError",
    "DeploymentStartError",
    "DeploymentStatus",
    "InferenceRequestError",
    "InvalidInputError",
    "MonitoringError",
    "MonitoringReport",
    "ServingError",
    "api_key",
    "create_or_update",
    "delete",
    "export_kserve",
    "get_deployment",
    "list",
    "monitor",
    "monitor_frame",
    "monitoring",
    "predict",
    "read_inference_log",
    "start",
    "status",
    "stop",
]

_MONITORING = ("MonitoringError", "MonitoringReport", "monitor", "monitor_frame")


def __getattr__(name: str) -> Any:
    # Monitoring needs pandas: imported on first use, so model servers and light imports stay fast.
    if name == "monitoring" or name in _MONITORING:
        import importlib

        module = importlib.import_module("jhops.serving.monitoring")
        return module if name == "monitoring" else getattr(module, name)
    raise AttributeError(f"module 'jhops.serving' has no attribute {name!r}")

