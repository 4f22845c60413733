"""``GET|PUT /jhops/compute``: launch settings saved in the project, validated, read back by kernels."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient

from jhops.compute.settings import load_settings
from jhops.project import Project


async def test_defaults_then_a_saved_change(jp_fetch, project_root):
    body = json.loads((await jp_fetch("jhops", "compute")).body)
    assert body["settings"]["mode"] == "experiment" and body["modes"]["parallel"] == "Parallel Experiments"
    wanted = {"mode": "parallel", "executor": "spark", "workers": 3, "gpus_per_worker": 0,
              "spark_master": "local[3]", "memory_per_worker": "4g"}
    saved = json.loads((await jp_fetch("jhops", "compute", method="PUT", body=json.dumps(wanted))).body)
    assert saved["settings"] == wanted
    assert json.loads((await jp_fetch("jhops", "compute")).body)["settings"] == wanted
    assert load_settings(Project(project_root)).workers == 3  # what a kernel opening the project sees


@pytest.mark.parametrize(("body", "message"), [
    ({"workers": 0}, "workers must be a whole number from 1 to 1024"),
    ({"mode": "batch"}, "mode must be one of experiment, parallel, distributed"),
    ({"executor": "spark", "spark_master": "http://x"}, "spark_master must look like"),
    ({"memory_per_worker": "lots"}, "memory_per_worker must look like 512m or 4g"),
    ({"wokers": 2}, "Unknown compute setting(s) ['wokers']"),
    ([1, 2], "must be a JSON object"),
])
async def test_bad_settings_are_400_and_change_nothing(jp_fetch, project_root, body, message):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "compute", method="PUT", body=json.dumps(body))
    assert refused.value.code == 400
    assert message in json.loads(refused.value.response.body)["message"]
    assert json.loads((await jp_fetch("jhops", "compute")).body)["settings"]["workers"] == 2


async def test_a_body_that_is_not_json_is_400(jp_fetch, project_root):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "compute", method="PUT", body="workers=2")
    assert refused.value.code == 400 and "not JSON" in json.loads(refused.value.response.body)["message"]


async def test_a_mode_of_the_wrong_type_is_400(jp_fetch, project_root):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "compute", method="PUT", body=json.dumps({"mode": []}))
    assert refused.value.code == 400
    assert "mode must be one of" in json.loads(refused.value.response.body)["message"]
