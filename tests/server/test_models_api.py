"""``/jhops/models``: the registry's models and versions over REST, and the errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tornado.httpclient

from jhops import models
from tests.serving.conftest import PREDICTORS


@pytest.fixture
def registered(project_root):
    example = np.zeros((2, 3), dtype="float32")
    for accuracy in (0.7, 0.9):
        models.export(str(PREDICTORS), "doubler", framework="python", predictor_class="Doubler",
                      input_example=example, metrics={"accuracy": accuracy}, project=str(project_root))
    models.export(str(PREDICTORS), "greeter", framework="python", predictor_class="Greeter",
                  project=str(project_root))


async def _json(jp_fetch, *parts):
    return json.loads((await jp_fetch("jhops", "models", *parts)).body)


async def test_models_with_their_versions_and_one_version(jp_fetch, registered):
    listed = (await _json(jp_fetch))["models"]
    assert [(m["name"], [v["version"] for v in m["versions"]], m["latest"]["version"]) for m in listed] == [
        ("doubler", [1, 2], 2), ("greeter", [1], 1)]
    one = await _json(jp_fetch, "doubler")
    assert one["latest"]["metrics"] == {"accuracy": 0.9} and one["latest"]["framework"] == "python"
    version = await _json(jp_fetch, "doubler", "1")
    assert version["metrics"] == {"accuracy": 0.7}
    assert version["signature"]["inputs"][0]["shape"] == [None, 3]


async def test_an_empty_registry(jp_fetch, project_root):
    assert (await _json(jp_fetch))["models"] == []


@pytest.mark.parametrize("parts, code, message", [
    (("nothing",), 404, "No model named 'nothing'"),
    (("doubler", "7"), 404, "7"),
    (("Bad Name!",), 404, "No model named 'Bad Name!'"),
])
async def test_unknown_models_are_404_with_the_registry_message(jp_fetch, registered, parts, code, message):
    with pytest.raises(tornado.httpclient.HTTPClientError) as error:
        await jp_fetch("jhops", "models", *parts)
    assert error.value.code == code
    assert message in json.loads(error.value.response.body)["message"]
