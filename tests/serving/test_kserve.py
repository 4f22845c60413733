"""KServe export: InferenceService manifests per runtime, valid against the shipped schema, written as YAML."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
import yaml

from jhops import serving
from jhops.serving.kserve import inference_service, load_schema


def _record(runtime: str, framework: str, **extra: Any) -> dict[str, Any]:
    return {"name": "iceberg", "model_name": "iceberg-cnn", "model_version": 3, "framework": framework,
            "runtime": runtime, "model_path": "/proj/models/iceberg-cnn/3", "instances": 1,
            "batching": {"enabled": True, "max_batch_size": 32, "max_latency_ms": 5.0},
            "inference_logging": "ALL", **extra}


@pytest.mark.parametrize(("runtime", "framework", "fmt"), [
    ("tensorflow", "keras", "tensorflow"), ("tensorflow", "tensorflow", "tensorflow"),
    ("sklearn", "sklearn", "sklearn"), ("pytorch", "torch", "pytorch"), ("onnx", "onnx", "onnx"),
])
def test_model_formats(runtime: str, framework: str, fmt: str) -> None:
    manifest = inference_service(_record(runtime, framework), storage_uri="s3://models/iceberg-cnn/3")
    jsonschema.validate(manifest, load_schema())
    predictor = manifest["spec"]["predictor"]
    assert manifest["apiVersion"] == "serving.kserve.io/v1beta1" and manifest["kind"] == "InferenceService"
    assert predictor["model"]["modelFormat"] == {"name": fmt}
    assert predictor["model"]["storageUri"] == "s3://models/iceberg-cnn/3"
    assert predictor["model"]["resources"]["requests"] == {"cpu": "1", "memory": "2Gi"}
    assert predictor["logger"]["mode"] == "all"
    assert predictor["batcher"] == {"maxBatchSize": 32, "maxLatency": 5}
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (1, 1)


def test_custom_python_predictor_is_a_container() -> None:
    manifest = inference_service(_record("python", "python", inference_logging="PREDICTIONS",
                                         batching={"enabled": False}), image="registry.local/jhops:1", replicas=2,
                                 max_replicas=4)
    jsonschema.validate(manifest, load_schema())
    predictor = manifest["spec"]["predictor"]
    (container,) = predictor["containers"]
    assert container["image"] == "registry.local/jhops:1"
    assert container["env"] == [{"name": "STORAGE_URI", "value": "file:///proj/models/iceberg-cnn/3"}]
    assert predictor["logger"]["mode"] == "response" and "batcher" not in predictor
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 4)


def test_no_logger_without_logging() -> None:
    manifest = inference_service(_record("sklearn", "sklearn", inference_logging="NONE"))
    assert "logger" not in manifest["spec"]["predictor"]
    jsonschema.validate(manifest, load_schema())


def test_the_schema_rejects_what_kserve_would() -> None:
    good = inference_service(_record("sklearn", "sklearn"))
    for path, value in [(("metadata", "name"), "Iceberg_CNN"), (("spec", "predictor", "logger", "mode"), "ALL"),
                        (("spec", "predictor", "model", "modelFormat", "name"), "keras"),
                        (("spec", "predictor", "model", "storageUri"), "/no/scheme"),
                        (("spec", "predictor", "model", "resources", "requests", "cpu"), "lots")]:
        bad = copy.deepcopy(good)
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, load_schema())


def test_export_a_deployment_as_yaml(root: str, tmp_path: Any) -> None:
    serving.create_or_update("exported", "doubler", batching=True, inference_logging="MODEL_INPUTS", project=root)
    path = tmp_path / "isvc.yaml"
    manifest = serving.export_kserve("exported", str(path), project=root, storage_uri="pvc://models/doubler/1")
    assert yaml.safe_load(path.read_text()) == manifest
    jsonschema.validate(manifest, load_schema())
    predictor = manifest["spec"]["predictor"]
    assert manifest["metadata"]["name"] == "exported" and predictor["logger"]["mode"] == "request"
    assert predictor["containers"][0]["env"][0]["value"] == "pvc://models/doubler/1"
    assert manifest["metadata"]["annotations"]["jhops/model-version"] == "1"
