"""What can go wrong in serving, as exceptions a caller (or the REST layer) can tell apart."""

from __future__ import annotations


class ServingError(ValueError):
    """Bad input to the serving API: the message says what was wrong and what would be right."""


class DeploymentNotFoundError(ServingError, LookupError):
    """A deployment name that is not in the project."""


class DeploymentStartError(RuntimeError):
    """A model server that exited, failed to load its model or did not become ready in time.

    The server failed, not the caller's input: so not a ``ServingError``/``ValueError`` (over REST a 502, not a
    400). ``log_tail`` holds the end of the server's log.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


class InferenceRequestError(ServingError):
    """A request the model server answered with an error; ``status_code`` is the HTTP status."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class InvalidInputError(ServingError):
    """A request payload the server cannot run (malformed JSON, missing fields, wrong shape or dtype): a 400."""


class PayloadTooLargeError(InvalidInputError):
    """A request body larger than the server reads: a 413."""


class PredictorOutputError(RuntimeError):
    """A predictor that returned something other than one prediction per instance: a 500."""
