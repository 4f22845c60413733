"""``GET /jhops/status``: what the server extension runs with."""

from __future__ import annotations

import importlib.util
import platform

import tornado.web

import jhops
from jhops.extras import installed_extras
from jhops.server.base import JhopsHandler


def available_executors() -> list[str]:
    """The executors this server can run trials on; ``spark`` only where pyspark is installed."""
    executors = ["local"]
    if importlib.util.find_spec("pyspark") is not None:
        executors.append("spark")
    return executors


class StatusHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.finish(
            {
                "version": jhops.__version__,
                "project": self.project.url,
                "executors": available_executors(),
                "python": platform.python_version(),
                # which optional parts are installed: the sidebar says what a missing one would bring
                "extras": installed_extras(),
            }
        )
