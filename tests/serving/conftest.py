"""Fixtures for serving tests: a project with registered models, and deployments always stopped afterwards."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jhops import models, serving

PREDICTORS = Path(__file__).parent / "predictors" / "echo.py"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A project folder shared by the tests of one module, with a Doubler, a Fussy and a Greeter model."""
    path = str(tmp_path_factory.mktemp("serving") / "project")
    example = np.zeros((2, 3), dtype="float32")
    for name, cls, ex in [("doubler", "Doubler", example), ("fussy", "Fussy", example), ("greeter", "Greeter", None)]:
        models.export(str(PREDICTORS), name, framework="python", predictor_class=cls, input_example=ex,
                      project=path)
    return path


@pytest.fixture(scope="module")
def deploy(root: str) -> Iterator[Callable[..., serving.Deployment]]:
    """``deploy(name, model_name, **options)``: a started deployment, deleted when the module's tests end."""
    made: list[serving.Deployment] = []

    def make(name: str, model_name: str, start: bool = True, **options: Any) -> serving.Deployment:
        deployment = serving.create_or_update(name, model_name, project=root, **options)
        made.append(deployment)
        if start:
            deployment.start(timeout=60)
        return deployment

    yield make
    for deployment in made:
        if os.path.isdir(deployment.folder):
            deployment.stop(timeout=10)
            shutil.rmtree(deployment.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def key_headers(root: str) -> dict[str, str]:
    """The headers that carry the project's API key."""
    return {"Authorization": f"Bearer {serving.api_key(root)}"}
