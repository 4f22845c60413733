"""Fixtures for the jhops server extension: a jupyter server with jhops enabled and a temporary project."""

from __future__ import annotations

import pytest

# pytest-jupyter's fixtures and hooks, for the tests of this folder only. A `pytest_plugins` list would
# do the same, but pytest refuses it in a conftest below the rootdir once the whole suite is collected.
from pytest_jupyter.jupyter_server import *  # noqa: F403


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
