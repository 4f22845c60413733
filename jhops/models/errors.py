"""What can go wrong in the model registry, as exceptions a caller (or the REST layer) can tell apart.

Every one is a ``ValueError`` (a 400 over REST); the ``LookupError`` ones are things that do not exist (a 404).
"""

from __future__ import annotations


class ModelRegistryError(ValueError):
    """Bad input to the model registry: the message says what was wrong and what would be right."""


class ModelNotFoundError(ModelRegistryError, LookupError):
    """A model name or version that is not in the registry."""


class UnknownFrameworkError(ModelRegistryError):
    """A framework name jhops does not know, or a model whose framework it cannot tell."""


class ArtifactNotFoundError(ModelRegistryError):
    """A model path that does not exist, or a trial without the model artifact asked for."""


class MetricNotRecordedError(ModelRegistryError):
    """The best model was asked for by a metric that no version of the model recorded."""


class InputExampleError(ModelRegistryError):
    """The model could not run on the ``input_example`` given to ``export``."""


class SignatureMismatchError(ModelRegistryError):
    """Inputs to a predictor whose shape or dtype does not match the model's signature (a 400 when served)."""


class PredictionError(RuntimeError):
    """A model that broke the predictor contract (e.g. returned a batch of another length): a server-side bug."""
