"""``/jhops/featurestore``: groups, one group, statistics, preview rows, search; and the errors."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient

from jhops.project import Project
from tests.featurestore.conftest import chips, iceberg_rules


@pytest.fixture
def group(project_root):
    fs = Project(project_root).get_feature_store()
    fg = fs.create_feature_group("iceberg", primary_key=["id"], description="SAR chips", expectations=iceberg_rules())
    fg.insert(chips(12))
    fg.add_tag("sensor", "Sentinel-1")
    return fg


async def _json(jp_fetch, *parts, **kwargs):
    return json.loads((await jp_fetch("jhops", "featurestore", *parts, **kwargs)).body)


async def test_groups_detail_statistics_preview_and_search(jp_fetch, group):
    groups = (await _json(jp_fetch, "groups"))["feature_groups"]
    assert [(g["name"], g["version"], g["rows"], g["commits"]) for g in groups] == [("iceberg", 1, 12, 1)]
    detail = await _json(jp_fetch, "groups", "iceberg", "1")
    assert detail["versions"] == [1] and detail["tags"] == {"sensor": "Sentinel-1"}
    assert [c["delta_version"] for c in detail["commit_log"]] == [0]
    assert detail["validation_reports"][0]["status"] == "SUCCESS"
    assert [f["name"] for f in detail["features"]][:2] == ["id", "band_1"]
    stats = await _json(jp_fetch, "groups", "iceberg", "1", "statistics")
    assert stats["statistics"]["rows"] == 12
    assert len(stats["statistics"]["columns"]["inc_angle"]["histogram"]["counts"]) == 20
    assert (await _json(jp_fetch, "groups", "iceberg", "1", "statistics", params={"commit": "0"}))["commit"] == 0
    preview = await _json(jp_fetch, "groups", "iceberg", "1", "preview", params={"n": "3"})
    assert len(preview["rows"]) == 3 and preview["rows"][0]["band_1"]["length"] == 16
    hits = (await _json(jp_fetch, "search", params={"q": "band"}))["hits"]
    assert {h["feature"] for h in hits if h["kind"] == "feature"} == {"band_1", "band_2", "band_avg"}


@pytest.mark.parametrize(("parts", "params", "code", "message"), [
    (("groups", "nothing", "1"), None, 404, "No feature group named 'nothing'"),
    (("groups", "iceberg", "7"), None, 404, "has no version 7"),
    (("groups", "iceberg", "1", "statistics"), {"commit": "5"}, 400, "No statistics for commit 5"),
    (("groups", "iceberg", "1", "preview"), {"n": "0"}, 400, "must be at least 1"),
    (("search",), {"q": " "}, 400, "Search needs text"),
])
async def test_bad_requests(jp_fetch, group, parts, params, code, message):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "featurestore", *parts, params=params or {})
    assert refused.value.code == code
    assert message in json.loads(refused.value.response.body)["message"]
