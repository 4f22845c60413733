"""``GET /jhops/status`` through a real jupyter server (pytest-jupyter)."""

from __future__ import annotations

import importlib.util
import json
import platform

import pytest
import tornado.httpclient

import jhops
from jhops.extras import installed_extras

pytestmark = pytest.mark.usefixtures("project_root")


def expected_executors() -> list[str]:
    return ["local", "spark"] if importlib.util.find_spec("pyspark") else ["local"]


async def test_status_answers_version_project_and_executors(jp_fetch, project_root):
    response = await jp_fetch("jhops", "status")

    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    assert body == {
        "version": jhops.__version__,
        "project": str(project_root),
        "executors": expected_executors(),
        "python": platform.python_version(),
        "extras": installed_extras(),
    }
    assert body["extras"]["featurestore"] and body["extras"]["serving"]  # the test environment has every extra
    assert project_root.is_dir(), "the project is created on the first request"


async def test_status_does_not_create_the_project_before_a_request(jp_serverapp, project_root):
    assert not project_root.exists()


async def test_status_refuses_a_request_without_the_token(jp_fetch, jp_http_port, jp_base_url):
    # The same request with the token is answered: so the 403 below is the missing token's doing.
    assert (await jp_fetch("jhops", "status")).code == 200

    client = tornado.httpclient.AsyncHTTPClient()
    url = f"http://localhost:{jp_http_port}{jp_base_url}jhops/status"
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await client.fetch(url, follow_redirects=False)
    assert refused.value.code in (401, 403)


async def test_status_refuses_a_wrong_token(jp_fetch):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "status", headers={"Authorization": "token not-the-token"})
    assert refused.value.code in (401, 403)


async def test_unknown_route_under_jhops_is_404(jp_fetch):
    with pytest.raises(tornado.httpclient.HTTPClientError) as missing:
        await jp_fetch("jhops", "no-such-thing")
    assert missing.value.code == 404


class TestNonRootBaseUrl:
    @pytest.fixture
    def jp_base_url(self):
        return "/a%40b/"

    async def test_status_is_served_under_the_base_url(self, jp_fetch, jp_base_url, project_root):
        response = await jp_fetch("jhops", "status")

        assert response.code == 200
        assert response.effective_url.split("?")[0].endswith("/a%40b/jhops/status")
        assert json.loads(response.body)["project"] == str(project_root)

    async def test_status_is_not_served_at_the_root(self, jp_fetch, jp_http_port, jp_auth_header):
        client = tornado.httpclient.AsyncHTTPClient()
        with pytest.raises(tornado.httpclient.HTTPClientError) as missing:
            await client.fetch(f"http://localhost:{jp_http_port}/jhops/status", headers=jp_auth_header)
        assert missing.value.code == 404
