"""An insert without rows: a no-op that warns, naming the group, and leaves every store as it was (pandas and
Spark, insert and upsert); into a new group it fixes no schema; an overwrite without rows empties the group."""

import os
from typing import Any

import pytest

from jhops.featurestore import EmptyInsertWarning, SchemaMismatchError
from tests.featurestore.conftest import chips, iceberg_rules


def _state(fg: Any) -> dict[str, Any]:
    """Everything an insert can change: Delta versions, commit records, statistics, reports, online rows."""
    vector = fg._store.get_feature_vector(fg, {"id": "00000003"})
    return {"version": fg.offline.version(), "history": len(fg.history()), "rows": len(fg.read()),
            "commits": [(c["delta_version"], c["rows"]) for c in fg.commits()], "statistics": fg.statistics(),
            "reports": len(fg.validation_reports()), "online": fg._store.online.count(fg.table_name),
            "vector": float(vector["inc_angle"])}


@pytest.fixture
def group(fs):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True, expectations=iceberg_rules())
    fg.insert(chips(10))
    return fg


@pytest.mark.parametrize("operation", ["upsert", "insert"])
def test_an_empty_pandas_insert_warns_and_changes_nothing(group, operation):
    before = _state(group)
    with pytest.warns(EmptyInsertWarning, match=r"iceberg v1: the data has no rows; nothing was written"):
        assert group.insert(chips(10).head(0), operation=operation) is None
    assert _state(group) == before


def test_an_empty_insert_is_still_checked_against_the_schema(group):
    before = _state(group)
    with pytest.raises(SchemaMismatchError, match=r"unknown columns \['angle'\]"):
        group.insert(chips(3).head(0).rename(columns={"inc_angle": "angle"}))
    assert _state(group) == before


def test_an_empty_insert_into_a_new_group_fixes_no_schema(fs):
    fg = fs.create_feature_group("fresh", primary_key=["id"], online_enabled=True)
    # An empty pandas frame has no element types: its arrays would be fixed as 'double' columns and the first
    # real chips refused.
    with pytest.warns(EmptyInsertWarning, match=r"fresh v1: the data has no rows; nothing was written.*schema"):
        assert fg.insert(chips(0)) is None
    assert fg.features == [] and not fg.offline.exists() and fg.commits() == []
    commit = fg.insert(chips(4))
    assert commit.version == 0 and commit.rows == 4
    assert fg.get_feature("band_1").type == "list<element: float>"


def test_an_empty_overwrite_empties_the_group_in_a_new_commit(group):
    commit = group.insert(chips(2).head(0), operation="overwrite")
    assert commit.version == 1 and commit.rows == 0
    assert len(group.read()) == 0 and len(group.read(as_of=0)) == 10
    assert group.statistics()["rows"] == 0 and group._store.online.count(group.table_name) == 0


@pytest.mark.spark
@pytest.mark.parametrize("operation", ["upsert", "insert"])
def test_an_empty_spark_insert_warns_and_changes_nothing(group, spark, operation):
    from tests.featurestore.test_spark import _spark_frame

    before = _state(group)
    empty = _spark_frame(spark, chips(4, start=50), partitions=2).where("inc_angle < 0")
    with pytest.warns(EmptyInsertWarning, match=r"iceberg v1: the data has no rows; nothing was written"):
        assert group.insert(empty, operation=operation) is None
    assert _state(group) == before
    assert "_jhops_staging" not in os.listdir(group.offline.uri)


@pytest.mark.spark
def test_an_empty_spark_insert_into_a_new_group_fixes_no_schema(fs, spark):
    from tests.featurestore.test_spark import _spark_frame

    fg = fs.create_feature_group("fresh", primary_key=["id"])
    with pytest.warns(EmptyInsertWarning, match=r"fresh v1"):
        assert fg.insert(_spark_frame(spark, chips(3), partitions=2).limit(0)) is None
    assert fg.features == [] and not fg.offline.exists() and fg.commits() == []


@pytest.mark.spark
def test_an_empty_spark_overwrite_empties_the_group(group, spark):
    from tests.featurestore.test_spark import _spark_frame

    commit = group.insert(_spark_frame(spark, chips(3), partitions=2).limit(0), operation="overwrite")
    assert commit.version == 1 and commit.rows == 0
    assert len(group.read()) == 0 and len(group.read(as_of=0)) == 10
    assert group.statistics()["rows"] == 0 and group._store.online.count(group.table_name) == 0
