"""Scale-out: a deployment as a KServe ``InferenceService`` (``serving.kserve.io/v1beta1``) manifest.

The predictor gets the model format of the framework (``tensorflow``, ``sklearn``, ``pytorch``, ``onnx``) and
the model's ``storageUri``; a custom Python predictor becomes a custom container. Inference logging becomes
KServe's ``logger`` (``ALL`` -> ``all``, ``MODEL_INPUTS`` -> ``request``, ``PREDICTIONS`` -> ``response``) and
batching its ``batcher``. ``SCHEMA_PATH`` is a JSON schema of the subset written here, from KServe's v1beta1 API.

Example::

    manifest = inference_service(get_deployment("iceberg").record, storage_uri="s3://models/iceberg-cnn/3")
    write_yaml(manifest, "iceberg.yaml")       # kubectl apply -f iceberg.yaml
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from jhops.serving.errors import ServingError

API_VERSION = "serving.kserve.io/v1beta1"
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "inferenceservice.schema.json")
MODEL_FORMATS = {"tensorflow": "tensorflow", "sklearn": "sklearn", "pytorch": "pytorch", "onnx": "onnx"}
LOGGER_MODES = {"ALL": "all", "MODEL_INPUTS": "request", "PREDICTIONS": "response"}
DEFAULT_RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
DEFAULT_LOGGER_URL = "http://jhops-inference-logger.default.svc.cluster.local"
DEFAULT_IMAGE = "jhops-serving:latest"


def load_schema() -> dict[str, Any]:
    """The JSON schema of the InferenceService manifests ``inference_service`` writes.

    Example: ``jsonschema.validate(inference_service(record), load_schema())``
    """
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


def inference_service(record: Mapping[str, Any], storage_uri: str | None = None, namespace: str = "default",
                      replicas: int | None = None, max_replicas: int | None = None,
                      resources: Mapping[str, Any] | None = None, logger_url: str = DEFAULT_LOGGER_URL,
                      image: str = DEFAULT_IMAGE) -> dict[str, Any]:
    """The InferenceService of a deployment record (``deployment.json``).

    ``storage_uri`` defaults to the model folder as a ``file://`` URI: pass the bucket or PVC the cluster reads
    (``s3://...``, ``gs://...``, ``pvc://claim/path``). ``replicas`` (default the deployment's ``instances``)
    sets ``minReplicas``, ``max_replicas`` (default the same) ``maxReplicas``. ``image`` is the container of a
    custom Python predictor, which gets the model under ``/mnt/models`` through ``STORAGE_URI``.

    Example::

        inference_service(record, storage_uri="s3://models/iris/1")["spec"]["predictor"]["model"]
        # {'modelFormat': {'name': 'sklearn'}, 'protocolVersion': 'v2', 'storageUri': 's3://models/iris/1', ...}
    """
    runtime = record["runtime"]
    uri = storage_uri or "file://" + os.path.abspath(record["model_path"])
    minimum = int(replicas if replicas is not None else record.get("instances", 1))
    maximum = int(max_replicas if max_replicas is not None else minimum)
    if minimum < 0 or maximum < max(minimum, 1):
        raise ServingError(f"replicas must be >= 0 and max_replicas >= max(replicas, 1); got {minimum}, {maximum}")
    resources = {k: dict(v) for k, v in (resources or DEFAULT_RESOURCES).items()}
    predictor: dict[str, Any] = {"minReplicas": minimum, "maxReplicas": maximum}
    if runtime in MODEL_FORMATS:
        predictor["model"] = {
            "modelFormat": {"name": MODEL_FORMATS[runtime]},
            # TensorFlow Serving speaks V1 only; the other KServe runtimes speak the Open Inference Protocol.
            "protocolVersion": "v1" if runtime == "tensorflow" else "v2",
            "storageUri": uri,
            "resources": resources,
        }
    elif runtime == "python":
        predictor["containers"] = [{
            "name": "kserve-container",
            "image": image,
            "args": ["--model_name", record["name"], "--model_dir", "/mnt/models", "--http_port", "8080"],
            "env": [{"name": "STORAGE_URI", "value": uri}],
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": resources,
        }]
    else:
        raise ServingError(f"runtime {runtime!r} has no KServe equivalent")
    mode = record.get("inference_logging", "NONE")
    if mode in LOGGER_MODES:
        predictor["logger"] = {"mode": LOGGER_MODES[mode], "url": logger_url}
    batching = record.get("batching") or {}
    if batching.get("enabled"):
        predictor["batcher"] = {"maxBatchSize": int(batching["max_batch_size"]),
                                "maxLatency": max(1, round(float(batching["max_latency_ms"])))}
    annotations = {"jhops/model-name": str(record["model_name"]),
                   "jhops/model-version": str(record.get("model_version")),
                   "jhops/framework": str(record["framework"])}
    return {"apiVersion": API_VERSION, "kind": "InferenceService",
            "metadata": {"name": record["name"], "namespace": namespace, "annotations": annotations},
            "spec": {"predictor": predictor}}


def write_yaml(manifest: Mapping[str, Any], path: str) -> None:
    """Write ``manifest`` as YAML to ``path``.

    Example: ``write_yaml(inference_service(record), "iceberg.yaml")``
    """
    import yaml

    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(dict(manifest), f, sort_keys=False)
