"""The route table of the jhops API: patterns relative to ``<base_url>/jhops/``, one handler each."""

from __future__ import annotations

from jhops.server.status import StatusHandler

ROUTES: list[tuple[str, type]] = [
    (r"status", StatusHandler),
]
