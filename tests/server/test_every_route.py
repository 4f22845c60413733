"""Every route refuses a request without the token, and is served under a non-root base_url."""

from __future__ import annotations

import pytest
import tornado.httpclient

from jhops.server.routes import FALLBACK, ROUTES

#: a concrete URL for each route pattern, after its verb where that is not GET (the compare below fails when a
#: route is added without one)
EXAMPLES = {
    r"status": "status",
    r"compute": "compute",
    r"experiments": "experiments",
    r"experiments/([0-9]+)": "experiments/1",
    r"experiments/([0-9]+)/trials": "experiments/1/trials",
    r"featurestore/groups": "featurestore/groups",
    r"featurestore/groups/([a-z][a-z0-9_]*)/([0-9]+)": "featurestore/groups/iceberg/1",
    r"featurestore/groups/([a-z][a-z0-9_]*)/([0-9]+)/statistics": "featurestore/groups/iceberg/1/statistics",
    r"featurestore/groups/([a-z][a-z0-9_]*)/([0-9]+)/preview": "featurestore/groups/iceberg/1/preview",
    r"featurestore/search": "featurestore/search?q=x",
    r"models": "models",
    r"models/([^/]+)": "models/iceberg-cnn",
    r"models/([^/]+)/([0-9]+)": "models/iceberg-cnn/1",
    r"deployments": "deployments",
    r"deployments/([^/]+)": "deployments/iceberg",
    r"deployments/([^/]+)/(start|stop)": "POST deployments/iceberg/start",
    r"deployments/([^/]+)/predict": "POST deployments/iceberg/predict",
    r"deployments/([^/]+)/monitoring": "deployments/iceberg/monitoring",
    FALLBACK[0]: "POST no/such/path",
}
pytestmark = pytest.mark.usefixtures("project_root")


def test_every_route_has_an_example():
    assert sorted(EXAMPLES) == sorted(pattern for pattern, _ in [*ROUTES, FALLBACK])


@pytest.mark.parametrize("path", sorted(EXAMPLES.values()))
async def test_every_route_refuses_a_missing_token(jp_fetch, jp_http_port, jp_base_url, path):
    assert (await jp_fetch("jhops", "status")).code == 200  # the server answers; the token is what is missing
    method, _, path = path.rpartition(" ")
    client = tornado.httpclient.AsyncHTTPClient()
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await client.fetch(f"http://localhost:{jp_http_port}{jp_base_url}jhops/{path}", follow_redirects=False,
                           method=method or "GET", body="{}" if method else None)
    assert refused.value.code in (401, 403)


class TestUnderABaseUrl:
    @pytest.fixture
    def jp_base_url(self):
        return "/prefix/"

    @pytest.mark.parametrize("path", ["compute", "experiments", "featurestore/groups", "models", "deployments"])
    async def test_served_under_the_base_url(self, jp_fetch, path):
        response = await jp_fetch("jhops", *path.split("/"))
        assert response.code == 200 and "/prefix/jhops/" in response.effective_url
