"""The base handler of the jhops API: domain errors become HTTP answers here, and only here."""

from __future__ import annotations

import json
from http.client import responses
from typing import TYPE_CHECKING, Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

if TYPE_CHECKING:
    from jhops.project import Project


class NotFound(LookupError):
    """The thing a request names does not exist: answered with 404."""


def status_for(error: BaseException) -> int | None:
    """The HTTP status for a domain error, or ``None`` for an error that is a server bug (500).

    ``ExperimentNotRunning`` is 409, a model server's own failure (its 5xx) is 502, ``LookupError`` (like
    :class:`NotFound` or ``ExperimentNotFound``) is 404 and ``ValueError`` is 400.
    A bare ``KeyError`` or ``IndexError`` is a programming error far more often than a missing thing,
    so it stays a 500 with a logged traceback: domain code raises a ``LookupError`` subclass instead.
    """
    if isinstance(error, web.HTTPError):
        return error.status_code
    from jhops.experiments.store import ExperimentNotRunning

    if isinstance(error, ExperimentNotRunning):
        return 409
    from jhops.serving.errors import InferenceRequestError

    if isinstance(error, InferenceRequestError) and error.status_code >= 500:
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

    def int_argument(self, name: str, default: int | None = None, minimum: int = 0) -> int | None:
        """A whole-number query argument; anything else is a 400 that says which argument."""
        value = self._number_argument(name, int, "a whole number", minimum)
        return default if value is None else int(value)

    def float_argument(self, name: str, what: str = "a number", minimum: float = 0.0) -> float | None:
        """A numeric query argument, or None when it is absent; anything else is a 400 that says which argument."""
        return self._number_argument(name, float, what, minimum)

    def _number_argument(self, name: str, kind: type[int] | type[float], what: str,
                         minimum: float) -> float | None:
        raw = self.get_query_argument(name, None)
        if raw is None:
            return None
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"Query argument {name} must be {what}, got {raw!r}") from None
        if value < minimum:
            raise ValueError(f"Query argument {name} must be at least {minimum:g}, got {value}")
        return value

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Log a domain error as one warning line; a bug (500) keeps its traceback."""
        status = status_for(value) if value is not None else None
        if status is not None and not isinstance(value, web.HTTPError):
            self.log.warning("%s %s: %d %s", self.request.method, self.request.uri, status, _message(value))
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer ``{"message": ...}``: the domain error's text for a 4xx, a generic text for a 500."""
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if error is not None and not isinstance(error, web.HTTPError):
            status = status_for(error)
            if status is not None:
                self.set_status(status)
                self.set_header("Content-Type", "application/json")
                self.finish({"message": _message(error), "reason": responses.get(status, "")})
                return
        super().write_error(status_code, **kwargs)
