"""Training datasets: splits, reproducibility, formats, provenance, and the readers."""

import numpy as np
import pytest

from jhops.featurestore import FeatureStoreError
from jhops.featurestore.training_dataset import split_indices
from tests.featurestore.conftest import chips


@pytest.fixture
def fg(fs):
    group = fs.create_feature_group("iceberg", primary_key=["id"])
    # inserted in two commits, in shuffled order: the dataset must not depend on storage order
    shuffled = chips(50).sample(frac=1, random_state=1)
    group.insert(shuffled.iloc[:30])
    group.insert(shuffled.iloc[30:], operation="insert")
    return group


def test_splits_are_reproducible_and_disjoint(fs, fg):
    td = fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2}, seed=42,
                                    label=["is_iceberg"])
    assert td.version == 1 and td.counts == {"train": 40, "test": 10}
    assert td.sources == {"iceberg_1": 1}
    train, test = td.read("train"), td.read("test")
    assert set(train["id"]).isdisjoint(test["id"]) and len(set(train["id"]) | set(test["id"])) == 50
    assert train["band_1"][0].dtype == np.float32
    again = fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2}, seed=42)
    assert again.version == 2 and list(again.read("test")["id"]) == list(test["id"])
    other = fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2}, seed=7)
    assert list(other.read("test")["id"]) != list(test["id"])
    assert fs.get_training_dataset("iceberg_td", 1).counts == td.counts


def test_a_dataset_keeps_its_rows_when_the_group_changes(fs, fg):
    td = fs.create_training_dataset("pinned", fg, splits={"train": 0.5, "test": 0.5})
    before = td.read("train")
    fg.insert(chips(10, seed=9, start=1000), operation="insert")
    assert td.read("train").equals(before)
    rebuilt = td.query().read_arrow(td.sources, order_by_key=True)
    assert rebuilt.num_rows == 50  # the recorded query, at the recorded versions


def test_a_query_with_a_filter_and_csv_format(fs, fg):
    query = fg.select(["id", "inc_angle", "is_iceberg"]).filter(fg.inc_angle > 37.5)
    td = fs.create_training_dataset("angles", query, data_format="csv", splits={"train": 0.5, "test": 0.5})
    frame = td.read()
    assert (frame["inc_angle"] > 37.5).all() and len(frame) == sum(td.counts.values())
    with pytest.raises(FeatureStoreError, match="CSV cannot hold the array column"):
        fs.create_training_dataset("bad", fg, data_format="csv")


def test_bad_training_dataset_arguments(fs, fg):
    with pytest.raises(FeatureStoreError, match="add up to 1"):
        fs.create_training_dataset("x", fg, splits={"train": 0.8, "test": 0.3})
    with pytest.raises(FeatureStoreError, match="data_format must be one of"):
        fs.create_training_dataset("x", fg, data_format="xlsx")
    with pytest.raises(FeatureStoreError, match="Label column"):
        fs.create_training_dataset("x", fg, label=["is_ship"])
    td = fs.create_training_dataset("x", fg)
    with pytest.raises(FeatureStoreError, match="no split 'test'"):
        td.read("test")
    assert [t.name for t in fs.get_training_datasets()] == ["x"]  # the failed ones left no record


def test_tf_data_from_parquet_and_tfrecord(fs, fg):
    pytest.importorskip("tensorflow")
    for data_format in ("parquet", "tfrecord"):
        td = fs.create_training_dataset(f"tf_{data_format}", fg.select(["id", "band_1", "inc_angle", "is_iceberg"]),
                                        data_format=data_format, splits={"train": 0.8, "test": 0.2},
                                        label=["is_iceberg"])
        features, labels = next(iter(td.tf_data("train", batch_size=8)))
        assert tuple(features["band_1"].shape) == (8, 16) and tuple(labels.shape) == (8,)
        assert sum(int(b[1].shape[0]) for b in td.tf_data("test", batch_size=4)) == 10


def test_split_indices_cover_every_row_once():
    parts = split_indices(101, {"a": 0.7, "b": 0.2, "c": 0.1}, seed=3)
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(101))
    assert [len(p) for p in parts.values()] == [71, 20, 10]


def test_rows_sharing_a_key_still_split_the_same_way(fs):
    group = fs.create_feature_group("appended", primary_key=["id"])
    frame = chips(30)
    group.insert(frame, operation="insert")
    changed = frame.copy()
    changed["inc_angle"] = changed["inc_angle"] + 1
    group.insert(changed.sample(frac=1, random_state=4), operation="insert")  # every key twice, new order
    splits = [list(fs.create_training_dataset("dup", group, splits={"train": 0.5, "test": 0.5}).read("test")
                   .itertuples(index=False, name=None)) for _ in range(4)]
    assert all(str(s) == str(splits[0]) for s in splits)
