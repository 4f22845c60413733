"""Fixtures for the jhops server extension: a jupyter server with jhops enabled, a temporary project, and a
``jp_fetch`` that checks every answer against ``openapi.yaml``."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import tornado.httpclient

# pytest-jupyter's fixtures and hooks, for the tests of this folder only. A `pytest_plugins` list would
# do the same, but pytest refuses it in a conftest below the rootdir once the whole suite is collected.
from pytest_jupyter.jupyter_server import *  # noqa: F403

# The same client under another name: the plain one, for what the contract does not cover (its own tests).
from pytest_jupyter.jupyter_server import jp_fetch as jp_fetch_unchecked  # noqa: F401

from tests.server.openapi_contract import check_answer


@pytest.fixture
def jp_server_config():
    """A server with the jhops extension only (and token authentication, pytest-jupyter's default)."""
    return {"ServerApp": {"jpserver_extensions": {"jhops": True}}}


@pytest.fixture
def project_root(tmp_path, monkeypatch):
    """A fresh project root for the server under test (``$JHOPS_PROJECT``)."""
    root = tmp_path / "project"
    monkeypatch.setenv("JHOPS_PROJECT", str(root))
    monkeypatch.delenv("JHOPS_DB_URL", raising=False)
    return root


def check_jhops_answer(response: tornado.httpclient.HTTPResponse, method: str, base_url: str) -> None:
    """Check an answer under ``<base_url>jhops/`` against openapi.yaml (AssertionError when it breaks it)."""
    path = urlsplit(response.effective_url).path
    prefix = base_url.rstrip("/") + "/jhops"
    if path != prefix and not path.startswith(prefix + "/"):
        return  # not the jhops API (a test's own route)
    check_answer(method, path[len(prefix):], response.code, response.headers.get("Content-Type", ""),
                 response.body or b"")


@pytest.fixture
def jp_fetch(jp_fetch_unchecked, jp_base_url):  # noqa: F811 (the fixture above, requested by name)
    """pytest-jupyter's ``jp_fetch``, with every answer of the jhops API (errors too) checked against
    openapi.yaml: a documented status, and a body that conforms to that status's schema."""

    async def fetch(*parts, **kwargs):
        method = kwargs.get("method", "GET")
        try:
            response = await jp_fetch_unchecked(*parts, **kwargs)
        except tornado.httpclient.HTTPClientError as error:
            if error.response is not None:
                check_jhops_answer(error.response, method, jp_base_url)
            raise
        check_jhops_answer(response, method, jp_base_url)
        return response

    return fetch
