"""Lookups by an id or version no INTEGER column can hold find nothing, as any unknown id, instead of crashing."""

from __future__ import annotations

import pytest

from jhops.experiments.store import ExperimentNotFound
from jhops.featurestore import NotFoundError
from jhops.models.errors import ModelNotFoundError

HUGE = 10**24  # past SQLite's 64-bit integers: the driver raised OverflowError for it


def test_an_experiment_id_past_any_integer_is_not_found(project):
    with pytest.raises(ExperimentNotFound, match=f"No experiment with id {HUGE}"):
        project.experiments.get_experiment(HUGE)


def test_a_model_version_past_any_integer_is_not_found(project):
    with pytest.raises(ModelNotFoundError, match="No model named 'iceberg'"):
        project.get_model_registry().get_model("iceberg", HUGE)


def test_a_feature_group_version_past_any_integer_is_not_found(project):
    with pytest.raises(NotFoundError, match="No feature group named 'iceberg'"):
        project.get_feature_store().get_feature_group("iceberg", HUGE)
