"""The runtime side of a stored model: ``load_predictor(model_dir).predict(batch)``, for serving.

It reads only the folder (``model.json`` and the artifact), never the project database, so a model server
process needs nothing but the path.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from jhops.models.errors import PredictionError
from jhops.models.frameworks import Runner
from jhops.models.model_dir import load_native
from jhops.models.signature import Signature, batch_length, check_inputs


@runtime_checkable
class Predictor(Protocol):
    """What serving calls: a signature, and ``predict`` from a batch to a batch of the same length."""

    signature: dict[str, Any]

    def predict(self, inputs: np.ndarray | list[Any]) -> np.ndarray | list[Any]: ...


class ModelPredictor:
    """A loaded model version behind the :class:`Predictor` interface.

    ``predict`` checks the batch against the signature (a :class:`SignatureMismatchError`, a ``ValueError``,
    says the expected and received shapes), casts it to the signature's dtypes and runs the model. A model with
    one output returns one array; several outputs come back as a dict of arrays by output name.
    Safe to call from several threads: every runtime it wraps is.
    """

    def __init__(self, meta: dict[str, Any], model: Any, runner: Runner) -> None:
        self.meta = meta
        self.model = model
        self.signature: Signature = meta["signature"]
        self._run = runner

    name = property(lambda self: str(self.meta["name"]))
    version = property(lambda self: int(self.meta["version"]))
    framework = property(lambda self: str(self.meta["framework"]))

    def predict(self, inputs: Any) -> Any:
        """Predict a batch; the first axis of ``inputs`` is the instances.

        Example: ``load_predictor(path).predict(np.zeros((2, 4), "float32"))`` is a batch of 2 outputs.
        """
        custom = self.framework == "python"
        checked = check_inputs(self.signature, inputs, self.name, cast=not custom)
        # a custom predictor gets the batch as sent; the check above only guards its declared shape
        outputs = self._run(inputs if custom else checked)
        sent, received = batch_length(checked), batch_length(outputs)
        if sent is not None and received is not None and sent != received:
            raise PredictionError(f"Model {self.name!r} v{self.version} returned {received} predictions for a batch "
                                  f"of {sent}; predict must return one per instance.")
        return outputs

    def __repr__(self) -> str:
        inputs = ", ".join(f"{s['name']}: {s['dtype']}{s['shape']}" for s in self.signature.get("inputs") or [])
        return f"ModelPredictor({self.name!r}, version={self.version}, framework={self.framework!r}, inputs=[{inputs}])"


def load_predictor(model_dir: str) -> ModelPredictor:
    """Load the model stored in ``model_dir`` (``<project>/models/<name>/<version>``) for predictions.

    Example::

        predictor = load_predictor("jhops-project/models/iceberg-cnn/3")
        probabilities = predictor.predict(chips)   # chips: shape (n, 75, 75, 3)
    """
    meta, framework, model = load_native(model_dir)
    return ModelPredictor(meta, model, framework.runner(model, meta["signature"]))
