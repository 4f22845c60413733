"""Feature store fixtures: a store in a fresh project, and small iceberg-like frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops.featurestore import Expectation, Rule


@pytest.fixture
def fs(project: Any) -> Any:
    return project.get_feature_store()


def chips(n: int = 20, seed: int = 0, start: int = 0, length: int = 16) -> pd.DataFrame:
    """Rows shaped like the iceberg features: id, two float32 bands, their mean, an angle, a label."""
    rng = np.random.default_rng(seed)
    band_1 = [rng.normal(-20, 4, length).astype("float32") for _ in range(n)]
    band_2 = [rng.normal(-26, 3, length).astype("float32") for _ in range(n)]
    return pd.DataFrame({
        "id": [f"{i:08x}" for i in range(start, start + n)],
        "band_1": band_1,
        "band_2": band_2,
        "band_avg": [(a + b) / 2 for a, b in zip(band_1, band_2, strict=True)],
        "inc_angle": rng.uniform(30, 45, n).round(4),
        "is_iceberg": rng.integers(0, 2, n),
    })


def iceberg_rules(length: int = 16) -> list[Expectation]:
    return [
        Expectation("id", ["id"], [Rule("HAS_COMPLETENESS", min=1.0), Rule("HAS_UNIQUENESS", min=1.0)]),
        Expectation("label", ["is_iceberg"], [Rule("HAS_MIN", min=0), Rule("HAS_MAX", max=1),
                                              Rule("HAS_DATATYPE", accepted_type="Integral")]),
        Expectation("bands", ["band_1", "band_2"], [Rule("HAS_LENGTH", value=length), Rule("IS_FINITE"),
                                                    Rule("HAS_ELEMENT_RANGE", min=-80, max=40)]),
    ]


@pytest.fixture
def frame() -> pd.DataFrame:
    return chips()
