"""openapi.yaml is a valid OpenAPI document and describes exactly the routes and verbs the server has."""

from __future__ import annotations

import re
from pathlib import Path

import tornado.web
import yaml
from openapi_spec_validator import validate

import jhops.server
from jhops.server.routes import ROUTES

SPEC = yaml.safe_load((Path(jhops.server.__file__).parent / "openapi.yaml").read_text())
VERBS = ("get", "put", "post", "delete", "patch")


def _template(pattern: str) -> str:
    """``experiments/([0-9]+)/trials`` -> ``/experiments/{}/trials``."""
    return "/" + re.sub(r"\([^)]*\)", "{}", pattern)


def _verbs(handler: type[tornado.web.RequestHandler]) -> set[str]:
    return {v for v in VERBS if getattr(handler, v) is not tornado.web.RequestHandler._unimplemented_method}


def test_the_document_is_valid_openapi():
    validate(SPEC)


def test_the_document_lists_every_route_with_its_verbs_and_nothing_else():
    served = {_template(pattern): _verbs(handler) for pattern, handler in ROUTES}
    documented = {re.sub(r"\{[^}]+\}", "{}", path): {v for v in operations if v in VERBS}
                  for path, operations in SPEC["paths"].items()}
    assert documented == served


def test_every_operation_documents_the_missing_token():
    for path, operations in SPEC["paths"].items():
        for verb, operation in operations.items():
            if verb in VERBS:
                assert "403" in operation["responses"], f"{verb.upper()} {path} does not document 403"
