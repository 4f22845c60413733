"""The Spark paths on local[2]: inserts written by the executors (never collected), upserts, validation on
Spark, statistics by Spark aggregations, online rows written by the executors, and Spark reads."""

import os

import numpy as np
import pytest

from jhops.featurestore import ValidationFailedError
from jhops.featurestore.statistics import compute_statistics
from tests.featurestore.conftest import chips, iceberg_rules

DATA_COLUMNS = {"band_1", "band_2", "band_avg", "inc_angle"}


@pytest.fixture
def collected(monkeypatch):
    """The column names of every DataFrame the driver collects while the test runs."""
    from pyspark.sql import DataFrame

    seen: list[set[str]] = []
    for method in ("collect", "toPandas", "toArrow", "toLocalIterator", "take", "first", "head", "tail"):
        original = getattr(DataFrame, method)

        def spy(self, *args, _original=original, **kwargs):
            seen.append(set(self.columns))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(DataFrame, method, spy)
    return seen


def _spark_frame(spark, frame, partitions=3):
    pdf = frame.copy()
    for column in ("band_1", "band_2", "band_avg"):
        pdf[column] = pdf[column].map(lambda a: [float(v) for v in a])
    return spark.createDataFrame(pdf).repartition(partitions)


def test_a_spark_insert_is_written_by_the_executors_and_never_collected(fs, spark, collected):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], expectations=iceberg_rules(), online_enabled=True)
    frame = chips(30)
    commit = fg.insert(_spark_frame(spark, frame), operation="insert")
    assert commit.version == 0 and commit.rows == 30 and commit.report.status == "SUCCESS"
    assert not [cols for cols in collected if cols & DATA_COLUMNS], "feature data was collected to the driver"
    files = fg.offline.table().file_uris()
    assert len(files) == 3 and all("part-0000" in f for f in files)  # one file per partition
    back = fg.read().set_index("id").loc[frame["id"]]
    np.testing.assert_allclose(np.stack(back["band_1"]), np.stack(frame["band_1"]).astype(float), rtol=1e-6)
    assert fs.get_feature_vector(fg, {"id": frame["id"][7]})["inc_angle"] == pytest.approx(frame["inc_angle"][7])


def test_spark_upsert_and_overwrite(fs, spark):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    frame = chips(20)
    fg.insert(_spark_frame(spark, frame))
    changed = frame.iloc[:4].copy()
    changed["inc_angle"] = 99.0
    fg.insert(_spark_frame(spark, changed._append(chips(6, seed=5, start=100), ignore_index=True), 2))
    after = fg.read()
    assert len(after) == 26 and (after.set_index("id").loc[changed["id"], "inc_angle"] == 99.0).all()
    staging = os.path.join(fg.offline.uri, "_jhops_staging")
    assert not os.path.exists(staging) or os.listdir(staging) == []  # the staged upsert files are gone
    fg.insert(_spark_frame(spark, chips(5, seed=6, start=300), 1), operation="overwrite")
    assert len(fg.read()) == 5 and list(fg.history()["operation"]) == ["overwrite", "upsert", "upsert"]
    spark_df = fg.read(dataframe_type="spark", as_of=1)
    assert spark_df.count() == 26 and "band_1" in spark_df.columns


def test_spark_validation_rejects_with_the_table_unchanged(fs, spark):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], expectations=iceberg_rules())
    fg.insert(_spark_frame(spark, chips(10)))
    bad = chips(5, seed=2, start=50)
    bad["is_iceberg"] = 3
    bad.at[1, "band_2"] = np.full(16, np.nan, dtype="float32")
    with pytest.raises(ValidationFailedError) as err:
        fg.insert(_spark_frame(spark, bad))
    failed = {(r.rule, r.feature) for r in err.value.report.failures}
    assert failed == {("HAS_MAX", "is_iceberg"), ("IS_FINITE", "band_2")}
    assert fg.offline.version() == 0 and len(fg.read()) == 10


def test_spark_statistics_match_the_arrow_statistics(fs, spark):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    frame = chips(40)
    fg.insert(_spark_frame(spark, frame))
    on_spark = fg.statistics()
    on_arrow = compute_statistics(fg.read(dataframe_type="arrow"))
    for column in ("inc_angle", "is_iceberg"):
        for key in ("count", "nulls", "min", "max", "mean", "std", "distinct"):
            assert on_spark["columns"][column][key] == pytest.approx(on_arrow["columns"][column][key]), (column, key)
        assert sum(on_spark["columns"][column]["histogram"]["counts"]) == 40
    band = on_spark["columns"]["band_1"]
    assert band["length"] == {"min": 16, "max": 16}
    assert band["elements"]["mean"] == pytest.approx(on_arrow["columns"]["band_1"]["elements"]["mean"], rel=1e-6)
    assert band["row_means"]["mean"] == pytest.approx(on_arrow["columns"]["band_1"]["row_means"]["mean"], rel=1e-6)
    assert on_spark["correlations"]["inc_angle"]["is_iceberg"] == pytest.approx(
        on_arrow["correlations"]["inc_angle"]["is_iceberg"])


def test_a_training_dataset_split_as_a_spark_dataframe(fs, spark):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(chips(20))
    td = fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.75, "test": 0.25}, label=["is_iceberg"])
    test = td.to_spark("test", spark)
    assert test.count() == 5 and sorted(r["id"] for r in test.select("id").collect()) == sorted(td.read("test")["id"])
    csv = fs.create_training_dataset("meta_csv", fg.select(["id", "inc_angle", "is_iceberg"]), data_format="csv")
    assert csv.to_spark("train", spark).count() == 20


def test_a_native_great_expectations_suite_runs_on_spark(fs, spark):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name="angles", expectations=[
        gxe.ExpectColumnValuesToBeBetween(column="inc_angle", min_value=30, max_value=46)])
    fg = fs.create_feature_group("native", primary_key=["id"], expectations=[suite])
    assert fg.insert(_spark_frame(spark, chips(8))).report.status == "SUCCESS"
    bad = chips(3, start=90)
    bad["inc_angle"] = 60.0
    with pytest.raises(ValidationFailedError, match="expect_column_values_to_be_between"):
        fg.insert(_spark_frame(spark, bad))
    assert len(fg.read()) == 8
