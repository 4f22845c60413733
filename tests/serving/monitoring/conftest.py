"""Fixtures for monitoring tests: a project with a tabular and an image training dataset, and models trained on
them (one without a training dataset)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops import models
from jhops.datasets import iceberg
from jhops.project import Project
from jhops.serving import monitoring
from tests.serving.monitoring.inference_logs import FEATURES, SCORER, tabular


@pytest.fixture(scope="session")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A project shared by the monitoring tests: a tabular and an image training dataset, and models trained on them."""
    path = str(tmp_path_factory.mktemp("monitoring") / "project")
    fs = Project(path).get_feature_store()
    x = tabular(800, seed=1)
    rows = pd.DataFrame(x, columns=FEATURES)
    rows.insert(0, "id", np.arange(len(rows)))  # a numeric primary key: not a feature, never mapped to inputs
    rows["label"] = (rows.x0 > 0).astype("int64")
    fg = fs.create_feature_group("sensors", primary_key=["id"])
    fg.insert(rows)
    fs.create_training_dataset("sensors_td", fg, splits={"train": 0.8, "test": 0.2}, label=["label"])
    chips = iceberg.add_band_avg(iceberg.synthetic_frame(n=240, seed=1))
    chips["inc_angle"] = chips["inc_angle"].fillna(39.0)
    bands = fs.create_feature_group("chips", primary_key=["id"])
    bands.insert(chips)
    fs.create_training_dataset("chips_td", bands, splits={"train": 0.8, "test": 0.2}, label=["is_iceberg"])
    scorer = Path(path).parent / "scorer.py"
    scorer.write_text(SCORER)
    models.export(str(scorer), "scorer", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 4), "float32"), training_dataset="sensors_td", project=path)
    models.export(str(scorer), "chip-scorer", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 75, 75, 3), "float32"), training_dataset="chips_td", project=path)
    models.export(str(scorer), "untracked", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 4), "float32"), project=path)
    yield path
    monitoring.clear_cache()


@pytest.fixture(scope="session")
def sensors_td(root: str) -> Any:
    return Project(root).get_feature_store().get_training_dataset("sensors_td")


@pytest.fixture(scope="session")
def chips_td(root: str) -> Any:
    return Project(root).get_feature_store().get_training_dataset("chips_td")
