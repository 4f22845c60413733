"""The feature store's records in the project's metadata database: groups, commits, reports, datasets."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jhops import metadb
from jhops.featurestore.errors import FeatureStoreError, NotFoundError


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class Catalog:
    """Reads and writes the feature store tables. Rows come back as dicts.

    Example: ``Catalog(project.engine).get_group("iceberg")`` is the newest version's row.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- versioned things (feature groups and training datasets share the numbering rules) ------------
    def _create_versioned(self, table: sa.Table, what: str, fields: dict[str, Any]) -> dict[str, Any]:
        with self.engine.begin() as conn:
            latest = conn.execute(sa.select(sa.func.max(table.c.version)).where(table.c.name == fields["name"]))
            newest = latest.scalar()
            if fields.get("version") is None:
                fields["version"] = (newest or 0) + 1
            elif conn.execute(sa.select(table.c.id).where(table.c.name == fields["name"],
                                                          table.c.version == fields["version"])).first():
                raise FeatureStoreError(
                    f"{what} {fields['name']!r} version {fields['version']} exists already; leave version out "
                    f"to create version {(newest or 0) + 1}, or get it with get_{what.replace(' ', '_')}"
                    f"({fields['name']!r}, version={fields['version']}).")
            if not isinstance(fields["version"], int) or fields["version"] < 1:
                raise FeatureStoreError(f"version must be a positive integer, got {fields['version']!r}")
            fields["created"] = time.time()
            new_id = conn.execute(table.insert().values(**fields)).inserted_primary_key[0]  # type: ignore[index]
            return _row(conn.execute(sa.select(table).where(table.c.id == new_id)).one())

    def _get_versioned(self, table: sa.Table, what: str, name: str, version: int | None) -> dict[str, Any]:
        query = sa.select(table).where(table.c.name == name)
        query = query.where(metadb.integer_equals(table.c.version, version)) if version is not None else query
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(table.c.version.desc())).first()
            if row is None:
                versions = [r[0] for r in conn.execute(sa.select(table.c.version).where(table.c.name == name))]
                known = [r[0] for r in conn.execute(sa.select(table.c.name).distinct().order_by(table.c.name))]
        if row is not None:
            return _row(row)
        if versions:
            raise NotFoundError(f"{what} {name!r} has no version {version}; its versions are {sorted(versions)}.")
        hint = f" The {what}s are: {', '.join(known)}." if known else f" There are no {what}s yet."
        raise NotFoundError(f"No {what} named {name!r}.{hint}")

    def _list(self, table: sa.Table, name: str | None) -> list[dict[str, Any]]:
        query = sa.select(table).order_by(table.c.name, table.c.version)
        if name is not None:
            query = query.where(table.c.name == name)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def _update(self, table: sa.Table, row_id: int, fields: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(table.update().where(table.c.id == row_id).values(**fields))

    # --- feature groups ----------------------------------------------------------------------------
    def create_group(self, **fields: Any) -> dict[str, Any]:
        return self._create_versioned(metadb.feature_groups, "feature group", fields)

    def get_group(self, name: str, version: int | None = None) -> dict[str, Any]:
        return self._get_versioned(metadb.feature_groups, "feature group", name, version)

    def get_group_by_id(self, group_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(metadb.feature_groups).where(metadb.feature_groups.c.id == group_id)).first()
        if row is None:
            raise NotFoundError(f"No feature group with id {group_id}.")
        return _row(row)

    def list_groups(self, name: str | None = None) -> list[dict[str, Any]]:
        return self._list(metadb.feature_groups, name)

    def update_group(self, group_id: int, **fields: Any) -> None:
        self._update(metadb.feature_groups, group_id, fields)

    # --- commits and validation reports ------------------------------------------------------------
    def add_commit(self, group_id: int, delta_version: int, operation: str, rows: int, metrics: dict[str, Any],
                   statistics: dict[str, Any] | None, committed_at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(metadb.feature_group_commits.insert().values(
                feature_group_id=group_id, delta_version=delta_version, operation=operation, rows=rows,
                metrics=metrics, statistics=statistics, committed_at=committed_at))

    def commits(self, group_id: int) -> list[dict[str, Any]]:
        table = metadb.feature_group_commits
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(table.c.feature_group_id == group_id)
                                .order_by(table.c.delta_version))
            return [_row(r) for r in rows]

    def add_report(self, group_id: int, delta_version: int | None, status: str, policy: str, rows: int,
                   results: list[dict[str, Any]]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(metadb.validation_reports.insert().values(
                feature_group_id=group_id, delta_version=delta_version, status=status, policy=policy, rows=rows,
                results=results, created=time.time()))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def reports(self, group_id: int) -> list[dict[str, Any]]:
        table = metadb.validation_reports
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(table.c.feature_group_id == group_id).order_by(table.c.id))
            return [_row(r) for r in rows]

    # --- training datasets -------------------------------------------------------------------------
    def create_training_dataset(self, **fields: Any) -> dict[str, Any]:
        return self._create_versioned(metadb.training_datasets, "training dataset", fields)

    def get_training_dataset(self, name: str, version: int | None = None) -> dict[str, Any]:
        return self._get_versioned(metadb.training_datasets, "training dataset", name, version)

    def list_training_datasets(self, name: str | None = None) -> list[dict[str, Any]]:
        return self._list(metadb.training_datasets, name)

    def update_training_dataset(self, dataset_id: int, **fields: Any) -> None:
        self._update(metadb.training_datasets, dataset_id, fields)

    def delete_training_dataset(self, dataset_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(metadb.training_datasets.delete().where(metadb.training_datasets.c.id == dataset_id))
