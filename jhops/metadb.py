"""The metadata database: table definitions and the migrations that create and upgrade them.

Every schema change is a new function appended to ``MIGRATIONS``; ``migrate`` applies the missing ones in
one write transaction, so two processes opening the same project at once cannot both run them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

#: the largest value an INTEGER column holds (SQLite's 64-bit integers; BIGINT elsewhere)
MAX_INTEGER = 2**63 - 1


def integer_equals(column: sa.ColumnElement[Any], value: int) -> sa.ColumnElement[bool]:
    """``column == value``, or a condition no row meets when ``value`` lies past what an INTEGER column holds
    (the database driver would raise ``OverflowError`` for it: an id nobody can have, not a crash).

    Example: ``sa.select(experiments).where(integer_equals(experiments.c.id, 10**24))`` finds nothing.
    """
    return column == value if -MAX_INTEGER - 1 <= value <= MAX_INTEGER else sa.false()


schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("metric_key", sa.String(200)),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("executor", sa.String(200), nullable=False),
    sa.Column("workers", sa.Integer, nullable=False),
    sa.Column("num_trials", sa.Integer, nullable=False),
    sa.Column("args", sa.JSON),
    sa.Column("code", sa.Text),
    sa.Column("environment", sa.JSON),
    sa.Column("driver", sa.JSON),
    sa.Column("start_time", sa.Float, nullable=False),
    sa.Column("end_time", sa.Float),
    sa.Column("best_trial_id", sa.Integer),
    sa.Column("best_metric", sa.Float),
    sa.Column("error", sa.Text),
    #: when someone outside the notebook (the sidebar, REST) asked the driver to stop; it polls this
    sa.Column("stop_requested", sa.Float),
    #: what the driver publishes while it runs: recent worker logs, live workers, when it last wrote
    sa.Column("live", sa.JSON),
)

trials = sa.Table(
    "trials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("metrics", sa.JSON),
    sa.Column("outputs", sa.JSON),
    sa.Column("artifacts", sa.JSON),
    sa.Column("worker", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Column("stdout", sa.Text, nullable=False, default=""),
    sa.Column("stderr", sa.Text, nullable=False, default=""),
    sa.Column("folder", sa.String(1000)),
    sa.Column("start_time", sa.Float),
    sa.Column("end_time", sa.Float),
    sa.UniqueConstraint("experiment_id", "number"),
)

metric_points = sa.Table(
    "metric_points",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("trial_id", sa.Integer, sa.ForeignKey("trials.id"), nullable=False, index=True),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("wall_time", sa.Float, nullable=False),
)


feature_groups = sa.Table(
    "feature_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("primary_key", sa.JSON, nullable=False),
    sa.Column("event_time", sa.String(200)),
    sa.Column("online_enabled", sa.Boolean, nullable=False, default=False),
    sa.Column("validation", sa.String(20), nullable=False),
    sa.Column("statistics", sa.Boolean, nullable=False, default=True),
    sa.Column("expectations", sa.JSON),
    #: [{"name", "type", "description", "tags"}] once the first insert has fixed the schema
    sa.Column("features", sa.JSON),
    sa.Column("tags", sa.JSON),
    sa.Column("location", sa.String(1000), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.UniqueConstraint("name", "version"),
)

feature_group_commits = sa.Table(
    "feature_group_commits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("feature_group_id", sa.Integer, sa.ForeignKey("feature_groups.id"), nullable=False, index=True),
    sa.Column("delta_version", sa.Integer, nullable=False),
    sa.Column("operation", sa.String(20), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("metrics", sa.JSON),
    sa.Column("statistics", sa.JSON),
    sa.Column("committed_at", sa.Float, nullable=False),
    sa.UniqueConstraint("feature_group_id", "delta_version"),
)

validation_reports = sa.Table(
    "validation_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("feature_group_id", sa.Integer, sa.ForeignKey("feature_groups.id"), nullable=False, index=True),
    #: the commit the validated rows went into; None when the insert was rejected
    sa.Column("delta_version", sa.Integer),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("policy", sa.String(20), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("results", sa.JSON, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)

training_datasets = sa.Table(
    "training_datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("query", sa.JSON, nullable=False),
    sa.Column("splits", sa.JSON, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("data_format", sa.String(20), nullable=False),
    sa.Column("label", sa.JSON, nullable=False),
    #: {"iceberg_1": 3}: the Delta version of every feature group read
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("features", sa.JSON, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("location", sa.String(1000), nullable=False),
    sa.Column("tags", sa.JSON),
    sa.Column("created", sa.Float, nullable=False),
    sa.UniqueConstraint("name", "version"),
)

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("framework", sa.String(40), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("metrics", sa.JSON, nullable=False),
    #: {"inputs": [{"name", "dtype", "shape"}], "outputs": [...]}, as in the version's model.json
    sa.Column("signature", sa.JSON, nullable=False),
    #: {"experiment_id", "trial_id", "training_dataset", "feature_groups", "source"}
    sa.Column("provenance", sa.JSON, nullable=False),
    #: the version's folder, relative to the project root: models/<name>/<version>
    sa.Column("path", sa.String(1000), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.UniqueConstraint("name", "version"),
)


def _create_experiment_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=[experiments, trials, metric_points])


def _create_feature_store_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=[feature_groups, feature_group_commits, validation_reports, training_datasets])


def _add_experiment_bridge_columns(conn: Connection) -> None:
    # A database made by migration 1 of an older jhops lacks them; one made now has them already.
    present = {c["name"] for c in sa.inspect(conn).get_columns("experiments")}
    for column in ("stop_requested FLOAT", "live JSON"):
        if column.split()[0] not in present:
            conn.execute(sa.text(f"ALTER TABLE experiments ADD COLUMN {column}"))


def _create_model_tables(conn: Connection) -> None:
    metadata.create_all(conn, tables=[models])


Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [_create_experiment_tables, _create_feature_store_tables, _add_experiment_bridge_columns,
                               _create_model_tables]


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event decide when a transaction starts (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # A second writer waits instead of failing.
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets readers run beside one writer. The mode is stored in the file, so only a new database needs the
    # switch, and SQLite refuses it at once (no busy wait) while another process holds a lock: retry a while.
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        deadline = time.monotonic() + 30
        while True:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    # Taking the write lock at BEGIN avoids the lock-upgrade deadlock two SQLite writers otherwise hit,
    # which busy_timeout cannot resolve.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings that make SQLite safe for several processes.

    Example: ``create_engine("sqlite:///jhops-project/jhops.db")``
    """
    is_sqlite = sa.engine.make_url(url).get_backend_name() == "sqlite"
    # The driver's own timeout covers the moment of opening, before any PRAGMA has run.
    engine = sa.create_engine(url, future=True, connect_args={"timeout": 30} if is_sqlite else {})
    if is_sqlite:
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
        sa.event.listen(engine, "begin", _begin_immediate)
    return engine


def current_version(conn: Connection) -> int:
    """The number of migrations applied to the database behind ``conn`` (0 for a new database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    version = conn.execute(sa.select(schema_version.c.version)).scalar()
    return int(version or 0)


def migrate(engine: Engine) -> int:
    """Apply every migration the database lacks; return the resulting schema version.

    Example: ``migrate(create_engine("sqlite:///:memory:"))`` returns ``len(MIGRATIONS)``.
    """
    with engine.begin() as conn:
        version = current_version(conn)
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"The metadata database has schema version {version}, newer than this jhops "
                f"({len(MIGRATIONS)}). Upgrade jhops to open this project."
            )
        if version == len(MIGRATIONS):
            return version
        if version == 0:
            metadata.create_all(conn, tables=[schema_version])
            conn.execute(schema_version.insert().values(version=0))
        for migration in MIGRATIONS[version:]:
            migration(conn)
        conn.execute(schema_version.update().values(version=len(MIGRATIONS)))
        return len(MIGRATIONS)
