"""Any other path under ``/jhops/``: a 404 in JSON that names the path (and the part that is wrong, when the path
has the shape of a route), instead of Jupyter's HTML page."""

from __future__ import annotations

import re

import tornado.web

from jhops.server.base import JhopsHandler, NotFound

#: What each kind of route part must be, in words.
PART_MEANINGS = {
    r"[0-9]+": "a whole number",
    r"[a-z][a-z0-9_]*": "a lower-case name (letters, digits and _, starting with a letter)",
    r"start|stop": "one of start, stop",
}
_PART = re.compile(r"\(([^)]*)\)")


def wrong_part(path: str, routes: list[tuple[str, type]]) -> str | None:
    """What is wrong with ``path`` when it has the shape of a route but a part does not fit, else None.

    Example: ``wrong_part("experiments/abc", ROUTES)`` is ``"'abc' must be a whole number"``.
    """
    for pattern, _ in routes:
        shape = re.fullmatch(_PART.sub("([^/]+)", pattern), path)
        if shape is None:
            continue
        for value, part in zip(shape.groups(), _PART.findall(pattern), strict=True):
            if not re.fullmatch(part, value):
                return f"{value!r} must be {PART_MEANINGS.get(part, 'a name without /')}"
    return None


class UnknownPathHandler(JhopsHandler):
    """Mounted after every route, for ``<base_url>/jhops/(.*)``: every verb answers 404 naming the path."""

    def initialize(self, routes: list[tuple[str, type]]) -> None:
        self.routes = routes

    def _missing(self, path: str) -> None:
        hint = wrong_part(path, self.routes)
        raise NotFound(f"No such path: /jhops/{path}{f' ({hint})' if hint else ''}; the jhops API's paths are "
                       "listed in jhops/server/openapi.yaml")

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        self._missing(path)

    @tornado.web.authenticated
    def post(self, path: str) -> None:
        self._missing(path)

    @tornado.web.authenticated
    def put(self, path: str) -> None:
        self._missing(path)

    @tornado.web.authenticated
    def patch(self, path: str) -> None:
        self._missing(path)

    @tornado.web.authenticated
    def delete(self, path: str) -> None:
        self._missing(path)
