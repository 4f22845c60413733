"""Which model version a deployment serves, and how its server process loads it.

The registry (``jhops.models``) resolves a name and version to a folder; the server loads that folder with a
*loader*, an import path ``"module:function"`` taking the folder and returning a predictor (an object with
``predict(batch)`` and, optionally, ``signature``). The default loader is the registry's ``load_predictor``.

Example::

    model = resolve_model("iceberg-cnn", None, project=None)      # the latest version
    predictor = load_predictor(model.path, DEFAULT_LOADER)
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Any

from jhops.serving.errors import ServingError

DEFAULT_LOADER = "jhops.models.predictor:load_predictor"
RUNTIMES = {"keras": "tensorflow", "tensorflow": "tensorflow", "sklearn": "sklearn", "torch": "pytorch",
            "onnx": "onnx", "python": "python"}
"""The KServe runtime of each registry framework (``runtime="auto"`` picks it)."""


@dataclass(frozen=True)
class ModelRef:
    """A registered model version, as a deployment records it."""

    name: str
    version: int | None
    path: str
    framework: str
    signature: dict[str, Any] = field(default_factory=dict)


def resolve_model(name: str, version: int | None, project: Any = None) -> ModelRef:
    """The registered version ``version`` (None: the latest) of model ``name`` in ``project``.

    Example: ``resolve_model("iceberg-cnn", 2).path`` -> ``".../models/iceberg-cnn/2"``
    """
    from jhops.models import get_model

    model = get_model(name, version=version, project=project)
    return ModelRef(name=str(model.name), version=int(model.version), path=os.fspath(model.path),
                    framework=str(model.framework), signature=dict(model.signature or {}))


def resolve_runtime(runtime: str, framework: str) -> str:
    """The KServe runtime for ``framework``: ``runtime`` itself if it fits, the framework's own for ``"auto"``.

    Example: ``resolve_runtime("auto", "keras")`` -> ``"tensorflow"``
    """
    expected = RUNTIMES.get(framework)
    if expected is None:
        raise ServingError(f"the framework {framework!r} cannot be served; jhops serves {', '.join(RUNTIMES)}")
    if runtime == "auto" or runtime == expected:
        return expected
    raise ServingError(f"runtime {runtime!r} does not serve {framework} models; use runtime='auto' (or "
                       f"{expected!r})")


def load_predictor(model_path: str, loader: str = DEFAULT_LOADER) -> Any:
    """The predictor of the model folder ``model_path``, made by the loader named ``"module:function"``.

    Example: ``load_predictor("/proj/models/iris/1").predict([[5.1, 3.5, 1.4, 0.2]])``
    """
    module_name, _, function_name = loader.partition(":")
    if not module_name or not function_name:
        raise ServingError(f"a predictor loader is named 'module:function', got {loader!r}")
    function = getattr(importlib.import_module(module_name), function_name)
    predictor = function(model_path)
    if not callable(getattr(predictor, "predict", None)):
        raise ServingError(f"the loader {loader!r} returned {type(predictor).__name__}, which has no predict method")
    return predictor
