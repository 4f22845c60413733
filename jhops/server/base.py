"""The base handler of the jhops API: domain errors become HTTP answers here, and only here."""

from __future__ import annotations

import json
import math
import sys
from http.client import responses
from typing import TYPE_CHECKING, Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from jhops.extras import MissingExtraError
from jhops.metadb import MAX_INTEGER

if TYPE_CHECKING:
    from jhops.project import Project


VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class NotFound(LookupError):
    """The thing a request names does not exist: answered with 404."""


def status_for(error: BaseException) -> int | None:
    """The HTTP status for a domain error, or ``None`` for an error that is a server bug (500).

    ``MissingExtraError`` is 501 Not Implemented (a part of jhops this server lacks; the message names the extra
    that brings it). ``ExperimentNotRunning`` is 409; a model server's own failure is 502 Bad Gateway: one that
    answered a request with its 5xx, or one that failed to start (``DeploymentStartError``: it exited, could not
    load its model or was not ready in time). This server stands in front of the model server, whose failure is
    neither the caller's mistake (4xx) nor a passing overload that a retry would cure (503).
    ``LookupError`` (like :class:`NotFound` or ``ExperimentNotFound``) is 404 and ``ValueError`` is 400.
    A bare ``KeyError`` or ``IndexError`` is a programming error far more often than a missing thing,
    so it stays a 500 with a logged traceback: domain code raises a ``LookupError`` subclass instead.
    """
    if isinstance(error, web.HTTPError):
        return error.status_code
    if isinstance(error, MissingExtraError):
        return 501  # this server lacks a part of jhops; the message says which extra brings it
    # An error of a module's class means the module is loaded: looking it up in sys.modules, instead of importing
    # it, keeps an error answer from loading serving (whose extra may be missing) just to compare classes.
    store = sys.modules.get("jhops.experiments.store")
    if store is not None and isinstance(error, store.ExperimentNotRunning):
        return 409
    serving_errors = sys.modules.get("jhops.serving.errors")
    if serving_errors is not None:
        if isinstance(error, serving_errors.DeploymentStartError):
            return 502
        if isinstance(error, serving_errors.InferenceRequestError) and error.status_code >= 500:
            return 502  # the request reached the model, which failed: not the caller's mistake
    if isinstance(error, LookupError) and type(error) not in (KeyError, IndexError):
        return 404
    if isinstance(error, ValueError):
        return 400
    return None


def _message(error: BaseException) -> str:
    # str(KeyError("x")) is "'x'": use the argument itself when there is exactly one
    if isinstance(error, LookupError) and len(error.args) == 1:
        return str(error.args[0])
    return str(error)


class JhopsHandler(APIHandler):
    """Base of every jhops handler: JSON errors ``{"message": ...}``, and the project of this server."""

    @property
    def project(self) -> Project:
        """The jhops project of this server, opened on first use (``$JHOPS_PROJECT`` or ./jhops-project)."""
        project: Project | None = self.settings.get("jhops_project")
        if project is None:
            from jhops.project import Project

            project = self.settings["jhops_project"] = Project()
        return project

    def json_body(self) -> Any:
        """The request's JSON body; a body that is not JSON is a 400."""
        try:
            return json.loads(self.request.body or b"null")
        except ValueError as exc:
            raise ValueError(f"The request body is not JSON: {exc}") from None

    def int_argument(self, name: str, default: int | None = None, minimum: int = 0,
                     maximum: int = MAX_INTEGER) -> int | None:
        """A whole-number query argument; anything else is a 400 that says which argument."""
        value = self._number_argument(name, int, "a whole number", minimum, maximum)
        return default if value is None else int(value)

    def float_argument(self, name: str, what: str = "a number", minimum: float = 0.0,
                       maximum: float = math.inf) -> float | None:
        """A numeric query argument, or None when it is absent; anything else is a 400 that says which argument."""
        return self._number_argument(name, float, what, minimum, maximum)

    def _number_argument(self, name: str, kind: type[int] | type[float], what: str,
                         minimum: float, maximum: float) -> float | None:
        raw = self.get_query_argument(name, None)
        if raw is None:
            return None
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"Query argument {name} must be {what}, got {raw!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"Query argument {name} must be {what}, got {raw!r}")
        if value < minimum:
            raise ValueError(f"Query argument {name} must be at least {minimum:g}, got {value}")
        if value > maximum:
            raise ValueError(f"Query argument {name} must be at most {maximum:g}, got {value}")
        return value

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Log a domain error as one warning line; a bug (500) keeps its traceback."""
        status = status_for(value) if value is not None else None
        if status is not None and not isinstance(value, web.HTTPError):
            self.log.warning("%s %s: %d %s", self.request.method, self.request.uri, status, _message(value))
            return
        super().log_exception(typ, value, tb)

    def allowed_verbs(self) -> list[str]:
        """The verbs this handler answers, for a 405's message and its ``Allow`` header."""
        unimplemented = web.RequestHandler._unimplemented_method
        return sorted(v for v in VERBS if getattr(type(self), v.lower()) is not unimplemented)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer ``{"message": ..., "reason": ...}`` for every error: the domain error's text for a 4xx or a 502,
        what tornado said for its own errors (with the allowed verbs for a 405), a generic text for a bug (500).

        A model server that failed to start adds its ``log_tail``.
        """
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        status = (status_for(error) if error is not None else None) or status_code
        body: dict[str, Any] = {"message": responses.get(status, "Error"), "reason": responses.get(status, "")}
        if status == 405:
            allowed = self.allowed_verbs()
            self.set_header("Allow", ", ".join(allowed))
            path = self.request.path[len(self.base_url.rstrip("/")):]
            body["message"] = f"{self.request.method} is not allowed on {path}; allowed: {', '.join(allowed)}"
        elif isinstance(error, web.HTTPError):
            if error.log_message:
                body["message"] = error.log_message % error.args if error.args else error.log_message
        elif error is not None and status_for(error) is not None:
            body["message"] = _message(error)
            log_tail = getattr(error, "log_tail", None)
            if isinstance(log_tail, str):
                body["log_tail"] = log_tail
        else:
            body["message"] = "Unhandled error: the Jupyter server's log has the details."
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))
