"""Training datasets: a query materialised into named splits, versioned and reproducible.

The rows are read at pinned feature group versions and ordered by the primary key before a seeded
permutation assigns them to splits, so the same name, seed and sources always give the same rows per split.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jhops.compute.raw_output import import_quietly
from jhops.extras import require_extra
from jhops.featurestore.errors import FeatureStoreError
from jhops.featurestore.feature_group import FeatureGroup
from jhops.featurestore.naming import check_name
from jhops.featurestore.query import Query, condition_from_dict
from jhops.featurestore.statistics import compute_statistics
from jhops.progress_bar import Steps

if TYPE_CHECKING:
    import pandas as pd

    from jhops.featurestore.feature_store import FeatureStore

FORMATS = {"parquet": "parquet", "csv": "csv", "tfrecord": "tfrecord"}


def split_indices(rows: int, splits: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Row indices of each split: a seeded permutation cut at the cumulative fractions.

    Example: ``split_indices(10, {"train": 0.8, "test": 0.2}, 42)`` gives 8 and 2 indices.
    """
    order = np.random.default_rng(seed).permutation(rows)
    bounds = np.round(np.cumsum([0.0, *splits.values()]) * rows).astype(int)
    return {name: np.sort(order[bounds[i]:bounds[i + 1]]) for i, name in enumerate(splits)}


def _check_splits(splits: dict[str, float] | None) -> dict[str, float]:
    splits = dict(splits or {"train": 1.0})
    if any(not isinstance(v, (int, float)) or v <= 0 for v in splits.values()):
        raise FeatureStoreError(f"Split fractions must be positive numbers, got {splits}")
    total = sum(splits.values())
    if abs(total - 1.0) > 1e-6:
        raise FeatureStoreError(f"Split fractions must add up to 1, got {total:g}; e.g. {{'train': 0.8, 'test': 0.2}}")
    for name in splits:
        check_name(name, "split")
    return splits


def _is_array(kind: pa.DataType) -> bool:
    return bool(pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind))


def _write_split(table: pa.Table, folder: str, data_format: str) -> None:
    os.makedirs(folder, exist_ok=True)
    if data_format == "parquet":
        pq.write_table(table, os.path.join(folder, "part-00000.parquet"))
    elif data_format == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, os.path.join(folder, "part-00000.csv"))
    else:
        _write_tfrecord(table, os.path.join(folder, "part-00000.tfrecord"))


def _write_tfrecord(table: pa.Table, path: str) -> None:
    try:
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import tensorflow as tf
    except ImportError as exc:
        raise FeatureStoreError("data_format='tfrecord' needs TensorFlow: pip install 'jhops[tensorflow]'") from exc
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    kinds = {f.name: f.type for f in table.schema}

    def feature(kind: pa.DataType, value: Any) -> Any:
        values = value if _is_array(kind) else [value]
        if _is_array(kind):
            kind = kind.value_type
        if pa.types.is_floating(kind):
            return tf.train.Feature(float_list=tf.train.FloatList(value=[float(v) for v in values]))
        if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v) for v in values]))
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[str(v).encode() for v in values]))

    with tf.io.TFRecordWriter(path) as writer:
        for i in range(table.num_rows):
            row = {name: feature(kinds[name], columns[name][i]) for name in table.column_names
                   if columns[name][i] is not None}
            writer.write(tf.train.Example(features=tf.train.Features(feature=row)).SerializeToString())


def create_training_dataset(store: FeatureStore, name: str, query_or_fg: Query | FeatureGroup, version: int | None,
                            splits: dict[str, float] | None, seed: int, data_format: str, label: Sequence[str],
                            description: str, progress: bool | None = None) -> TrainingDataset:
    check_name(name, "training dataset")
    if data_format not in FORMATS:
        raise FeatureStoreError(f"data_format must be one of {', '.join(FORMATS)}, got {data_format!r}")
    query = query_or_fg.select_all() if isinstance(query_or_fg, FeatureGroup) else query_or_fg
    if not isinstance(query, Query):
        raise FeatureStoreError("create_training_dataset takes a feature group or a query such as fg.select([...])")
    splits = _check_splits(splits)
    steps = ["read", *(f"write {split}" for split in splits)]
    with Steps(f"training dataset {name}", steps, progress=progress) as bar:
        bar.step("read")
        return _materialise(store, name, query, version, splits, seed, data_format, label, description, bar)


def _materialise(store: FeatureStore, name: str, query: Query, version: int | None, splits: dict[str, float],
                 seed: int, data_format: str, label: Sequence[str], description: str, bar: Steps) -> TrainingDataset:
    versions = {}
    for group in query.groups():
        current = group.offline.version()
        if current is None:
            raise FeatureStoreError(f"Feature group {group.name} v{group.version} has no data yet; insert first.")
        versions[group.table_name] = current
    table = query.read_arrow(versions, order_by_key=True)
    missing = [c for c in label if c not in table.column_names]
    if missing:
        raise FeatureStoreError(f"Label column(s) {missing} are not in the query's columns {table.column_names}")
    if data_format == "csv":
        arrays = [f.name for f in table.schema if _is_array(f.type)]
        if arrays:
            raise FeatureStoreError(f"CSV cannot hold the array column(s) {arrays}; use data_format='parquet' or "
                                    "'tfrecord'.")
    row = store.catalog.create_training_dataset(
        name=name, version=version, description=description, query=query.to_dict(), splits=splits, seed=seed,
        data_format=data_format, label=list(label), sources=versions,
        features=[{"name": f.name, "type": str(f.type)} for f in table.schema], counts={}, location="", tags={})
    location = f"featurestore/training_datasets/{name}_{row['version']}"
    folder = store.project.artifact_path(location)
    try:
        counts = {}
        for split, indices in split_indices(table.num_rows, splits, seed).items():
            bar.step(f"write {split}")
            part = table.take(pa.array(indices, type=pa.int64()))
            _write_split(part, os.path.join(folder, split), data_format)
            counts[split] = part.num_rows
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a failed dataset leaves neither files nor a record
        store.catalog.delete_training_dataset(row["id"])
        raise
    store.catalog.update_training_dataset(row["id"], location=location, counts=counts)
    return store.get_training_dataset(name, row["version"])


class TrainingDataset:
    """A versioned training dataset. ``td.read("train")``, ``td.tf_data("train", batch_size=32)``.

    Example::

        td = fs.get_training_dataset("iceberg_td")
        x_train = td.read("train")
    """

    def __init__(self, store: FeatureStore, row: dict[str, Any]) -> None:
        self._store = store
        self._row = row

    id = property(lambda self: int(self._row["id"]))
    name = property(lambda self: str(self._row["name"]))
    version = property(lambda self: int(self._row["version"]))
    description = property(lambda self: str(self._row["description"] or ""))
    splits = property(lambda self: dict(self._row["splits"]))
    seed = property(lambda self: int(self._row["seed"]))
    data_format = property(lambda self: str(self._row["data_format"]))
    label = property(lambda self: list(self._row["label"]))
    counts = property(lambda self: dict(self._row["counts"]))
    #: the Delta version of every feature group the rows came from, e.g. ``{"iceberg_1": 2}``
    sources = property(lambda self: dict(self._row["sources"]))
    feature_names = property(lambda self: [f["name"] for f in self._row["features"]])

    @property
    def location(self) -> str:
        return self._store.project.artifact_path(self._row["location"])

    def __repr__(self) -> str:
        return f"TrainingDataset({self.name!r}, version={self.version}, splits={self.counts})"

    def _folder(self, split: str) -> str:
        if split not in self.splits:
            raise FeatureStoreError(f"Training dataset {self.name} v{self.version} has no split {split!r}; its splits "
                                    f"are {list(self.splits)}.")
        return os.path.join(self.location, split)

    def read_arrow(self, split: str | None = None) -> pa.Table:
        splits = [split] if split is not None else list(self.splits)
        if self.data_format == "tfrecord":
            raise FeatureStoreError("A tfrecord training dataset is read with td.tf_data(split)")
        tables = []
        for name in splits:
            path = os.path.join(self._folder(name), f"part-00000.{FORMATS[self.data_format]}")
            if self.data_format == "parquet":
                tables.append(pq.read_table(path))
            else:
                import pyarrow.csv as pacsv

                tables.append(pacsv.read_csv(path))
        return pa.concat_tables(tables)

    def read(self, split: str | None = None) -> pd.DataFrame:
        """One split (or every split, concatenated) as pandas; array features come back as numpy arrays."""
        return self.read_arrow(split).to_pandas()

    def to_spark(self, split: str, spark: Any = None) -> Any:
        """One split as a Spark DataFrame, read by the executors from the split's files."""
        require_extra("spark", "TrainingDataset.to_spark")
        from pyspark.sql import SparkSession

        if self.data_format == "tfrecord":
            raise FeatureStoreError("Spark reads parquet and csv training datasets; this one is tfrecord")
        session = spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        folder = self._folder(split)
        if self.data_format == "csv":
            return session.read.option("header", True).option("inferSchema", True).csv(folder)
        return session.read.parquet(folder)

    def tf_data(self, split: str, batch_size: int = 32, shuffle: bool = False, label: Sequence[str] | None = None,
                seed: int | None = None) -> Any:
        """A ``tf.data.Dataset`` of ``(features, label)`` batches (``features`` a dict of tensors).

        Example: ``model.fit(td.tf_data("train", batch_size=32), epochs=5)``
        """
        require_extra("tensorflow", "TrainingDataset.tf_data")
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import tensorflow as tf

        labels = list(self.label if label is None else label)
        folder = self._folder(split)
        if self.data_format == "tfrecord":
            spec = self._tfrecord_spec()
            ds = tf.data.TFRecordDataset(os.path.join(folder, "part-00000.tfrecord"))
            ds = ds.map(lambda record: tf.io.parse_single_example(record, spec))
        else:
            table = self.read_arrow(split)
            columns = {}
            for field_ in table.schema:
                values = table.column(field_.name).to_numpy(zero_copy_only=False)
                if _is_array(field_.type):
                    values = np.stack([np.asarray(v) for v in values]) if len(values) else values
                elif field_.type == pa.string():
                    values = values.astype(str)
                columns[field_.name] = values
            ds = tf.data.Dataset.from_tensor_slices(columns)
        if labels:
            def split_label(row: dict[str, Any]) -> tuple[dict[str, Any], Any]:
                features = {k: v for k, v in row.items() if k not in labels}
                target = row[labels[0]] if len(labels) == 1 else tf.stack([row[k] for k in labels], axis=-1)
                return features, target

            ds = ds.map(split_label)
        if shuffle:
            ds = ds.shuffle(max(1, self.counts.get(split, 1000)), seed=self.seed if seed is None else seed)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def _tfrecord_spec(self) -> dict[str, Any]:
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import tensorflow as tf

        stats = self.statistics()["columns"]
        spec = {}
        for feature in self._row["features"]:
            kind = feature["type"]
            dtype = tf.float32 if ("float" in kind or "double" in kind) else (
                tf.int64 if ("int" in kind or "bool" in kind) else tf.string)
            if kind.startswith(("list", "large_list", "fixed_size_list")):
                length = stats[feature["name"]]["length"]["max"]
                spec[feature["name"]] = tf.io.FixedLenFeature([int(length)], dtype)
            else:
                spec[feature["name"]] = tf.io.FixedLenFeature([], dtype)
        return spec

    def statistics(self, split: str | None = None) -> dict[str, Any]:
        """Statistics of one split (default: the first, usually ``train``), the reference for monitoring."""
        split = split or next(iter(self.splits))
        if self.data_format == "tfrecord":
            query = self.query()
            table = query.read_arrow(self.sources, order_by_key=True)
            indices = split_indices(table.num_rows, self.splits, self.seed)[split]
            return compute_statistics(table.take(pa.array(indices, type=pa.int64())))
        return compute_statistics(self.read_arrow(split))

    def query(self) -> Query:
        """The query this dataset was made from, rebuilt against the feature groups."""
        return _query_from_dict(self._store, self._row["query"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "version": self.version, "description": self.description,
                "splits": self.splits, "seed": self.seed, "data_format": self.data_format, "label": self.label,
                "counts": self.counts, "sources": self.sources, "features": self._row["features"],
                "created": self._row["created"]}


def _query_from_dict(store: FeatureStore, data: dict[str, Any]) -> Query:
    query = store.get_feature_group(data["group"], data["version"]).select(data["features"])
    for join in data["joins"]:
        query.join(_query_from_dict(store, join["query"]), on=join["on"] or None, left_on=join["left_on"],
                   right_on=join["right_on"], join_type=join["join_type"], prefix=join["prefix"])
    if data.get("filter"):
        query.filter(condition_from_dict(data["filter"]))
    return query
