"""``/jhops/models``: the model registry's models, each with its versions, metrics, signature and provenance."""

from __future__ import annotations

from typing import Any

import tornado.web

from jhops.server.base import JhopsHandler


def _versions_by_name(versions: list[Any]) -> list[dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for version in versions:
        data = version.to_dict()
        model = models.setdefault(version.name, {"name": version.name, "versions": []})
        model["versions"].append(data)
        model["latest"] = data  # list_models orders by name, then version
    return list(models.values())


class ModelsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        registry = self.project.get_model_registry()
        self.finish({"models": _versions_by_name(registry.list_models())})


class ModelHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str) -> None:
        registry = self.project.get_model_registry()
        registry.get_model(name)  # a 404 with the registry's message when there is no such model
        self.finish(_versions_by_name(registry.list_models(name))[0])


class ModelVersionHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str, version: str) -> None:
        self.finish(self.project.get_model_registry().get_model(name, int(version)).to_dict())
