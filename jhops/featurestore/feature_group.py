"""A feature group: one versioned Delta table of features with a primary key, validated and profiled on insert."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute

from jhops.featurestore import validation
from jhops.featurestore.errors import EmptyInsertWarning, FeatureStoreError, ValidationFailedError
from jhops.featurestore.expectation_specs import ExpectationsSource, read_expectations
from jhops.featurestore.offline_store import OPERATIONS, OfflineTable, column_problems, schema_mismatch
from jhops.featurestore.online_store import decode_row, encode_key, rows_of
from jhops.featurestore.query import Feature, Query
from jhops.featurestore.rules import Expectation
from jhops.featurestore.statistics import compute_statistics
from jhops.progress_bar import Steps

if TYPE_CHECKING:
    import pandas as pd

    from jhops.featurestore.feature_store import FeatureStore

POLICIES = ("STRICT", "WARNING", "NONE")


@dataclass
class Commit:
    """The result of one insert: the Delta version it made, its validation report and statistics."""

    version: int
    operation: str
    rows: int
    committed_at: float
    metrics: dict[str, Any] = field(default_factory=dict)
    report: validation.ValidationReport | None = None
    statistics: dict[str, Any] | None = None


def to_arrow(data: Any) -> pa.Table:
    """pandas DataFrame or Arrow table as an Arrow table (array columns become typed lists)."""
    if isinstance(data, pa.Table):
        return data
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        try:
            return pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise FeatureStoreError(f"Cannot store this DataFrame: {exc}. Columns must hold numbers, strings, "
                                    "booleans, timestamps, or lists/arrays of numbers.") from exc
    raise FeatureStoreError(f"insert() takes a pandas or Spark DataFrame, got {type(data).__name__}")


class FeatureGroup:
    """A feature group version. Get one with ``fs.get_feature_group(name, version)``.

    Example::

        fg = fs.get_or_create_feature_group("iceberg", primary_key=["id"], online_enabled=True)
        fg.insert(df)
        fg.read(as_of=0)
    """

    def __init__(self, store: FeatureStore, row: dict[str, Any]) -> None:
        self._store = store
        self._row = row

    # --- what it is --------------------------------------------------------------------------------
    id = property(lambda self: int(self._row["id"]))
    name = property(lambda self: str(self._row["name"]))
    version = property(lambda self: int(self._row["version"]))
    description = property(lambda self: str(self._row["description"] or ""))
    primary_key = property(lambda self: list(self._row["primary_key"]))
    event_time = property(lambda self: self._row["event_time"])
    online_enabled = property(lambda self: bool(self._row["online_enabled"]))
    validation_policy = property(lambda self: str(self._row["validation"]))
    statistics_enabled = property(lambda self: bool(self._row["statistics"]))
    tags = property(lambda self: dict(self._row["tags"] or {}))

    @property
    def table_name(self) -> str:
        """Its name in SQL (``fs.sql``) and in the online store: ``<name>_<version>``."""
        return f"{self.name}_{self.version}"

    @property
    def offline(self) -> OfflineTable:
        return OfflineTable(self._store.project.artifact_path(self._row["location"]))

    @property
    def features(self) -> list[Feature]:
        """The schema (empty until the first insert fixes it)."""
        return [Feature(f["name"], f["type"], f.get("description", ""), self.table_name, f.get("tags") or {})
                for f in self._row["features"] or []]

    @property
    def expectations(self) -> list[Any]:
        return validation.load_expectations(self._row["expectations"] or [])

    def get_feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise FeatureStoreError(f"Feature group {self.name} v{self.version} has no feature {name!r}; its features "
                                f"are {[f.name for f in self.features]}.")

    def __getattr__(self, name: str) -> Feature:
        # fg.inc_angle > 30, as in hsfs; only reached for names that are not attributes
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.get_feature(name)
        except FeatureStoreError as exc:
            raise AttributeError(str(exc)) from None

    def __repr__(self) -> str:
        return f"FeatureGroup({self.name!r}, version={self.version}, primary_key={self.primary_key})"

    def _reload(self) -> None:
        self._row = self._store.catalog.get_group_by_id(self.id)

    # --- writing -----------------------------------------------------------------------------------
    def _check_keys(self, table: pa.Table) -> None:
        needed = [c for c in [*self.primary_key, self.event_time] if c]
        missing = [c for c in needed if c not in table.column_names]
        if missing:
            raise FeatureStoreError(f"The data lacks column(s) {missing} that feature group {self.name} needs "
                                    f"(primary key {self.primary_key}, event time {self.event_time}); it has "
                                    f"{table.column_names}.")
        for key in self.primary_key:
            if table.column(key).null_count:
                raise FeatureStoreError(f"Primary key column {key!r} has {table.column(key).null_count} null "
                                        "value(s); every row needs a key.")

    def _check_unique_keys(self, table: pa.Table) -> None:
        """An upsert needs one row per key: a merge cannot tell which of two rows of one key should win."""
        keys = table.select(self.primary_key).group_by(self.primary_key).aggregate([([], "count_all")])
        repeated = keys.filter(pa.compute.greater(keys["count_all"], 1))
        if repeated.num_rows:
            example = {k: repeated.column(k)[0].as_py() for k in self.primary_key}
            raise FeatureStoreError(
                f"{repeated.num_rows} primary key(s) appear more than once in the data, e.g. {example}; an upsert "
                "needs one row per key. Drop the duplicates, or append them all with operation='insert'.")

    def insert(self, data: Any, operation: str = "upsert", validation_options: dict[str, Any] | None = None,
               statistics: bool | None = None, progress: bool | None = None) -> Commit | None:
        """Validate ``data`` (pandas or Spark DataFrame), write it as one commit, profile it, update online rows.

        ``operation``: ``upsert`` merges by primary key, ``insert`` appends, ``overwrite`` replaces. Under the
        STRICT policy a failing ERROR rule rejects the whole insert and nothing is written
        (``ValidationFailedError``, with the report). ``validation_options={"run_validation": False}`` skips
        validation once. Data without rows writes nothing and returns None with an ``EmptyInsertWarning``
        (except an overwrite of a group with data, which empties it). A call that runs past two seconds shows
        its steps in a progress bar; ``progress=False`` (or ``JHOPS_PROGRESS=0``) hides it.
        Example: ``fg.insert(df, operation="upsert")``.
        """
        if operation not in OPERATIONS:
            raise FeatureStoreError(f"Unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}, "
                                    "for example fg.insert(df, operation='upsert').")
        options = dict(validation_options or {})
        profile = self.statistics_enabled if statistics is None else bool(statistics)
        steps = ["prepare", *(["validate"] if self._validates(options) else []), "write",
                 *(["statistics"] if profile else []), *(["online"] if self.online_enabled else [])]
        with Steps(f"insert {self.name} v{self.version}", steps, progress=progress) as bar:
            bar.step("prepare")
            if _is_spark(data):
                from jhops.featurestore.spark_io import insert_spark

                return insert_spark(self, data, operation, options, profile, bar)
            return self._insert_arrow(to_arrow(data), operation, options, profile, bar)

    def _insert_arrow(self, table: pa.Table, operation: str, options: dict[str, Any], profile: bool,
                      bar: Steps) -> Commit | None:
        self._check_keys(table)
        if table.num_rows == 0 and self._skips_empty(operation):
            schema = self.offline.schema()
            problems = column_problems(schema, table.column_names) if schema is not None else []
            if schema is not None and problems:
                raise schema_mismatch(schema, problems)
            self._warn_empty()
            return None
        if operation == "upsert":
            self._check_unique_keys(table)
        table = self.offline.conform(table)
        report = self._validate(table, options, bar) if table.num_rows else None
        bar.step("write")
        if profile and (operation == "overwrite" or not self.offline.exists()):
            # The commit will hold exactly these rows: profile them while delta-rs writes (it releases the GIL).
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                stats = pool.submit(compute_statistics, table)
                result = self.offline.write(table, operation, self.primary_key)
                bar.step("statistics")
                return self._after_commit(result, table, report, profile, bar, stats=stats.result())
        result = self.offline.write(table, operation, self.primary_key)
        return self._after_commit(result, table, report, profile, bar)

    def _skips_empty(self, operation: str) -> bool:
        """Whether data without rows is a no-op: always, but for an overwrite, which empties a group with data."""
        return operation != "overwrite" or not self.offline.exists()

    def _warn_empty(self) -> None:
        version = self.offline.version()
        state = (f"it stays at commit {version}" if version is not None else
                 "it still has no data, and no schema: the first insert with rows fixes the schema")
        warnings.warn(f"{self.name} v{self.version}: the data has no rows; nothing was written ({state}).",
                      EmptyInsertWarning, stacklevel=4)

    def _validates(self, options: dict[str, Any]) -> bool:
        return self.validation_policy != "NONE" and bool(options.get("run_validation", True)) \
            and bool(self._row["expectations"])

    def _validate(self, data: Any, options: dict[str, Any], bar: Steps) -> validation.ValidationReport | None:
        policy = self.validation_policy
        if not self._validates(options):
            return None
        bar.step("validate")
        report = validation.validate(data, self.expectations)
        if policy == "STRICT" and report.status == "FAILURE":
            report.id = self._store.catalog.add_report(self.id, None, report.status, policy, report.rows,
                                                       report.results_as_dicts())
            raise ValidationFailedError(
                f"Insert into {self.name} v{self.version} rejected; nothing was written. "
                f"{report.summary()} (policy STRICT; the report is fg.validation_reports()[-1]).", report)
        if report.status != "SUCCESS":
            warnings.warn(f"{self.name} v{self.version}: {report.summary()}", stacklevel=4)
        return report

    def _after_commit(self, result: Any, data: pa.Table | None, report: validation.ValidationReport | None,
                      profile: bool, bar: Steps, stats: dict[str, Any] | None = None, online: bool = True) -> Commit:
        committed_at = time.time()
        if self._row["features"] is None:
            schema = self.offline.schema()
            assert schema is not None
            self._store.catalog.update_group(self.id, features=[{"name": f.name, "type": str(f.type),
                                                                  "description": "", "tags": {}} for f in schema])
            self._reload()
        if stats is None and profile:
            bar.step("statistics")
            whole = data if data is not None and (result.version == 0 or result.operation == "overwrite") \
                else self.offline.read(result.version)
            stats = compute_statistics(whole)
        self._store.catalog.add_commit(self.id, result.version, result.operation, result.rows, result.metrics,
                                       stats, committed_at)
        if report is not None:
            report.id = self._store.catalog.add_report(self.id, result.version, report.status, self.validation_policy,
                                                       report.rows, report.results_as_dicts())
        if online and self.online_enabled:
            bar.step("online")
            self._write_online(data, replace=result.operation == "overwrite")
        return Commit(result.version, result.operation, result.rows, committed_at, result.metrics, report, stats)

    def _write_online(self, data: pa.Table | None, replace: bool = False) -> None:
        table = data if data is not None else self.offline.read()
        try:
            self._store.online.put(self.table_name, rows_of(table, self.primary_key), replace=replace)
        except Exception as exc:  # the offline commit stands; say how to catch the online store up
            raise FeatureStoreError(f"The offline commit of {self.name} v{self.version} succeeded, but updating the "
                                    f"online store failed: {exc}. Run fg.sync_online() to rebuild it.") from exc

    def sync_online(self) -> int:
        """Rebuild the online rows from the latest offline version; returns how many keys it holds."""
        if not self.online_enabled:
            raise FeatureStoreError(f"{self.name} v{self.version} is not online_enabled")
        table = self.offline.read()
        self._store.online.put(self.table_name, rows_of(table, self.primary_key), replace=True)
        return self._store.online.count(self.table_name)

    # --- reading -----------------------------------------------------------------------------------
    def read(self, as_of: int | str | dt.datetime | None = None, dataframe_type: str = "pandas") -> Any:
        """The rows at a commit version, a time, or now, as pandas (default), ``"arrow"`` or ``"spark"``.

        Example: ``fg.read(as_of=0)``, ``fg.read(as_of="2026-11-22T10:00:00")``.
        """
        if dataframe_type == "spark":
            from jhops.featurestore.spark_io import read_spark

            return read_spark(self, as_of)
        table = self.offline.read(as_of)
        if dataframe_type == "arrow":
            return table
        if dataframe_type == "pandas":
            return table.to_pandas()
        raise FeatureStoreError(f"dataframe_type must be pandas, arrow or spark, got {dataframe_type!r}")

    def show(self, n: int = 10) -> pd.DataFrame:
        """The first ``n`` rows."""
        return self.offline.read().slice(0, n).to_pandas()

    def commits(self) -> list[dict[str, Any]]:
        """Every commit with its version, operation, row count, time and statistics."""
        return self._store.catalog.commits(self.id)

    def history(self) -> pd.DataFrame:
        """One row per commit, newest first: version, time, operation, rows written, validation status."""
        import pandas as pd

        commits = {c["delta_version"]: c for c in self.commits()}
        reports = {r["delta_version"]: r["status"] for r in self.validation_reports() if r["delta_version"] is not None}
        rows = []
        for entry in self.offline.history():
            version = int(entry["version"])
            commit = commits.get(version, {})
            rows.append({"version": version,
                         "committed_at": pd.Timestamp(entry["timestamp"], unit="ms", tz="UTC"),
                         "operation": commit.get("operation", str(entry.get("operation", "")).lower()),
                         "rows": commit.get("rows"), "validation": reports.get(version, "-"),
                         "delta_operation": entry.get("operation")})
        return pd.DataFrame(rows)

    def statistics(self, version: int | None = None) -> dict[str, Any]:
        """The statistics computed for a commit (the latest by default)."""
        commits = [c for c in self.commits() if c["statistics"] is not None]
        if version is not None:
            commits = [c for c in commits if c["delta_version"] == version]
        if not commits:
            which = f"commit {version}" if version is not None else "any commit"
            raise FeatureStoreError(f"No statistics for {which} of {self.name} v{self.version} (statistics off, "
                                    "or no insert yet); compute them with fg.compute_statistics().")
        return dict(commits[-1]["statistics"])

    def compute_statistics(self) -> dict[str, Any]:
        """Profile the latest version now and store it with that commit."""
        version = self.offline.version()
        if version is None:
            raise FeatureStoreError(f"{self.name} v{self.version} has no data yet")
        stats = compute_statistics(self.offline.read(version))
        from jhops import metadb

        with self._store.project.engine.begin() as conn:
            table = metadb.feature_group_commits
            updated = conn.execute(table.update().where(table.c.feature_group_id == self.id,
                                                        table.c.delta_version == version).values(statistics=stats))
        if updated.rowcount == 0:
            self._store.catalog.add_commit(self.id, version, "unknown", 0, {}, stats, time.time())
        return stats

    def validation_reports(self) -> list[dict[str, Any]]:
        """Every validation report, oldest first; ``delta_version`` is None for a rejected insert."""
        return self._store.catalog.reports(self.id)

    def validate(self, data: Any, expectations: ExpectationsSource = None) -> validation.ValidationReport:
        """Run the group's expectations (or ``expectations``, in any form ``expectations=`` takes, e.g. a YAML
        file) on ``data`` without inserting it or storing a report.

        Example: ``fg.validate(df)``, ``fg.validate(df, expectations="rules.yaml")``
        """
        rules = self.expectations if expectations is None else expectations
        return validation.validate(data if _is_spark(data) else to_arrow(data), rules)

    # --- queries -----------------------------------------------------------------------------------
    def select(self, features: Sequence[str]) -> Query:
        return Query(self, list(features))

    def select_all(self) -> Query:
        return Query(self, [f.name for f in self.features])

    def select_except(self, features: Sequence[str]) -> Query:
        return Query(self, [f.name for f in self.features if f.name not in set(features)])

    def filter(self, condition: Any) -> Query:
        return self.select_all().filter(condition)

    # --- online ------------------------------------------------------------------------------------
    def get_feature_vectors(self, keys: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        if not self.online_enabled:
            raise FeatureStoreError(f"{self.name} v{self.version} is not online_enabled; create it with "
                                    "online_enabled=True for lookups by key.")
        encoded = []
        for key in keys:
            missing = [k for k in self.primary_key if k not in key]
            if missing:
                raise FeatureStoreError(f"The lookup key {key} lacks {missing}; {self.name} is keyed by "
                                        f"{self.primary_key}, e.g. {{{self.primary_key[0]!r}: ...}}.")
            encoded.append(encode_key([key[k] for k in self.primary_key]))
        return [decode_row(v) if v is not None else None for v in self._store.online.get(self.table_name, encoded)]

    # --- descriptions and tags ---------------------------------------------------------------------
    def update_description(self, description: str) -> FeatureGroup:
        self._store.catalog.update_group(self.id, description=description)
        self._reload()
        return self

    def _update_feature(self, name: str, **changes: Any) -> None:
        self.get_feature(name)
        features = [dict(f) for f in self._row["features"]]
        for feature in features:
            if feature["name"] == name:
                for key, value in changes.items():
                    if key == "tags":
                        feature["tags"] = value
                    else:
                        feature[key] = value
        self._store.catalog.update_group(self.id, features=features)
        self._reload()

    def update_feature_description(self, feature: str, description: str) -> FeatureGroup:
        self._update_feature(feature, description=description)
        return self

    def add_tag(self, name: str, value: Any = True, feature: str | None = None) -> FeatureGroup:
        """Tag the group (or one of its features): ``fg.add_tag("sensor", "Sentinel-1")``."""
        if feature is not None:
            tags = {**self.get_feature(feature).tags, name: value}
            self._update_feature(feature, tags=tags)
        else:
            self._store.catalog.update_group(self.id, tags={**self.tags, name: value})
            self._reload()
        return self

    def get_tags(self, feature: str | None = None) -> dict[str, Any]:
        return dict(self.get_feature(feature).tags) if feature is not None else self.tags

    def delete_tag(self, name: str, feature: str | None = None) -> FeatureGroup:
        tags = self.get_tags(feature)
        if name not in tags:
            raise FeatureStoreError(f"No tag {name!r} on {feature or self.name}; its tags are {sorted(tags)}")
        del tags[name]
        if feature is not None:
            self._update_feature(feature, tags=tags)
        else:
            self._store.catalog.update_group(self.id, tags=tags)
            self._reload()
        return self

    def to_dict(self) -> dict[str, Any]:
        """The group's description as JSON-ready data (for the REST API and the widget)."""
        return {"id": self.id, "name": self.name, "version": self.version, "description": self.description,
                "primary_key": self.primary_key, "event_time": self.event_time,
                "online_enabled": self.online_enabled, "validation": self.validation_policy,
                "statistics": self.statistics_enabled, "tags": self.tags,
                "features": self._row["features"] or [], "expectations": self._row["expectations"] or [],
                "created": self._row["created"]}


def _is_spark(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pyspark.sql") and type(data).__name__ == "DataFrame"


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise FeatureStoreError(f"validation must be one of {', '.join(POLICIES)}, got {policy!r}; "
                                "for example validation='STRICT'.")
    return policy


def check_expectations(expectations: ExpectationsSource) -> list[dict[str, Any]]:
    """Expectations in any form ``expectations=`` takes (objects, suites, dicts, a file) as stored JSON."""
    stored = []
    for item in read_expectations(expectations):
        if isinstance(item, Expectation):
            stored.append({"kind": "rules", **item.to_dict()})
        else:
            stored.append(validation.suite_to_dict(item))
    return stored
