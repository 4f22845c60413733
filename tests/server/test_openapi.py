"""openapi.yaml is a valid OpenAPI document, describes exactly the routes and verbs the server has, and its
contract check (which every server test runs on every answer, through conftest's ``jp_fetch``) fails on what it
does not describe."""

from __future__ import annotations

import json
import re

import pytest
import tornado.web
from openapi_spec_validator import validate

from jhops.server.routes import ROUTES
from tests.server.openapi_contract import SPEC, check_answer, schema_errors

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


def _schemas(node, where="#"):
    """Every schema object in the document, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from _schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schemas(value, f"{where}/{i}")


def test_no_object_schema_is_a_placeholder():
    """A bare ``type: object`` says nothing a client can rely on (openapi-typescript makes it Record<string, never>):
    each one lists its properties or says what its values are."""
    placeholders = [where for where, schema in _schemas(SPEC)
                    if "properties" not in schema and "additionalProperties" not in schema]
    assert not placeholders, placeholders


def test_closed_objects_require_only_what_they_declare():
    for where, schema in _schemas(SPEC):
        undeclared = set(schema.get("required", [])) - set(schema.get("properties", {}))
        assert not undeclared, f"{where} requires {undeclared} without declaring them"


class TestTheContractCheck:
    """``check_answer`` (which the ``jp_fetch`` fixture runs on every answer) fails on what the document does not
    describe."""

    def test_a_conforming_answer_passes(self):
        check_answer("GET", "/experiments/3/trials", 200, "application/json", b'{"trials": []}')
        check_answer("GET", "/experiments/abc", 404, "application/json", b'{"message": "No such path", "reason": "x"}')

    @pytest.mark.parametrize(("method", "path", "status", "body", "complaint"), [
        ("GET", "/experiments/3/trials", 200, b'{"trial": []}', "'trials' is a required property"),
        ("GET", "/experiments/3/trials", 200, b'{"trials": [], "more": 1}', "'more' was unexpected"),
        ("GET", "/status", 200, b'{"version": "1", "project": "p", "executors": ["yarn"], "python": "3"}',
         "'yarn' is not one of"),
        ("GET", "/status", 404, b'{"message": "x", "reason": "y"}', "does not document"),
        ("GET", "/status", 500, b'{"message": "x", "reason": "y"}', "does not document"),
        ("PUT", "/compute", 400, b'{"error": "x"}', "'message' is a required property"),
        ("PUT", "/compute", 400, b"<html>", "not JSON"),
        ("GET", "/no/such/path", 200, b"{}", "does not document"),
        ("POST", "/status", 500, b'{"message": "x", "reason": "y"}', "does not document"),
    ])
    def test_a_wrong_answer_fails(self, method, path, status, body, complaint):
        with pytest.raises(AssertionError, match=re.escape(complaint)):
            check_answer(method, path, status, "application/json", body)

    def test_a_json_answer_must_say_it_is_json(self):
        with pytest.raises(AssertionError, match="not JSON"):
            check_answer("GET", "/deployments", 200, "text/html", b'{"deployments": []}')

    async def test_the_fixture_checks_what_the_server_answers(self, jp_fetch, project_root, monkeypatch):
        from jhops.server.status import StatusHandler

        def wrong(handler):
            handler.finish({"version": "1", "project": "p", "executors": ["local"]})  # no "python"

        monkeypatch.setattr(StatusHandler, "get", tornado.web.authenticated(wrong))
        with pytest.raises(AssertionError, match="'python' is a required property"):
            await jp_fetch("jhops", "status")


def test_a_monitoring_report_with_drift_and_predictions_conforms():
    """The server tests' deployment has no training dataset: this report has drifting features, a reference and
    probabilities, as a deployment of the iceberg model has."""
    import numpy as np
    import pandas as pd

    from jhops.serving.monitoring import monitor_frame
    from tests.serving.monitoring.inference_logs import FEATURES, batches, log_frame, tabular

    live = batches(tabular(300, seed=5, shift=2.0), 10)
    probabilities = [1 / (1 + np.exp(-batch.sum(axis=1, keepdims=True))) for batch in live]
    train = pd.DataFrame(tabular(500, seed=4), columns=FEATURES).assign(label=1)
    report = monitor_frame(log_frame(live, probabilities), train, label="label").to_dict()
    assert report["drift"]["drifted"] == ["x1"] and report["predictions"]["kind"] == "probability"
    document = json.loads(json.dumps(report))
    assert schema_errors("/components/schemas/MonitoringReport", document) == []
