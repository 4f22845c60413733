"""Domain errors become JSON HTTP answers in one place, ``JhopsHandler.write_error``."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient
import tornado.web
from jupyter_server.utils import url_path_join

from jhops.experiments.store import ExperimentNotFound
from jhops.extras import MissingExtraError
from jhops.server.base import JhopsHandler, NotFound, status_for

ERRORS = {
    "value": ValueError("lr must be positive, got -1"),
    "not-found": NotFound("No feature group fraud/3 in this project."),
    "lookup": ExperimentNotFound("No experiment with id 7 in this project."),
    "key": KeyError("oops"),
    "runtime": RuntimeError("secret internal detail"),
    "http": tornado.web.HTTPError(409, "already running"),
    "extra": MissingExtraError("featurestore", "the feature store", ["deltalake"]),
}


class RaisingHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, kind: str) -> None:
        raise ERRORS[kind]


@pytest.fixture
def raising_route(jp_serverapp, jp_base_url):
    jp_serverapp.web_app.add_handlers(
        # beside /jhops/, whose catch-all route (mounted first) would answer this path with a 404
        ".*$", [(url_path_join(jp_base_url, "jhops-test-raise", "(?P<kind>[a-z-]+)"), RaisingHandler)]
    )


async def fetch_error(jp_fetch, kind: str) -> tuple[int, dict]:
    with pytest.raises(tornado.httpclient.HTTPClientError) as raised:
        await jp_fetch("jhops-test-raise", kind)
    response = raised.value.response
    assert response is not None
    assert response.headers["Content-Type"].startswith("application/json")
    return raised.value.code, json.loads(response.body)


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        ("value", 400, "lr must be positive, got -1"),
        ("not-found", 404, "No feature group fraud/3 in this project."),
        ("lookup", 404, "No experiment with id 7 in this project."),
        ("http", 409, "already running"),
        ("extra", 501, "the feature store needs the 'featurestore' extra of jhops (deltalake not installed): "
                       "pip install 'jhops[featurestore]'"),
    ],
)
async def test_domain_errors_are_answered_with_their_message(jp_fetch, raising_route, kind, status, message):
    code, body = await fetch_error(jp_fetch, kind)

    assert code == status
    assert body["message"] == message


@pytest.mark.parametrize("kind", ["runtime", "key"])
async def test_bugs_are_500_without_their_details(jp_fetch, raising_route, kind):
    code, body = await fetch_error(jp_fetch, kind)

    assert code == 500
    assert "secret" not in body["message"]
    assert "oops" not in body["message"]


def test_status_for_maps_domain_errors():
    assert status_for(ValueError("x")) == 400
    assert status_for(NotFound("x")) == 404
    assert status_for(ExperimentNotFound("x")) == 404
    assert status_for(tornado.web.HTTPError(418)) == 418
    assert status_for(KeyError("x")) is None
    assert status_for(IndexError("x")) is None
    assert status_for(RuntimeError("x")) is None
    from jhops.serving.errors import DeploymentNotFoundError, InferenceRequestError

    assert status_for(InferenceRequestError("the model raised", 500)) == 502
    assert status_for(InferenceRequestError("wrong shape", 400)) == 400
    assert status_for(DeploymentNotFoundError("x")) == 404


def test_a_model_server_that_fails_to_start_is_not_the_callers_mistake():
    from jhops.serving.errors import DeploymentStartError

    failed = DeploymentStartError("deployment 'x': the model server exited", log_tail="Traceback ...")
    assert not isinstance(failed, ValueError)  # `except ValueError` (bad input) must not swallow it
    assert status_for(failed) == 502
