"""Queries (select, join, filter), SQL over the offline store, statistics, tags, descriptions, search."""

import pytest

from jhops.featurestore import FeatureStoreError
from tests.featurestore.conftest import chips


@pytest.fixture
def groups(fs):
    chips_fg = fs.create_feature_group("iceberg", primary_key=["id"], description="Sentinel-1 SAR chips")
    frame = chips(20)
    chips_fg.insert(frame)
    meta = fs.create_feature_group("chip_meta", primary_key=["id"], description="where each chip was taken")
    meta.insert(frame[["id"]].assign(region=["north" if i % 2 else "south" for i in range(20)]))
    return chips_fg, meta, frame


def test_select_join_filter(groups):
    chips_fg, meta, frame = groups
    query = (chips_fg.select(["id", "inc_angle", "is_iceberg"]).join(meta.select_all(), on=["id"])
             .filter((chips_fg.inc_angle > 35) & (meta.region == "north")))
    df = query.read()
    assert list(df.columns) == ["id", "inc_angle", "is_iceberg", "region"]
    expected = frame[(frame.inc_angle > 35) & (frame.index % 2 == 1)]
    assert sorted(df["id"]) == sorted(expected["id"])
    assert len(chips_fg.filter(chips_fg.is_iceberg.isin([1])).read()) == int(frame.is_iceberg.sum())
    assert len(query.show(2)) <= 2
    with pytest.raises(FeatureStoreError, match=r"has no feature\(s\) \['angle'\]"):
        chips_fg.select(["angle"])
    with pytest.raises(AttributeError, match=r"no feature 'angle'"):
        chips_fg.angle  # noqa: B018


def test_sql_over_the_offline_store(fs, groups):
    df = fs.sql("SELECT region, count(*) AS n FROM iceberg_1 JOIN chip_meta USING (id) GROUP BY region ORDER BY 1")
    assert df.to_dict("records") == [{"region": "north", "n": 10}, {"region": "south", "n": 10}]
    tables = "chip_meta, chip_meta_1, iceberg, iceberg_1"
    with pytest.raises(FeatureStoreError, match=rf"(?s)SQL failed.*The tables are: {tables}"):
        fs.sql("SELECT * FROM nowhere")


def test_statistics_per_commit(groups):
    chips_fg, _, frame = groups
    stats = chips_fg.statistics()
    angle = stats["columns"]["inc_angle"]
    assert stats["rows"] == 20 and angle["count"] == 20 and angle["nulls"] == 0
    assert angle["min"] == pytest.approx(frame.inc_angle.min())
    assert angle["mean"] == pytest.approx(frame.inc_angle.mean())
    assert sum(angle["histogram"]["counts"]) == 20 and len(angle["histogram"]["edges"]) == 21
    band = stats["columns"]["band_1"]
    assert band["kind"] == "array" and band["length"] == {"min": 16, "max": 16} and band["elements"]["nan"] == 0
    assert set(stats["correlations"]) == {"inc_angle", "is_iceberg"}
    chips_fg.insert(chips(5, seed=4, start=500), operation="insert")
    assert chips_fg.statistics()["rows"] == 25 and chips_fg.statistics(version=0)["rows"] == 20
    no_stats = chips_fg._store.create_feature_group("raw", primary_key=["id"], statistics=False)
    no_stats.insert(frame)
    with pytest.raises(FeatureStoreError, match=r"No statistics"):
        no_stats.statistics()
    assert no_stats.compute_statistics()["rows"] == 20 and no_stats.statistics()["rows"] == 20


def test_tags_descriptions_and_search(fs, groups):
    chips_fg, _, _ = groups
    chips_fg.add_tag("sensor", "Sentinel-1").add_tag("polarisation", "HH", feature="band_1")
    chips_fg.update_feature_description("inc_angle", "incidence angle of the radar beam, degrees")
    again = fs.get_feature_group("iceberg")
    assert again.get_tags() == {"sensor": "Sentinel-1"} and again.get_tags("band_1") == {"polarisation": "HH"}
    assert again.get_feature("inc_angle").description.startswith("incidence angle")
    hits = fs.search("band")
    assert [(h.kind, h.feature) for h in hits[:1]] == [("feature_group", None)] or hits[0].kind == "feature"
    assert {h.feature for h in hits if h.kind == "feature"} == {"band_1", "band_2", "band_avg"}
    assert [h.name for h in fs.search("sentinel") if h.kind == "feature_group"] == ["iceberg"]
    assert [h.feature for h in fs.search("radar beam")] == ["inc_angle"]
    assert [h.feature for h in fs.search("HH")] == ["band_1"]
    assert [h.name for h in fs.search("where chip")] == ["chip_meta"]
    assert fs.search("nothing-like-this") == []
    fs.create_training_dataset("iceberg_td", chips_fg, description="80/20 split for the CNN")
    assert [h.kind for h in fs.search("cnn")] == ["training_dataset"]
    again.delete_tag("sensor")
    assert fs.get_feature_group("iceberg").get_tags() == {}
    with pytest.raises(FeatureStoreError, match=r"No tag 'sensor'"):
        again.delete_tag("sensor")


def test_string_filters_work_after_an_upsert_rewrote_files(fs):
    # delta-rs merges write strings as Arrow string_view; filters must still compare them with strings
    fg = fs.create_feature_group("chips", primary_key=["id"])
    frame = chips(10)
    fg.insert(frame)
    changed = frame.iloc[:3].copy()
    changed["inc_angle"] = 1.0
    fg.insert(changed)
    key = fg.get_feature("id")
    assert fg.filter(key == frame["id"][1]).read()["inc_angle"].tolist() == [1.0]
    assert len(fg.filter(key.isin(list(frame["id"][:4]))).read()) == 4
    assert fs.sql(f"SELECT inc_angle FROM chips WHERE id = '{frame['id'][1]}'")["inc_angle"].tolist() == [1.0]


def test_a_group_named_like_a_version_does_not_hide_it(fs):
    a = fs.create_feature_group("a", primary_key=["id"])
    a.insert(chips(3))
    fs.create_feature_group("a", primary_key=["id"]).insert(chips(5))   # a_2, the newest "a"
    fs.create_feature_group("a_1", primary_key=["id"]).insert(chips(7))  # its table is a_1_1
    counts = fs.sql("SELECT (SELECT count(*) FROM a_1) AS v1, (SELECT count(*) FROM a) AS newest, "
                    "(SELECT count(*) FROM a_1_1) AS other").to_dict("records")
    assert counts == [{"v1": 3, "newest": 5, "other": 7}]
