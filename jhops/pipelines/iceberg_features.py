"""Iceberg ingestion: the chips into the ``iceberg`` feature group, validated, then the 80/20 training dataset.

The rules are those of the original pipeline (``id`` complete and unique; ``is_iceberg`` numeric, between 0 and
1) plus rules for the SAR bands (5625 finite values per chip, in a plausible dB range) and warnings on the
incidence angle, which the Kaggle data leaves out ("na") for about 8% of the chips.

Example::

    fs = jhops.featurestore()
    fg = ingest(fs, iceberg.load("train.json"))
    td = create_training_dataset(fs)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jhops.datasets import iceberg
from jhops.featurestore.rules import Expectation, Rule

if TYPE_CHECKING:
    from jhops.featurestore.feature_group import Commit, FeatureGroup
    from jhops.featurestore.feature_store import FeatureStore
    from jhops.featurestore.training_dataset import TrainingDataset

FEATURE_GROUP = "iceberg"
TRAINING_DATASET = "iceberg_td"
DESCRIPTION = ("Sentinel-1 SAR chips (75x75, HH and HV backscatter in dB) of ships and icebergs off the coast "
               "of Labrador, from the Statoil/C-CORE iceberg classifier challenge")
FEATURE_DESCRIPTIONS = {
    "id": "chip identifier",
    "band_1": "HH polarisation backscatter, 5625 values in dB (75x75, row by row)",
    "band_2": "HV polarisation backscatter, 5625 values in dB (75x75, row by row)",
    "band_avg": "mean of band_1 and band_2 per pixel",
    "inc_angle": "incidence angle of the radar beam in degrees; null where the source says 'na'",
    "is_iceberg": "label: 1 iceberg, 0 ship",
}


def expectations() -> list[Expectation]:
    """The validation rules of the iceberg feature group."""
    return [
        Expectation("id", ["id"], [Rule("HAS_COMPLETENESS", min=1.0), Rule("HAS_UNIQUENESS", min=1.0)],
                    "every chip has one unique id"),
        Expectation("label", ["is_iceberg"], [Rule("HAS_DATATYPE", accepted_type="Integral"), Rule("HAS_MIN", min=0),
                                              Rule("HAS_MAX", max=1), Rule("HAS_COMPLETENESS", min=1.0)],
                    "a binary label on every chip"),
        Expectation("bands", ["band_1", "band_2", "band_avg"],
                    [Rule("HAS_LENGTH", value=iceberg.PIXELS), Rule("IS_FINITE"),
                     Rule("HAS_ELEMENT_RANGE", min=-60, max=40)], "75x75 chips of finite backscatter in dB"),
        Expectation("angle", ["inc_angle"], [Rule("HAS_MIN", min=20, level="WARNING"),
                                             Rule("HAS_MAX", max=50, level="WARNING"),
                                             Rule("HAS_COMPLETENESS", min=0.85, level="WARNING")],
                    "Sentinel-1 IW incidence angles; a few missing are expected"),
    ]


def features_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The chips as the feature group stores them: ``band_avg`` added, ``inc_angle`` null where unknown."""
    out = frame.copy()
    if "band_avg" not in out.columns:
        # Row by row, so one malformed chip reaches validation (and is reported there) instead of failing here.
        out["band_avg"] = [_mean_band(a, b) for a, b in zip(out["band_1"], out["band_2"], strict=True)]
    out["inc_angle"] = pd.to_numeric(out["inc_angle"].replace("na", None), errors="coerce")
    return out[["id", "band_1", "band_2", "band_avg", "inc_angle", "is_iceberg"]]


def _mean_band(band_1: Any, band_2: Any) -> np.ndarray | None:
    first, second = np.asarray(band_1, dtype=np.float32), np.asarray(band_2, dtype=np.float32)
    return (first + second) / np.float32(2) if first.shape == second.shape else None


def feature_group(fs: FeatureStore) -> FeatureGroup:
    """The ``iceberg`` feature group (version 1), created with its rules and descriptions if it is new."""
    fg = fs.get_or_create_feature_group(FEATURE_GROUP, version=1, primary_key=["id"], description=DESCRIPTION,
                                        online_enabled=True, expectations=expectations(), validation="STRICT",
                                        tags={"sensor": "Sentinel-1", "source": "Statoil/C-CORE"})
    return fg


def ingest(fs: FeatureStore, frame: pd.DataFrame) -> tuple[FeatureGroup, Commit | None]:
    """Validate and upsert the chips into ``iceberg`` v1; returns the group and the commit (None, with an
    ``EmptyInsertWarning``, when ``frame`` holds no chips)."""
    fg = feature_group(fs)
    commit = fg.insert(features_frame(frame), operation="upsert")
    if commit is not None and not any(f.description for f in fg.features):
        for name, text in FEATURE_DESCRIPTIONS.items():
            fg.update_feature_description(name, text)
        fg.add_tag("polarisation", "HH", feature="band_1").add_tag("polarisation", "HV", feature="band_2")
    return fg, commit


def create_training_dataset(fs: FeatureStore, seed: int = 42) -> TrainingDataset:
    """A new version of ``iceberg_td``: every chip of ``iceberg`` v1, 80% train / 20% test with ``seed``."""
    fg = fs.get_feature_group(FEATURE_GROUP, 1)
    return fs.create_training_dataset(TRAINING_DATASET, fg, splits={"train": 0.8, "test": 0.2}, seed=seed,
                                      label=["is_iceberg"], description="80/20 split of the iceberg chips for the CNN")
