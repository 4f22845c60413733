"""``/jhops/deployments``: list, detail, start and stop, a test request through the server, and the errors.

One real model server is started (a registered "python" predictor), as the sidebar's buttons would."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tornado.httpclient

from jhops import models, serving
from tests.serving.conftest import PREDICTORS


@pytest.fixture
def deployment(project_root):
    root = str(project_root)
    models.export(str(PREDICTORS), "doubler", framework="python", predictor_class="Doubler",
                  input_example=np.zeros((2, 3), dtype="float32"), project=root)
    made = serving.create_or_update("doubler-api", "doubler", project=root)
    yield made
    made.stop(timeout=10)


@pytest.fixture
def fussy(project_root):
    root = str(project_root)
    models.export(str(PREDICTORS), "fussy", framework="python", predictor_class="Fussy", project=root)
    made = serving.create_or_update("fussy-api", "fussy", project=root)
    made.start(timeout=60)
    yield made
    made.stop(timeout=10)


async def _call(jp_fetch, *parts, **kwargs):
    return json.loads((await jp_fetch("jhops", "deployments", *parts, **kwargs)).body)


async def _fails(jp_fetch, *parts, **kwargs):
    with pytest.raises(tornado.httpclient.HTTPClientError) as error:
        await jp_fetch("jhops", "deployments", *parts, **kwargs)
    return error.value.code, json.loads(error.value.response.body)["message"]


async def test_start_predict_and_stop_through_the_server(jp_fetch, deployment, monkeypatch, capfd):
    monkeypatch.setattr("jhops.progress_bar.DELAY_S", 0.0)  # a bar would show at once
    listed = (await _call(jp_fetch))["deployments"]
    assert [(d["name"], d["state"], d["model_name"], d["model_version"]) for d in listed] == [
        ("doubler-api", "CREATED", "doubler", 1)]
    started = await _call(jp_fetch, "doubler-api", "start", method="POST", body="")
    assert started["state"] == "RUNNING" and started["url"].startswith("http://127.0.0.1:")
    assert "start doubler-api" not in capfd.readouterr().err  # no progress bar drawn into the server's log
    detail = await _call(jp_fetch, "doubler-api")
    assert detail["state"] == "RUNNING" and detail["framework"] == "python"
    assert detail["inference_logging"] == "ALL"
    answer = await _call(jp_fetch, "doubler-api", "predict", method="POST",
                         body=json.dumps({"instances": [[1, 2, 3]]}))
    assert answer == {"predictions": [[2.0, 4.0, 6.0]]}
    code, message = await _fails(jp_fetch, "doubler-api", "predict", method="POST",
                                 body=json.dumps({"instances": [[1, 2]]}))
    assert code == 400 and "shape" in message
    stopped = await _call(jp_fetch, "doubler-api", "stop", method="POST", body="")
    assert stopped["state"] == "STOPPED" and stopped["url"] is None
    # the test requests went through the deployment's API key and into its inference log
    assert len(deployment.read_inference_log()) == 2
    report = await _call(jp_fetch, "doubler-api", "monitoring", params={"bucket_s": "1"})
    assert report["requests"]["count"] == 2 and report["requests"]["errors"] == 1
    assert report["window"]["bucket_s"] == 1
    assert "training dataset" in report["drift"]["note"]  # this model has none: traffic only, and why
    code, message = await _fails(jp_fetch, "doubler-api", "monitoring", params={"bucket_s": "soon"})
    assert code == 400 and "bucket_s must be a number of seconds" in message


@pytest.mark.parametrize("body, message", [
    ("not json", "not JSON"),
    (json.dumps({"inputs": [1]}), "instances"),
    (json.dumps({"instances": []}), "instances"),
])
async def test_bad_test_requests_are_400(jp_fetch, deployment, body, message):
    code, text = await _fails(jp_fetch, "doubler-api", "predict", method="POST", body=body)
    assert code == 400 and message in text


async def test_a_model_that_raises_is_a_bad_gateway_with_its_message(jp_fetch, fussy):
    with pytest.raises(tornado.httpclient.HTTPClientError) as error:
        await jp_fetch("jhops", "deployments", "fussy-api", "predict", method="POST",
                       body=json.dumps({"instances": [[-1.0, 2.0]]}))
    assert error.value.code == 502
    assert "negative values break this model" in json.loads(error.value.response.body)["message"]
    answer = await _call(jp_fetch, "fussy-api", "predict", method="POST", body=json.dumps({"instances": [[1, 2]]}))
    assert answer == {"predictions": [3.0]}  # the model server is still up


async def test_a_model_server_that_fails_to_start_is_a_bad_gateway_with_its_log(jp_fetch, project_root):
    """Not the caller's fault (it was a 400): a 502, as for any upstream that failed, with the server's log."""
    models.export(str(PREDICTORS), "doubler", framework="python", predictor_class="Doubler", project=str(project_root))
    serving.create_or_update("broken-api", "doubler", project=str(project_root), predictor_loader="json:no_loader")
    with pytest.raises(tornado.httpclient.HTTPClientError) as error:
        await jp_fetch("jhops", "deployments", "broken-api", "start", method="POST", body="")
    assert error.value.code == 502
    body = json.loads(error.value.response.body)
    assert "could not load model 'doubler'" in body["message"]
    assert "AttributeError" in body["log_tail"] and "no_loader" in body["log_tail"]
    assert (await _call(jp_fetch, "broken-api"))["state"] == "FAILED"


async def test_a_request_to_a_stopped_deployment_says_how_to_start_it(jp_fetch, deployment):
    code, message = await _fails(jp_fetch, "doubler-api", "predict", method="POST",
                                 body=json.dumps({"instances": [[1, 2, 3]]}))
    assert code == 400 and "not RUNNING" in message


@pytest.mark.parametrize("parts, method", [(("ghost",), "GET"), (("ghost", "start"), "POST"),
                                           (("ghost", "monitoring"), "GET")])
async def test_unknown_deployments_are_404(jp_fetch, project_root, parts, method):
    code, message = await _fails(jp_fetch, *parts, method=method, body="" if method == "POST" else None)
    assert code == 404 and "ghost" in message


async def test_an_unknown_action_is_not_a_route(jp_fetch, deployment):
    with pytest.raises(tornado.httpclient.HTTPClientError) as error:
        await jp_fetch("jhops", "deployments", "doubler-api", "restart", method="POST", body="")
    assert error.value.code == 404


@pytest.mark.parametrize(("params", "message"), [
    ({"since": "1e30"}, "since must be at most"),  # beyond any log timestamp: was an OverflowError, a 500
    ({"until": "nan"}, "until must be a Unix time in seconds, got 'nan'"),
    ({"since": "inf"}, "since must be a Unix time in seconds, got 'inf'"),
    ({"bucket_s": "0"}, "bucket_s must be at least 0.001"),
])
async def test_monitoring_window_arguments_out_of_range_are_400(jp_fetch, deployment, params, message):
    code, text = await _fails(jp_fetch, "doubler-api", "monitoring", params=params)
    assert code == 400 and message in text
