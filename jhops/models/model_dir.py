"""A stored model version's folder: ``model.json`` plus the artifact, readable without the project database.

``model.json`` is the contract with serving::

    {"name": "iceberg-cnn", "version": 3, "framework": "keras", "artifact": "model.keras",
     "predictor_class": null, "signature": {"inputs": [...], "outputs": [...]},
     "metrics": {"accuracy": 0.85}, "created": 1767225600.0}
"""

from __future__ import annotations

import json
import os
from typing import Any

from jhops.models.errors import ArtifactNotFoundError, ModelRegistryError
from jhops.models.frameworks import Framework, get_framework

MODEL_JSON = "model.json"
KEYS = ("name", "version", "framework", "artifact", "predictor_class", "signature", "metrics", "created")


def write_model_json(folder: str, meta: dict[str, Any]) -> None:
    """Write ``model.json`` (exactly the contract's keys) into ``folder``."""
    missing = [k for k in KEYS if k not in meta]
    if missing:
        raise ModelRegistryError(f"model.json needs the keys {missing}")
    with open(os.path.join(folder, MODEL_JSON), "w", encoding="utf-8") as handle:
        json.dump({k: meta[k] for k in KEYS}, handle, indent=2, allow_nan=False)
        handle.write("\n")


def read_model_json(model_dir: str) -> dict[str, Any]:
    """The ``model.json`` of the model folder ``model_dir``.

    Example: ``read_model_json("jhops-project/models/iceberg-cnn/3")["framework"]`` is ``"keras"``.
    """
    path = os.path.join(os.fspath(model_dir), MODEL_JSON)
    try:
        with open(path, encoding="utf-8") as handle:
            meta: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        raise ArtifactNotFoundError(
            f"{model_dir} holds no {MODEL_JSON}, so it is not a stored model version; pass a folder such as "
            "<project>/models/iceberg-cnn/1, e.g. get_model('iceberg-cnn').path.") from None
    missing = [k for k in KEYS if k not in meta]
    if missing:
        raise ModelRegistryError(f"{path} lacks the keys {missing}; it was not written by jhops' model registry.")
    return meta


def load_native(model_dir: str) -> tuple[dict[str, Any], Framework, Any]:
    """``model.json``, the framework and the native model object (a keras.Model, an estimator, ...) of a folder."""
    meta = read_model_json(model_dir)
    framework = get_framework(meta["framework"])
    artifact = os.path.join(os.fspath(model_dir), meta["artifact"])
    if not os.path.exists(artifact):
        raise ArtifactNotFoundError(f"The artifact {meta['artifact']!r} named by {model_dir}/{MODEL_JSON} is missing.")
    return meta, framework, framework.load(artifact, meta)
