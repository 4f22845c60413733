"""Shared fixtures: a fresh project per test, and one local[2] SparkSession for the whole run."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from jhops.project import Project

# Spark on loopback only, without its web UI; executors run this interpreter.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("JHOPS_SPARK_UI", "0")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def project(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    monkeypatch.setenv("JHOPS_PROJECT", str(root))
    return Project(root)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from jhops.compute.spark import get_or_create_session

    session = get_or_create_session("local[2]", workers=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
