"""The jhops jupyter-server extension: a thin HTTP adapter over the domain packages.

Every route lives under ``<base_url>/jhops/``; the route table is :data:`jhops.server.routes.ROUTES`.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

NAMESPACE = "jhops"


def handlers(base_url: str) -> list[tuple[Any, ...]]:
    """The tornado handler specs of :data:`~jhops.server.routes.ROUTES` mounted under ``base_url``, then the
    :data:`~jhops.server.routes.FALLBACK` that answers any other path under it with a JSON 404."""
    from jhops.server.routes import FALLBACK, ROUTES

    specs: list[tuple[Any, ...]] = [(url_path_join(base_url, NAMESPACE, pattern), handler)
                                    for pattern, handler in ROUTES]
    pattern, handler = FALLBACK
    return [*specs, (url_path_join(base_url, NAMESPACE, pattern), handler, {"routes": ROUTES})]


def load_extension(server_app: Any) -> None:
    """Register the jhops handlers on a running jupyter server."""
    web_app = server_app.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", handlers(base_url))
    server_app.log.info("jhops: server extension loaded at %s", url_path_join(base_url, NAMESPACE))
