"""The model registry: versioned models with signatures, metrics and provenance, and predictors for serving.

Example::

    import jhops
    mv = jhops.models.export("model.keras", "iceberg-cnn", metrics={"accuracy": 0.86}, input_example=x_test[:2],
                             training_dataset="iceberg_td")
    best = jhops.models.get_best_model("iceberg-cnn", "accuracy")
    best.load()                                            # the keras.Model
    jhops.models.load_predictor(best.path).predict(x)      # what serving runs, from the folder alone

Every function takes ``project=`` (a ``Project``, a root path, or None for ``$JHOPS_PROJECT``/./jhops-project).
Frameworks stay unimported until a model of theirs is stored or loaded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jhops.models.errors import (
    ArtifactNotFoundError,
    InputExampleError,
    MetricNotRecordedError,
    ModelNotFoundError,
    ModelRegistryError,
    PredictionError,
    SignatureMismatchError,
    UnknownFrameworkError,
)
from jhops.models.frameworks import FRAMEWORKS
from jhops.models.model_dir import MODEL_JSON, read_model_json
from jhops.models.model_version import ModelVersion
from jhops.models.predictor import ModelPredictor, Predictor, load_predictor
from jhops.models.registry import ModelRegistry

if TYPE_CHECKING:
    from jhops.project import Project

__all__ = [
    "FRAMEWORKS",
    "MODEL_JSON",
    "ArtifactNotFoundError",
    "InputExampleError",
    "MetricNotRecordedError",
    "ModelNotFoundError",
    "ModelPredictor",
    "ModelRegistry",
    "ModelRegistryError",
    "ModelVersion",
    "PredictionError",
    "Predictor",
    "SignatureMismatchError",
    "UnknownFrameworkError",
    "delete_model",
    "export",
    "get_best_model",
    "get_model",
    "get_model_registry",
    "list_models",
    "load_predictor",
    "read_model_json",
]


def get_model_registry(project: Project | str | os.PathLike[str] | None = None) -> ModelRegistry:
    """The registry of ``project`` (a ``Project``, a root path, or None for the default project).

    Example: ``jhops.models.get_model_registry("/data/iceberg").list_models()``
    """
    from jhops.project import Project

    return (project if isinstance(project, Project) else Project(project)).get_model_registry()


def export(model_or_path: Any, name: str, version: int | None = None, metrics: Mapping[str, Any] | None = None,
           description: str = "", experiment_id: int | None = None, trial_id: int | None = None,
           training_dataset: Any = None, input_example: Any = None, framework: str | None = None,
           project: Project | str | None = None, predictor_class: str | None = None,
           progress: bool | None = None) -> ModelVersion:
    """Store a model as the next version of ``name`` under ``<project>/models/<name>/<version>``.

    ``model_or_path``: a ``keras.Model``, a scikit-learn estimator, a ``torch.nn.Module`` (stored as TorchScript;
    give ``input_example`` if it only traces), an ``onnx.ModelProto``, a predictor class (its source file is
    copied), or a path: ``.keras``/``.h5``, a SavedModel folder, ``.joblib``/``.pkl``, TorchScript ``.pt``,
    ``.onnx``, or a ``.py`` file (or folder) with ``predictor_class``. ``framework`` (``keras``, ``tensorflow``,
    ``sklearn``, ``torch``, ``onnx``, ``python``) is told from the model when None. The signature comes from
    the model itself (input layers, graph inputs, ``n_features_in_``) or from running it on ``input_example``.
    ``training_dataset`` (a TrainingDataset, ``"name"``, ``"name:version"`` or ``(name, version)``) records the
    dataset and the feature group commits it was read at. A failed export leaves no row and no folder. An export
    that takes more than two seconds shows a progress bar over its steps; ``progress=False`` (or
    ``JHOPS_PROGRESS=0``) turns it off.

    Example::

        mv = jhops.models.export(clf, "iceberg-sk", metrics={"accuracy": 0.81}, input_example=x_test[:2],
                                 training_dataset=("iceberg_td", 1))
        jhops.models.export("predictor.py", "iceberg-custom", framework="python", predictor_class="IcebergPredictor")
    """
    return get_model_registry(project).export(
        model_or_path, name, version=version, metrics=metrics, description=description, experiment_id=experiment_id,
        trial_id=trial_id, training_dataset=training_dataset, input_example=input_example, framework=framework,
        predictor_class=predictor_class, progress=progress)


def get_model(name: str, version: int | None = None, project: Project | str | None = None) -> ModelVersion:
    """Version ``version`` of the model ``name``, the newest when None.

    Example: ``jhops.models.get_model("iceberg-cnn").load()``
    """
    return get_model_registry(project).get_model(name, version)


def get_best_model(name: str, metric: str, direction: str = "max",
                   project: Project | str | None = None) -> ModelVersion:
    """The version of ``name`` with the best recorded ``metric`` (``direction`` ``"max"`` or ``"min"``).

    Example: ``jhops.models.get_best_model("iceberg-cnn", "loss", direction="min")``
    """
    return get_model_registry(project).get_best_model(name, metric, direction)


def list_models(name: str | None = None, project: Project | str | None = None) -> list[ModelVersion]:
    """Every version of ``name``, or of every model when None, by name then version.

    Example: ``[str(mv) for mv in jhops.models.list_models()]``
    """
    return get_model_registry(project).list_models(name)


def delete_model(name: str, version: int, project: Project | str | None = None) -> None:
    """Delete version ``version`` of ``name``: its database row and its folder.

    Example: ``jhops.models.delete_model("iceberg-cnn", 1)``
    """
    get_model_registry(project).delete_model(name, version)
