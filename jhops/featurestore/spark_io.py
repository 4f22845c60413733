"""The Spark paths of the feature store: inserts written by the executors, reads, validation and statistics.

A Spark insert never collects the rows to the driver: each partition writes its own Parquet file into the
Delta table's folder (or, for an upsert, a staging folder), the executors return only the files' metadata,
and the driver commits those files as one Delta transaction. An upsert merges the staged files into the
table with delta-rs, streaming them from disk. Validation runs Great Expectations' Spark engine and Spark SQL
aggregates; statistics are Spark aggregations.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import time
import uuid
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from jhops.featurestore.errors import FeatureStoreError
from jhops.featurestore.offline_store import CommitResult, column_problems, schema_mismatch
from jhops.featurestore.statistics import HISTOGRAM_BINS, TOP_VALUES

if TYPE_CHECKING:
    from jhops.featurestore.feature_group import Commit, FeatureGroup
    from jhops.progress_bar import Steps

ARRAY_PREFIXES = ("list", "large_list", "fixed_size_list")


def _session(spark: Any = None) -> Any:
    from pyspark.sql import SparkSession

    return spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()


def arrow_to_spark(table: pa.Table, spark: Any = None) -> Any:
    """An Arrow table (a query result) as a Spark DataFrame."""
    return _session(spark).createDataFrame(table.to_pandas())


def read_spark(group: FeatureGroup, as_of: Any = None, spark: Any = None) -> Any:
    """The group's Delta snapshot read by the executors from its Parquet files."""
    snapshot = group.offline.at(as_of)
    files = snapshot.file_uris()
    session = _session(spark)
    if not files:
        return session.createDataFrame([], schema=_spark_schema(pa.schema(snapshot.schema().to_arrow())))
    return session.read.parquet(*files)


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _arrow_schema(sdf: Any) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(sdf.schema)


# --- validation and statistics -----------------------------------------------------------------------
def array_observations_spark(sdf: Any, column: str) -> dict[str, float]:
    """Length range, element range and non-finite count of an array column, as one Spark aggregation."""
    from pyspark.sql import functions as F

    c = F.col(column)
    finite = F.filter(c, lambda x: ~F.isnan(x) & (F.abs(x) != F.lit(math.inf)))
    row = sdf.agg(
        F.min(F.size(c)).alias("min_length"), F.max(F.size(c)).alias("max_length"),
        F.min(F.array_min(finite)).alias("min"), F.max(F.array_max(finite)).alias("max"),
        F.sum(F.size(c) - F.size(finite)).alias("non_finite"),
    ).first()
    return {k: (math.nan if row[k] is None else float(row[k])) for k in row.asDict()}


def statistics_spark(sdf: Any) -> dict[str, Any]:
    """The statistics of :func:`jhops.featurestore.statistics.compute_statistics`, by Spark aggregations."""
    from pyspark.sql import functions as F

    schema = _arrow_schema(sdf)
    rows = int(sdf.count())
    columns: dict[str, Any] = {}
    numeric: list[str] = []
    for field in schema:
        name, kind = field.name, field.type
        c = F.col(name)
        base = sdf.agg(F.count(c).alias("count")).first()
        stats: dict[str, Any] = {"type": str(kind), "count": int(base["count"]), "nulls": rows - int(base["count"])}
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            stats["kind"] = "array"
            lengths = sdf.agg(F.min(F.size(c)).alias("lo"), F.max(F.size(c)).alias("hi")).first()
            stats["length"] = {"min": lengths["lo"], "max": lengths["hi"]}
            elements = sdf.select(F.explode(c).alias("v")).select(F.col("v").cast("double").alias("v"))
            counts = elements.agg(F.sum(F.isnan("v").cast("int")).alias("nan"),
                                  F.sum((F.abs("v") == F.lit(math.inf)).cast("int")).alias("inf")).first()
            stats["elements"] = {**_numeric_spark(elements, "v"), "nan": int(counts["nan"] or 0),
                                 "inf": int(counts["inf"] or 0)}
            means = sdf.where(c.isNotNull() & (F.size(c) > 0)).select(
                (F.aggregate(c, F.lit(0.0), lambda acc, x: acc + x.cast("double")) / F.size(c)).alias("m"))
            stats["row_means"] = _numeric_spark(means, "m")
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            stats["kind"] = "numeric"
            values = sdf.select(c.cast("double").alias("v"))
            stats.update(_numeric_spark(values, "v"))
            stats["distinct"] = int(sdf.agg(F.countDistinct(c).alias("d")).first()["d"])
            numeric.append(name)
        elif pa.types.is_boolean(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
            stats["kind"] = "categorical"
            counts = sdf.where(c.isNotNull()).groupBy(c.cast("string").alias("value")).count()
            stats["distinct"] = int(counts.count())
            top = counts.orderBy(F.desc("count"), "value").limit(TOP_VALUES).collect()
            stats["top"] = [{"value": r["value"], "count": int(r["count"])} for r in top]
        else:
            stats["kind"] = "other"
        columns[name] = stats
    correlations: dict[str, dict[str, float | None]] = {}
    if len(numeric) >= 2 and rows >= 2:
        for a in numeric:
            correlations[a] = {}
            for b in numeric:
                value = 1.0 if a == b else sdf.select(F.col(a).cast("double"), F.col(b).cast("double")) \
                    .dropna().stat.corr(a, b)
                correlations[a][b] = value if value is not None and math.isfinite(value) else None
    return {"rows": rows, "columns": columns, "correlations": correlations}


def _numeric_spark(values: Any, column: str) -> dict[str, Any]:
    from pyspark.sql import functions as F

    v = F.col(column)
    finite = values.where(~F.isnan(v) & (F.abs(v) != F.lit(math.inf)) & v.isNotNull())
    row = finite.agg(F.min(v).alias("min"), F.max(v).alias("max"), F.mean(v).alias("mean"),
                     F.stddev_samp(v).alias("std"), F.count(v).alias("n")).first()
    if not row["n"]:
        return {"min": None, "max": None, "mean": None, "std": None, "histogram": {"edges": [], "counts": []}}
    low, high = float(row["min"]), float(row["max"])
    top = high if high > low else low + 1.0
    width = (top - low) / HISTOGRAM_BINS
    bucket = F.least(F.floor((v - F.lit(low)) / F.lit(width)).cast("int"), F.lit(HISTOGRAM_BINS - 1))
    found = {int(r["b"]): int(r["count"]) for r in finite.groupBy(bucket.alias("b")).count().collect()}
    return {"min": low, "max": high, "mean": float(row["mean"]),
            "std": float(row["std"]) if row["std"] is not None else 0.0,
            "histogram": {"edges": [low + i * width for i in range(HISTOGRAM_BINS + 1)],
                          "counts": [found.get(i, 0) for i in range(HISTOGRAM_BINS)]}}


# --- writing -----------------------------------------------------------------------------------------
def _write_partitions(sdf: Any, folder: str, schema: pa.Schema) -> list[dict[str, Any]]:
    """Each partition writes one Parquet file into ``folder``; returns the files' Delta add-action fields."""
    import pyarrow.parquet as pq

    prefix = uuid.uuid4().hex
    schema_bytes = schema.serialize().to_pybytes()

    def write(batches: Any) -> Any:
        import pyarrow as pa_
        import pyarrow.parquet as pq_
        from pyspark import TaskContext

        target_schema = pa_.ipc.read_schema(pa_.py_buffer(schema_bytes))
        task = TaskContext.get()
        part = task.partitionId() if task is not None else 0
        name = f"part-{part:05d}-{prefix}.parquet"
        path = os.path.join(folder, name)
        writer = None
        rows = 0
        try:
            for batch in batches:
                table = pa_.Table.from_batches([batch]).cast(target_schema)
                if writer is None:
                    writer = pq_.ParquetWriter(path, target_schema)
                writer.write_table(table)
                rows += table.num_rows
        finally:
            if writer is not None:
                writer.close()
        if rows:
            yield pa_.RecordBatch.from_pydict({"path": [name], "size": [os.path.getsize(path)], "rows": [rows],
                                               "partition": [part]})

    out_schema = "path string, size long, rows long, partition long"
    os.makedirs(folder, exist_ok=True)
    try:
        files = [r.asDict() for r in sdf.mapInArrow(write, out_schema).collect()]  # metadata only, one per file
    except BaseException:
        # Tasks that finished before the job failed left files no commit will name: remove them.
        for name in os.listdir(folder):
            if name.endswith(f"-{prefix}.parquet"):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(folder, name))
        raise
    for f in files:
        f["stats"] = _file_stats(pq.read_metadata(os.path.join(folder, f["path"])), f["rows"])
    return files


def _file_stats(metadata: Any, rows: int) -> str:
    # Delta's per-file stats: the row count is what readers rely on; min/max are optional.
    return json.dumps({"numRecords": rows})


def _conform_spark(group: FeatureGroup, sdf: Any) -> tuple[Any, pa.Schema]:
    from pyspark.sql import functions as F

    target = group.offline.schema()
    incoming = _arrow_schema(sdf)
    if target is None:
        return sdf, incoming
    problems = column_problems(target, incoming.names)
    if problems:
        raise schema_mismatch(target, problems)
    spark_target = _spark_schema(target)
    return sdf.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in spark_target.fields]), target


def insert_spark(group: FeatureGroup, sdf: Any, operation: str, options: dict[str, Any], profile: bool,
                 bar: Steps) -> Commit | None:
    """Insert a Spark DataFrame into ``group`` without collecting it (see the module docstring)."""
    from deltalake import DeltaTable, write_deltalake
    from deltalake.transaction import AddAction, create_table_with_add_actions
    from pyspark.sql import functions as F

    if not group._store.project.is_local:
        raise FeatureStoreError("Spark inserts write into the project folder from the executors; this needs a "
                                "project on a filesystem the executors share (a local or mounted path).")
    needed = [c for c in [*group.primary_key, group.event_time] if c]
    missing = [c for c in needed if c not in sdf.columns]
    if missing:
        raise FeatureStoreError(f"The data lacks column(s) {missing} that feature group {group.name} needs; it has "
                                f"{sdf.columns}.")
    nulls = sdf.agg(*[F.sum(F.col(k).isNull().cast("int")).alias(k) for k in group.primary_key]).first()
    for key in group.primary_key:
        if nulls[key]:
            raise FeatureStoreError(f"Primary key column {key!r} has {nulls[key]} null value(s); every row needs "
                                    "a key.")
    if operation == "upsert":
        repeated = sdf.groupBy(*group.primary_key).count().where(F.col("count") > 1).limit(1).collect()
        if repeated:
            example = {k: repeated[0][k] for k in group.primary_key}
            raise FeatureStoreError(f"Primary key(s) appear more than once in the data, e.g. {example}; an upsert "
                                    "needs one row per key. Drop the duplicates, or append with operation='insert'.")
    sdf, schema = _conform_spark(group, sdf)
    table = group.offline
    existed = table.exists()
    empty = sdf.isEmpty()
    if empty and group._skips_empty(operation):
        group._warn_empty()
        return None
    sdf = sdf.persist()
    try:
        report = None if empty else group._validate(sdf, options, bar)
        bar.step("write")
        upsert = existed and operation == "upsert"
        folder = os.path.join(table.uri, "_jhops_staging", uuid.uuid4().hex) if upsert else table.uri
        files = _write_partitions(sdf, folder, schema)
        rows = sum(f["rows"] for f in files)
        try:
            if upsert:
                import pyarrow.dataset as ds

                source = ds.dataset([os.path.join(folder, f["path"]) for f in files], schema=schema, format="parquet")
                metrics = table.merge(source.scanner().to_reader(), group.primary_key)
            else:
                now = int(time.time() * 1000)
                actions = [AddAction(f["path"], f["size"], {}, now, True, f["stats"]) for f in files]
                if not existed:
                    if actions:
                        create_table_with_add_actions(table.uri, _delta_schema(schema), actions, mode="append")
                    else:
                        write_deltalake(table.uri, schema.empty_table(), mode="append")
                else:
                    DeltaTable(table.uri).create_write_transaction(
                        list[Any](actions), mode="overwrite" if operation == "overwrite" else "append",
                        schema=_delta_schema(schema))
                metrics = {"num_added_rows": rows, "num_added_files": len(files)}
        except BaseException:
            if not upsert:  # files the log never named: remove them so they cannot confuse anyone
                for f in files:
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(folder, f["path"]))
            raise
        finally:
            if upsert:
                shutil.rmtree(folder, ignore_errors=True)
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.dirname(folder))  # the staging root, once no other upsert uses it
        version = table.table().version()
        result = CommitResult(version, operation, rows, {k: v for k, v in metrics.items()
                                                         if isinstance(v, (int, float))})
        stats = None
        if profile:
            bar.step("statistics")
            stats = statistics_spark(read_spark(group, version, sdf.sparkSession))
        commit = group._after_commit(result, None, report, False, bar, stats=stats, online=False)
        if group.online_enabled:
            bar.step("online")
            try:
                _write_online_spark(group, sdf, replace=operation == "overwrite")
            except Exception as exc:  # the offline commit stands and is recorded; say how to catch up
                raise FeatureStoreError(
                    f"The offline commit {version} of {group.name} v{group.version} succeeded, but updating the "
                    f"online store failed: {exc}. Run fg.sync_online() to rebuild it.") from exc
        return commit
    finally:
        sdf.unpersist()


def _delta_schema(schema: pa.Schema) -> Any:
    from deltalake import Schema

    return Schema.from_arrow(schema)


def _write_online_spark(group: FeatureGroup, sdf: Any, replace: bool) -> None:
    """Each executor writes its partition's rows to the online store (SQLite file or Redis)."""
    from jhops.featurestore.online_store import open_online_store, rows_of

    project_path, url, table, key = group._store.project.path, group._store._online_url, group.table_name, \
        group.primary_key
    group._store.online.put(table, [], replace=replace)  # the table (and a SQLite file) exist before the tasks

    def write(batches: Any) -> Any:
        import pyarrow as pa_

        store = open_online_store(project_path, url)
        count = 0
        for batch in batches:
            count += store.put(table, rows_of(pa_.Table.from_batches([batch]), key))
        yield pa_.RecordBatch.from_pydict({"rows": [count]})

    sdf.mapInArrow(write, "rows long").collect()
