"""Every path under ``/jhops/`` answers JSON ``{"message": ...}``: unknown paths, ids that are not numbers or are
out of range, and verbs a resource does not have; none of them is a 500 or Jupyter's HTML page."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient

pytestmark = pytest.mark.usefixtures("project_root")

HUGE = "999999999999999999999999"  # beyond SQLite's 64-bit INTEGER


async def _refused(jp_fetch, *parts: str, method: str = "GET") -> tuple[int, dict, tornado.httpclient.HTTPResponse]:
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", *parts, method=method, body="{}" if method in ("POST", "PUT", "PATCH") else None)
    response = refused.value.response
    assert response is not None
    assert response.headers["Content-Type"].startswith("application/json")
    return refused.value.code, json.loads(response.body), response


# The answers any unknown id or version gets: the domain's lookups find nothing past an INTEGER's range
# (jhops.metadb.integer_equals) rather than failing on it.
@pytest.mark.parametrize(("parts", "message"), [
    (("experiments", HUGE), f"No experiment with id {HUGE} in this project."),
    (("experiments", HUGE, "trials"), f"No experiment with id {HUGE} in this project."),
    (("models", "doubler", HUGE),
     "No model named 'doubler'. No model is registered yet; add one with jhops.models.export(model, 'iceberg-cnn')."),
    (("featurestore", "groups", "iceberg", HUGE), "No feature group named 'iceberg'. There are no feature groups yet."),
    (("featurestore", "groups", "iceberg", HUGE, "statistics"),
     "No feature group named 'iceberg'. There are no feature groups yet."),
])
async def test_ids_out_of_range_are_404_with_a_message(jp_fetch, parts, message):
    code, body, _ = await _refused(jp_fetch, *parts)
    assert (code, body["message"]) == (404, message)


async def test_stopping_an_experiment_out_of_range_is_404(jp_fetch):
    code, body, _ = await _refused(jp_fetch, "experiments", HUGE, method="DELETE")
    assert (code, body["message"]) == (404, f"No experiment with id {HUGE} in this project.")


@pytest.mark.parametrize(("parts", "hint"), [
    (("experiments", "abc"), "'abc' must be a whole number"),
    (("experiments", "-1", "trials"), "'-1' must be a whole number"),
    (("models", "x", "abc"), "'abc' must be a whole number"),
    (("featurestore", "groups", "Iceberg", "1"), "'Iceberg' must be a lower-case name"),
    (("deployments", "iceberg", "restart"), "'restart' must be one of start, stop"),
])
async def test_a_path_of_a_known_shape_with_a_wrong_part_says_which(jp_fetch, parts, hint):
    code, body, _ = await _refused(jp_fetch, *parts)
    assert code == 404
    assert body["message"].startswith(f"No such path: /jhops/{'/'.join(parts)}") and hint in body["message"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["no-such-thing", "experiments/1/trials/2", "status/x", "featurestore"])
async def test_unknown_paths_are_404_json_naming_the_path(jp_fetch, path, method):
    code, body, _ = await _refused(jp_fetch, *path.split("/"), method=method)
    assert code == 404
    assert body["message"].startswith(f"No such path: /jhops/{path}")
    assert "openapi.yaml" in body["message"]  # where the paths are listed


@pytest.mark.parametrize(("parts", "method", "allowed"), [
    (("status",), "DELETE", "GET"),
    (("experiments",), "POST", "GET"),
    (("experiments", "1"), "PUT", "DELETE, GET"),
    (("compute",), "POST", "GET, PUT"),
    (("deployments", "x", "predict"), "GET", "POST"),
])
async def test_a_verb_a_resource_lacks_is_405_json_with_the_allowed_ones(jp_fetch, parts, method, allowed):
    code, body, response = await _refused(jp_fetch, *parts, method=method)
    assert code == 405
    assert body["message"] == f"{method} is not allowed on /jhops/{'/'.join(parts)}; allowed: {allowed}"
    assert response.headers["Allow"] == allowed
