"""One stored version of a model: its record, its folder, and ways to load it."""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

from jhops.models.model_dir import load_native, read_model_json
from jhops.models.predictor import ModelPredictor, load_predictor


class ModelVersion:
    """A registered model version, as ``export`` and ``get_model`` return it.

    Example::

        mv = jhops.models.get_model("iceberg-cnn")      # the newest version
        mv.version, mv.metrics, mv.signature["inputs"]
        model = mv.load()                               # the keras.Model (estimator, TorchScript module, ...)
        mv.predictor().predict(x[:4])                   # what serving runs
    """

    def __init__(self, row: dict[str, Any], root: str) -> None:
        self._row = row
        self._root = root

    id = property(lambda self: int(self._row["id"]))
    name = property(lambda self: str(self._row["name"]))
    version = property(lambda self: int(self._row["version"]))
    framework = property(lambda self: str(self._row["framework"]))
    description = property(lambda self: str(self._row["description"] or ""))
    metrics = property(lambda self: dict(self._row["metrics"] or {}))
    signature = property(lambda self: dict(self._row["signature"] or {}))
    #: ``{"experiment_id", "trial_id", "training_dataset", "feature_groups", "source"}``
    provenance = property(lambda self: dict(self._row["provenance"] or {}))
    created = property(lambda self: float(self._row["created"]))
    experiment_id = property(lambda self: self.provenance.get("experiment_id"))
    trial_id = property(lambda self: self.provenance.get("trial_id"))
    training_dataset = property(lambda self: self.provenance.get("training_dataset"))

    @property
    def path(self) -> str:
        """The version's folder (``<project>/models/<name>/<version>``): what ``load_predictor`` takes."""
        return os.path.join(self._root, self._row["path"])

    @cached_property
    def _meta(self) -> dict[str, Any]:
        return read_model_json(self.path)

    @property
    def artifact(self) -> str:
        """The artifact's path relative to :attr:`path`, e.g. ``model.keras``."""
        return str(self._meta["artifact"])

    @property
    def predictor_class(self) -> str | None:
        value = self._meta["predictor_class"]
        return None if value is None else str(value)

    def load(self) -> Any:
        """The native model: a ``keras.Model``, a loaded SavedModel, an estimator, a TorchScript module, an
        ``onnxruntime.InferenceSession``, or an instance of the custom predictor class (``load`` already called).

        Example: ``jhops.models.get_model("iceberg-sk").load().predict(x)``
        """
        return load_native(self.path)[2]

    def predictor(self) -> ModelPredictor:
        """The model behind the serving interface (``predict`` checks inputs against the signature)."""
        return load_predictor(self.path)

    def to_dict(self) -> dict[str, Any]:
        """Everything about the version as JSON-able values (what the REST API returns)."""
        return {"id": self.id, "name": self.name, "version": self.version, "framework": self.framework,
                "description": self.description, "metrics": self.metrics, "signature": self.signature,
                "provenance": self.provenance, "path": self.path, "artifact": self.artifact,
                "predictor_class": self.predictor_class, "created": self.created}

    def __repr__(self) -> str:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in self.metrics.items())
        return (f"ModelVersion({self.name!r}, version={self.version}, framework={self.framework!r}"
                + (f", metrics: {metrics}" if metrics else "") + ")")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelVersion) and (self.path, self.id) == (other.path, other.id)

    def __hash__(self) -> int:
        return hash((self.path, self.id))
