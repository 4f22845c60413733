"""``GET|PUT /jhops/compute``: the launch settings that bare ``%%hops`` cells use."""

from __future__ import annotations

import tornado.web

from jhops.compute.settings import MODES, ComputeSettings, load_settings, save_settings
from jhops.server.base import JhopsHandler


class ComputeHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.finish({"settings": load_settings(self.project).to_dict(), "modes": MODES})

    @tornado.web.authenticated
    def put(self) -> None:
        settings = save_settings(self.project, ComputeSettings.from_dict(self.json_body()))
        self.finish({"settings": settings.to_dict(), "modes": MODES})
