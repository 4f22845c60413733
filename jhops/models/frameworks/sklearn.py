"""scikit-learn estimators (and pipelines), stored with joblib."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from jhops.models.frameworks.base import Framework, Runner, comes_from
from jhops.models.signature import Signature


class SklearnFramework(Framework):
    name = "sklearn"
    suffixes = (".joblib", ".pkl", ".pickle")
    artifact_name = "model.joblib"

    def owns(self, model: Any) -> bool:
        return comes_from(model, "sklearn") and callable(getattr(model, "predict", None))

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        import joblib

        joblib.dump(model, os.path.join(folder, self.artifact_name))
        return self.artifact_name

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        import joblib

        # joblib reads plain pickles too, so a .pkl saved with pickle.dump loads the same way
        return joblib.load(artifact)

    def native_signature(self, model: Any) -> Signature | None:
        features = getattr(model, "n_features_in_", None)
        if not isinstance(features, int):
            return None
        classes = getattr(model, "classes_", None)
        if hasattr(model, "predict_proba") and classes is not None:
            output: list[int | None] = [None, len(classes)]
            dtype = "float64"
        else:
            outputs = getattr(model, "n_outputs_", 1)
            output = [None] if outputs == 1 else [None, int(outputs)]
            dtype = "float64" if classes is None else str(np.asarray(classes).dtype.name)
        return {"inputs": [{"name": "input", "dtype": "float64", "shape": [None, features]}],
                "outputs": [{"name": "output", "dtype": dtype, "shape": output}]}

    def runner(self, model: Any, signature: Signature) -> Runner:
        # Probabilities say more than labels and are what a served classifier is usually asked for.
        predict = model.predict_proba if hasattr(model, "predict_proba") else model.predict

        def run(batch: Any) -> Any:
            return np.asarray(predict(batch))

        return run
