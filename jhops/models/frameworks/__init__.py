"""The frameworks the registry stores and serves, by the name ``model.json`` records.

Example: ``framework_for("model.keras").name`` is ``"keras"``; ``get_framework("pytorch").name`` is ``"torch"``.
"""

from __future__ import annotations

import os
from typing import Any

from jhops.models.errors import UnknownFrameworkError
from jhops.models.frameworks.base import Framework, Runner
from jhops.models.frameworks.keras import KerasFramework, TensorFlowFramework
from jhops.models.frameworks.onnx import OnnxFramework
from jhops.models.frameworks.python import PythonFramework
from jhops.models.frameworks.sklearn import SklearnFramework
from jhops.models.frameworks.torch import TorchFramework

__all__ = ["FRAMEWORKS", "Framework", "Runner", "framework_for", "get_framework"]

FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (
    KerasFramework(), TensorFlowFramework(), SklearnFramework(), TorchFramework(), OnnxFramework(),
    PythonFramework())}

_ALIASES = {"tf": "tensorflow", "savedmodel": "tensorflow", "saved_model": "tensorflow", "scikit-learn": "sklearn",
            "scikit_learn": "sklearn", "pytorch": "torch", "torchscript": "torch", "custom": "python"}


def get_framework(name: str) -> Framework:
    """The framework called ``name`` (a few common spellings accepted), or an error listing the known ones."""
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in FRAMEWORKS:
        raise UnknownFrameworkError(
            f"Unknown framework {name!r}; jhops stores {', '.join(FRAMEWORKS)}. Leave framework out to let jhops "
            "tell, or pass one, e.g. export('model.onnx', 'iceberg-onnx', framework='onnx').")
    return FRAMEWORKS[key]


def framework_for(model_or_path: Any) -> Framework:
    """The framework of a model object or an artifact path, told without importing any framework."""
    if isinstance(model_or_path, (str, os.PathLike)):
        path = os.fspath(model_or_path)
        for framework in FRAMEWORKS.values():
            if framework.owns_path(path):
                return framework
        what = "folder" if os.path.isdir(path) else "file"
        raise UnknownFrameworkError(
            f"Cannot tell the framework of the {what} {path}: jhops reads .keras/.h5 (keras), SavedModel folders "
            "(tensorflow), .joblib/.pkl (sklearn), .pt (torch, TorchScript), .onnx and .py (python). Pass "
            "framework=..., e.g. export('model.bin', 'iceberg', framework='sklearn').")
    for framework in FRAMEWORKS.values():
        if framework.owns(model_or_path):
            return framework
    raise UnknownFrameworkError(
        f"Cannot tell the framework of a {type(model_or_path).__module__}.{type(model_or_path).__name__}: jhops "
        "stores keras.Model, scikit-learn estimators, torch.nn.Module, onnx.ModelProto and predictor classes (with "
        f"a predict method). Pass framework= one of {', '.join(FRAMEWORKS)}, or save the model to a file first.")
