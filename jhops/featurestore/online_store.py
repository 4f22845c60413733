"""The online store: the latest row of each primary key of online-enabled feature groups, for lookups by key.

SQLite (a file in the project) by default; Redis when ``JHOPS_ONLINE_STORE=redis://host:port/db``. Rows are
JSON, with numpy arrays as base64 of their bytes so a 5625-float band decodes without parsing text.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from jhops.featurestore.errors import FeatureStoreError


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode()
        return {"__ndarray__": str(value.dtype), "data": data}
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return {"__datetime__": value.isoformat()}
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.frombuffer(base64.b64decode(value["data"]), dtype=value["__ndarray__"])
        if "__datetime__" in value:
            import pandas as pd

            return pd.Timestamp(value["__datetime__"])
    return value


def encode_row(row: dict[str, Any]) -> str:
    return json.dumps({k: _plain(v) for k, v in row.items()}, default=str)


def decode_row(text: str | bytes) -> dict[str, Any]:
    return {k: _restore(v) for k, v in json.loads(text).items()}


def encode_key(values: Sequence[Any]) -> str:
    """A primary key as text; ``1`` and ``1.0`` are the same key."""
    plain = [v.item() if isinstance(v, np.generic) else v for v in values]
    plain = [int(v) if isinstance(v, float) and v.is_integer() else v for v in plain]
    return json.dumps(plain, default=str)


def rows_of(table: pa.Table, primary_key: Sequence[str]) -> Iterable[tuple[str, str]]:
    """(key, encoded row) for every row of ``table``; later rows of the same key win when written in order."""
    columns = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    for i in range(table.num_rows):
        row = {name: values[i] for name, values in columns.items()}
        yield encode_key([row[k] for k in primary_key]), encode_row(row)


class OnlineStore(Protocol):
    """Where online rows live. ``table`` is a feature group version's SQL name, e.g. ``iceberg_1``."""

    def put(self, table: str, rows: Iterable[tuple[str, str]], replace: bool = False) -> int: ...

    def get(self, table: str, keys: Sequence[str]) -> list[str | bytes | None]: ...

    def count(self, table: str) -> int: ...

    def drop(self, table: str) -> None: ...


class SqliteOnlineStore:
    """Online rows in a SQLite file (WAL mode; one table per feature group version).

    Example: ``SqliteOnlineStore("/proj/online.db").get("iceberg_1", ['["dfd5f913"]'])``
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            # Several writers (Spark executors) may open a new file at once; SQLite refuses the WAL switch
            # at once, without waiting, while another connection holds a lock: retry a while.
            deadline = time.monotonic() + 30
            while str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @staticmethod
    def _table(table: str) -> str:
        return f'"online_{table}"'

    def put(self, table: str, rows: Iterable[tuple[str, str]], replace: bool = False) -> int:
        conn = self._conn()
        name = self._table(table)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {name} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if replace:
                conn.execute(f"DELETE FROM {name}")
            cursor = conn.executemany(f"INSERT OR REPLACE INTO {name} (key, value) VALUES (?, ?)", rows)
            count = cursor.rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def get(self, table: str, keys: Sequence[str]) -> list[str | bytes | None]:
        conn = self._conn()
        try:
            if len(keys) == 1:
                row = conn.execute(f"SELECT value FROM {self._table(table)} WHERE key = ?", (keys[0],)).fetchone()
                return [row[0] if row else None]
            found = dict(conn.execute(f"SELECT key, value FROM {self._table(table)} WHERE key IN "
                                      f"({','.join('?' * len(keys))})", list(keys)).fetchall())
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return [None] * len(keys)
            raise
        return [found.get(k) for k in keys]

    def count(self, table: str) -> int:
        try:
            return int(self._conn().execute(f"SELECT COUNT(*) FROM {self._table(table)}").fetchone()[0])
        except sqlite3.OperationalError:
            return 0

    def drop(self, table: str) -> None:
        self._conn().execute(f"DROP TABLE IF EXISTS {self._table(table)}")


class RedisOnlineStore:
    """Online rows in Redis, one hash per feature group version (``jhops:online:<table>``).

    Example: ``RedisOnlineStore("redis://127.0.0.1:6379/0")``
    """

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as exc:  # an optional dependency: say how to get it
            raise FeatureStoreError("JHOPS_ONLINE_STORE names Redis but the redis package is missing: "
                                    "pip install redis") from exc
        self.url = url
        self.client = redis.Redis.from_url(url)

    @staticmethod
    def _key(table: str) -> str:
        return f"jhops:online:{table}"

    def put(self, table: str, rows: Iterable[tuple[str, str]], replace: bool = False) -> int:
        mapping: dict[Any, Any] = dict(rows)
        pipe = self.client.pipeline(transaction=True)  # MULTI/EXEC: readers see all of it or none
        if replace:
            pipe.delete(self._key(table))
        if mapping:
            pipe.hset(self._key(table), mapping=mapping)
        pipe.execute()
        return len(mapping)

    def get(self, table: str, keys: Sequence[str]) -> list[str | bytes | None]:
        return list(self.client.hmget(self._key(table), list(keys)))

    def count(self, table: str) -> int:
        return int(self.client.hlen(self._key(table)))

    def drop(self, table: str) -> None:
        self.client.delete(self._key(table))


def open_online_store(project_path: str, url: str | None = None) -> OnlineStore:
    """The online store of a project: ``url`` or ``$JHOPS_ONLINE_STORE`` (``redis://...``), else SQLite.

    Example: ``open_online_store("/proj")`` opens ``/proj/online.db``.
    """
    url = url or os.environ.get("JHOPS_ONLINE_STORE")
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisOnlineStore(url)
    if url and url.startswith("sqlite:///"):
        return SqliteOnlineStore(url[len("sqlite:///"):])
    if url:
        raise FeatureStoreError(f"JHOPS_ONLINE_STORE={url!r} is not understood; use redis://host:6379/0 "
                                "or sqlite:///path/online.db")
    return SqliteOnlineStore(os.path.join(project_path, "online.db"))
