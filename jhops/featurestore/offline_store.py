"""The offline store: one Delta Lake table per feature group version, one Delta commit per insert.

Delta commits are atomic (the log entry is written last), so a process killed in the middle of an insert
leaves the table at its previous version; readers in other processes see whole commits only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from jhops.featurestore.errors import FeatureStoreError, NotFoundError, SchemaMismatchError

OPERATIONS = ("insert", "upsert", "overwrite")


@dataclass
class CommitResult:
    """What one insert did to the table."""

    version: int
    operation: str
    rows: int
    metrics: dict[str, Any]


def _quote(name: str) -> str:
    return f'"{name}"'


def column_problems(schema: pa.Schema, columns: Sequence[str]) -> list[str]:
    """The columns ``schema`` has that ``columns`` lacks, and those it does not know, as phrases.

    Example: ``column_problems(pa.schema([("id", pa.string())]), ["ID"])`` is
    ``["missing columns ['id']", "unknown columns ['ID']"]``.
    """
    missing = [f.name for f in schema if f.name not in columns]
    extra = [c for c in columns if c not in schema.names]
    return ([f"missing columns {missing}"] if missing else []) + ([f"unknown columns {extra}"] if extra else [])


def schema_mismatch(schema: pa.Schema, problems: Sequence[str]) -> SchemaMismatchError:
    """The error for data that does not fit ``schema``: the problems, then the schema itself.

    Example: ``raise schema_mismatch(schema, column_problems(schema, table.column_names))``
    """
    return SchemaMismatchError("The data does not match the feature group's schema: " + "; ".join(problems)
                               + f". The schema is: {', '.join(f'{f.name} {f.type}' for f in schema)}.")


class OfflineTable:
    """A Delta table at ``uri``; reads as Arrow, by version or by time.

    Example::

        table = OfflineTable("/proj/featurestore/iceberg_1")
        table.write(arrow_table, "upsert", primary_key=["id"])
        table.read(as_of=0)
    """

    def __init__(self, uri: str, storage_options: dict[str, str] | None = None) -> None:
        self.uri = uri
        self.storage_options = storage_options

    def exists(self) -> bool:
        return bool(DeltaTable.is_deltatable(self.uri, storage_options=self.storage_options))

    def table(self, version: int | None = None) -> DeltaTable:
        if not self.exists():
            raise NotFoundError(f"The feature group has no data yet (no commit at {self.uri}); insert first.")
        return DeltaTable(self.uri, version=version, storage_options=self.storage_options)

    def version(self) -> int | None:
        return self.table().version() if self.exists() else None

    def schema(self) -> pa.Schema | None:
        if not self.exists():
            return None
        return pa.schema(self.table().schema().to_arrow())

    # --- writing ------------------------------------------------------------------------------------
    def conform(self, data: pa.Table) -> pa.Table:
        """``data`` cast to the table's schema, or a SchemaMismatchError that names each difference."""
        schema = self.schema()
        if schema is None:
            return data
        problems = column_problems(schema, data.column_names)
        if not problems and data.num_rows == 0:
            return schema.empty_table()  # no values to lose: an empty frame's columns often have no type at all
        if not problems:
            columns = []
            for target in schema:
                column = data.column(target.name)
                if column.type != target.type:
                    try:
                        column = column.cast(target.type, safe=True)
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                        problems.append(f"column {target.name!r} is {column.type}, the feature group has "
                                        f"{target.type}")
                columns.append(column)
        if problems:
            raise schema_mismatch(schema, problems)
        return pa.Table.from_arrays(columns, schema=schema)

    def write(self, data: pa.Table, operation: str, primary_key: Sequence[str]) -> CommitResult:
        """Commit ``data``: append (insert), merge by primary key (upsert), or replace (overwrite)."""
        if operation not in OPERATIONS:
            raise FeatureStoreError(f"Unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}, "
                                    "for example fg.insert(df, operation='upsert').")
        existed = self.exists()
        data = self.conform(data) if existed else data
        if not existed or operation in ("insert", "overwrite"):
            if operation == "overwrite" and existed:
                write_deltalake(self.uri, data, mode="overwrite", storage_options=self.storage_options)
            else:
                write_deltalake(self.uri, data, mode="append", storage_options=self.storage_options)
            metrics = {"num_added_rows": data.num_rows}
        else:
            metrics = self.merge(data, primary_key)
        version = self.table().version()
        return CommitResult(version, operation, data.num_rows, {k: v for k, v in metrics.items()
                                                                  if isinstance(v, (int, float))})

    def merge(self, source: Any, primary_key: Sequence[str]) -> dict[str, Any]:
        """Upsert ``source`` (Arrow data or a record batch reader) by primary key; returns delta-rs's metrics."""
        from deltalake.exceptions import DeltaError

        predicate = " AND ".join(f"t.{_quote(k)} = s.{_quote(k)}" for k in primary_key)
        merge = self.table().merge(source=source, predicate=predicate, source_alias="s", target_alias="t")
        try:
            return dict(merge.when_matched_update_all().when_not_matched_insert_all().execute())
        except DeltaError as exc:
            raise FeatureStoreError(f"The upsert by {list(primary_key)} was refused and nothing was written: {exc}") \
                from exc

    # --- reading ------------------------------------------------------------------------------------
    def at(self, as_of: int | str | dt.datetime | None = None) -> DeltaTable:
        """The table at a version number, a wall-clock time (datetime or ISO string), or now."""
        table = self.table()
        if as_of is None:
            return table
        if isinstance(as_of, bool):
            raise FeatureStoreError("as_of must be a commit version (int) or a time (datetime or ISO string)")
        if isinstance(as_of, int):
            latest = table.version()
            if not 0 <= as_of <= latest:
                raise NotFoundError(f"No commit version {as_of}: the versions are 0 to {latest}.")
            table.load_as_version(as_of)
            return table
        when = dt.datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        if when.tzinfo is None:
            when = when.astimezone()  # a naive time is the local wall-clock time
        first = min(h["timestamp"] for h in table.history()) / 1000.0
        if when.timestamp() < first:
            raise NotFoundError(f"No commit at or before {when.isoformat()}: the first commit was at "
                                f"{dt.datetime.fromtimestamp(first).astimezone().isoformat()}.")
        table.load_as_version(when)
        return table

    def read(self, as_of: int | str | dt.datetime | None = None, columns: Sequence[str] | None = None) -> pa.Table:
        return self.dataset(as_of).to_table(columns=list(columns) if columns else None)

    def dataset(self, as_of: int | str | dt.datetime | None = None) -> Any:
        """A pyarrow dataset of the snapshot (also what DuckDB reads: it cannot load its delta extension here).

        On a local disk the snapshot's Parquet files are read by pyarrow directly: scanning through delta-rs's
        filesystem bridge aborts the interpreter at exit ("terminate called without an active exception")
        with deltalake 1.6 and pyarrow 26. Tables written by jhops have no deletion vectors or partitions, so
        the files listed in the log are the snapshot.
        """
        import pyarrow.dataset as ds

        snapshot = self.at(as_of)
        if self.storage_options or "://" in self.uri:
            return snapshot.to_pyarrow_dataset()
        schema = pa.schema(snapshot.schema().to_arrow())
        return ds.dataset(snapshot.file_uris(), schema=schema, format="parquet")

    def register(self, con: Any, name: str, as_of: int | str | dt.datetime | None = None) -> None:
        """Make the snapshot a DuckDB view ``name``.

        DuckDB reads the snapshot's Parquet files itself: delta-rs merges write strings as Arrow ``string_view``,
        and a filter pushed into a pyarrow dataset that mixes those with ``string`` files fails.
        """
        snapshot = self.at(as_of)
        files = snapshot.file_uris()
        if files and not self.storage_options and "://" not in self.uri:
            con.read_parquet(files).create_view(name, replace=True)
        else:
            con.register(name, self.dataset(as_of))

    def history(self) -> list[dict[str, Any]]:
        """Delta's commit log, newest first."""
        return list(self.table().history()) if self.exists() else []

    def data_files(self) -> list[str]:
        return [os.path.join(self.uri, f) for f in self.table().file_uris()] if self.exists() else []
