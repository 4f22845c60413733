"""The registry's rows in the project's metadata database (the ``models`` table). Rows come back as dicts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from jhops.metadb import integer_equals, models
from jhops.models.errors import ModelNotFoundError, ModelRegistryError


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class ModelCatalog:
    """Reads and writes model version rows; writes take the caller's connection so they share its transaction.

    Example: ``ModelCatalog(project.engine).get("iceberg-cnn")`` is the newest version's row.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim_version(self, conn: Connection, name: str, version: int | None) -> int:
        """The version a new export of ``name`` gets: ``version`` if it is free, else the next after the newest."""
        newest = conn.execute(sa.select(sa.func.max(models.c.version)).where(models.c.name == name)).scalar() or 0
        if version is None:
            return int(newest) + 1
        taken = conn.execute(sa.select(models.c.id).where(models.c.name == name, models.c.version == version)).first()
        if taken is not None:
            raise ModelRegistryError(f"Model {name!r} version {version} exists already; leave version out to "
                                     f"create version {newest + 1}, or read it with get_model({name!r}, {version}).")
        return version

    def insert(self, conn: Connection, fields: dict[str, Any]) -> None:
        conn.execute(models.insert().values(**fields))

    def get(self, name: str, version: int | None = None) -> dict[str, Any]:
        """The row of ``name`` at ``version`` (the newest when None), or a :class:`ModelNotFoundError`."""
        query = sa.select(models).where(models.c.name == name)
        if version is not None:
            query = query.where(integer_equals(models.c.version, version))
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(models.c.version.desc())).first()
            if row is not None:
                return _row(row)
            versions = sorted(r[0] for r in conn.execute(sa.select(models.c.version).where(models.c.name == name)))
            known = [r[0] for r in conn.execute(sa.select(models.c.name).distinct().order_by(models.c.name))]
        if versions:
            raise ModelNotFoundError(f"Model {name!r} has no version {version}; its versions are {versions}, e.g. "
                                     f"get_model({name!r}, {versions[-1]}).")
        hint = (f"The registered models are: {', '.join(known)}." if known else
                "No model is registered yet; add one with jhops.models.export(model, 'iceberg-cnn').")
        raise ModelNotFoundError(f"No model named {name!r}. {hint}")

    def list(self, name: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(models).order_by(models.c.name, models.c.version)
        if name is not None:
            query = query.where(models.c.name == name)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def delete(self, conn: Connection, row_id: int) -> None:
        conn.execute(models.delete().where(models.c.id == row_id))
