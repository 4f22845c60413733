"""Queries over feature groups in the hsfs shape: ``fg.select([...]).join(other.select_all(), on=[...]).filter(...)``.

A query becomes one DuckDB statement over the feature groups' Delta tables (registered as Arrow datasets),
each read at the version the query is pinned to (latest by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jhops.featurestore.errors import FeatureStoreError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from jhops.featurestore.feature_group import FeatureGroup

JOIN_TYPES = {"inner": "INNER", "left": "LEFT", "right": "RIGHT", "full": "FULL OUTER", "cross": "CROSS"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Feature:
    """A feature of a group; comparing it makes a filter: ``fg.inc_angle > 30``, ``fg.id == "dfd5f913"``."""

    name: str
    type: str = ""
    description: str = ""
    group: str | None = None  # the SQL name of its feature group version, when known
    tags: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def _filter(self, op: str, value: Any) -> Filter:
        return Filter(self, op, value)

    def __gt__(self, value: Any) -> Filter:
        return self._filter(">", value)

    def __ge__(self, value: Any) -> Filter:
        return self._filter(">=", value)

    def __lt__(self, value: Any) -> Filter:
        return self._filter("<", value)

    def __le__(self, value: Any) -> Filter:
        return self._filter("<=", value)

    def __eq__(self, value: Any) -> Filter:  # type: ignore[override]
        return self._filter("=", value)

    def __ne__(self, value: Any) -> Filter:  # type: ignore[override]
        return self._filter("<>", value)

    def __hash__(self) -> int:
        return hash((self.name, self.group))

    def isin(self, values: Sequence[Any]) -> Filter:
        return self._filter("IN", list(values))

    def is_null(self) -> Filter:
        return self._filter("IS NULL", None)

    def not_null(self) -> Filter:
        return self._filter("IS NOT NULL", None)


@dataclass(frozen=True)
class Filter:
    """A condition on one feature; combine with ``&`` and ``|``."""

    feature: Feature
    op: str
    value: Any

    def __and__(self, other: Filter | Logic) -> Logic:
        return Logic("AND", self, other)

    def __or__(self, other: Filter | Logic) -> Logic:
        return Logic("OR", self, other)

    def sql(self, alias: dict[str | None, str], params: list[Any]) -> str:
        column = f"{alias.get(self.feature.group, alias[None])}.{quote(self.feature.name)}"
        if self.op in ("IS NULL", "IS NOT NULL"):
            return f"{column} {self.op}"
        if self.op == "IN":
            params.extend(self.value)
            return f"{column} IN ({', '.join('?' * len(self.value))})" if self.value else "FALSE"
        params.append(self.value)
        return f"{column} {self.op} ?"

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, (dt.date, dt.datetime)) else self.value
        return {"feature": self.feature.name, "group": self.feature.group, "op": self.op, "value": value}


@dataclass(frozen=True)
class Logic:
    op: str
    left: Filter | Logic
    right: Filter | Logic

    def __and__(self, other: Filter | Logic) -> Logic:
        return Logic("AND", self, other)

    def __or__(self, other: Filter | Logic) -> Logic:
        return Logic("OR", self, other)

    def sql(self, alias: dict[str | None, str], params: list[Any]) -> str:
        return f"({self.left.sql(alias, params)} {self.op} {self.right.sql(alias, params)})"

    def to_dict(self) -> dict[str, Any]:
        return {"logic": self.op, "left": self.left.to_dict(), "right": self.right.to_dict()}


def condition_from_dict(data: dict[str, Any]) -> Filter | Logic:
    if "logic" in data:
        return Logic(data["logic"], condition_from_dict(data["left"]), condition_from_dict(data["right"]))
    return Filter(Feature(data["feature"], group=data["group"]), data["op"], data["value"])


@dataclass
class Join:
    query: Query
    on: list[str]
    left_on: list[str]
    right_on: list[str]
    join_type: str
    prefix: str | None


class Query:
    """Selected features of one feature group, joined with other queries, filtered.

    Example::

        query = iceberg.select(["id", "band_avg"]).join(labels.select_all(), on=["id"]).filter(iceberg.inc_angle > 30)
        df = query.read()
    """

    def __init__(self, group: FeatureGroup, features: Sequence[str]) -> None:
        known = [f.name for f in group.features]
        unknown = [f for f in features if f not in known]
        if unknown:
            raise FeatureStoreError(f"Feature group {group.name} v{group.version} has no feature(s) {unknown}; "
                                    f"its features are {known}.")
        self.group = group
        self.features = list(features)
        self.joins: list[Join] = []
        self.condition: Filter | Logic | None = None

    def join(self, other: Query, on: Sequence[str] | None = None, left_on: Sequence[str] | None = None,
             right_on: Sequence[str] | None = None, join_type: str = "inner", prefix: str | None = None) -> Query:
        """Join ``other`` on shared columns ``on`` (default: its group's primary key), or ``left_on``/``right_on``."""
        if join_type not in JOIN_TYPES:
            raise FeatureStoreError(f"join_type must be one of {', '.join(JOIN_TYPES)}, got {join_type!r}")
        if left_on or right_on:
            if not left_on or not right_on or len(left_on) != len(right_on):
                raise FeatureStoreError("left_on and right_on must both be given, with as many columns each")
            pairs_left, pairs_right = list(left_on), list(right_on)
        else:
            keys = list(on) if on else list(other.group.primary_key)
            pairs_left = pairs_right = keys
        self._check_columns(self.group, pairs_left)
        self._check_columns(other.group, pairs_right)
        self.joins.append(Join(other, list(on or []), pairs_left, pairs_right, join_type, prefix))
        return self

    @staticmethod
    def _check_columns(group: FeatureGroup, columns: Sequence[str]) -> None:
        known = {f.name for f in group.features}
        missing = [c for c in columns if c not in known]
        if missing:
            raise FeatureStoreError(f"Cannot join on {missing}: feature group {group.name} v{group.version} has no "
                                    f"such feature(s); its features are {sorted(known)}.")

    def filter(self, condition: Filter | Logic) -> Query:
        """Keep the rows where ``condition`` holds (AND-ed with earlier filters)."""
        if not isinstance(condition, (Filter, Logic)):
            raise FeatureStoreError("filter() takes a condition such as fg.inc_angle > 30 or (fg.a > 1) & (fg.b < 2)")
        self.condition = condition if self.condition is None else self.condition & condition
        return self

    # --- running -----------------------------------------------------------------------------------
    def groups(self) -> list[FeatureGroup]:
        found = [self.group]
        for join in self.joins:
            found.extend(join.query.groups())
        return found

    def sql(self, order_by_key: bool = False) -> tuple[str, list[Any]]:
        """The DuckDB statement and its parameters (tables are named ``<group>_<version>``)."""
        alias: dict[str | None, str] = {}
        selects: list[str] = []
        taken: set[str] = set()
        froms: list[str] = []
        params: list[Any] = []
        conditions: list[Filter | Logic] = []

        def visit(query: Query, prefix: str | None, join: Join | None, parent_alias: str | None) -> None:
            table = query.group.table_name
            name = f"fg{len(froms)}"
            alias.setdefault(table, name)
            if not froms:
                alias[None] = name
            for feature in query.features:
                label = f"{prefix}{feature}" if prefix else feature
                if label in taken:
                    if join is not None and feature in join.right_on and feature in join.left_on:
                        continue  # the join key, already selected from the left side
                    label = f"{table}_{feature}"
                taken.add(label)
                selects.append(f"{name}.{quote(feature)} AS {quote(label)}")
            if join is None:
                froms.append(f"{quote(table)} AS {name}")
            else:
                on = " AND ".join(f"{parent_alias}.{quote(a)} = {name}.{quote(b)}"
                                  for a, b in zip(join.left_on, join.right_on, strict=True))
                kind = JOIN_TYPES[join.join_type]
                froms.append(f"{kind} JOIN {quote(table)} AS {name}" + ("" if kind == "CROSS" else f" ON {on}"))
            if query.condition is not None:
                conditions.append(query.condition)
            for sub in query.joins:
                visit(sub.query, sub.prefix, sub, name)

        visit(self, None, None, None)
        statement = f"SELECT {', '.join(selects)} FROM {' '.join(froms)}"
        if conditions:
            statement += " WHERE " + " AND ".join(c.sql(alias, params) for c in conditions)
        if order_by_key and self.group.primary_key:
            # Then every selected column, so rows that share a key (appended with insert) keep one order too.
            keys = [f"{alias[None]}.{quote(k)}" for k in self.group.primary_key]
            statement += " ORDER BY " + ", ".join([*keys, *(str(i + 1) for i in range(len(selects)))])
        return statement, params

    def read_arrow(self, versions: dict[str, int] | None = None, order_by_key: bool = False) -> pa.Table:
        """Run the query; ``versions`` pins groups (``{"iceberg_1": 3}``) for reproducible reads."""
        import duckdb

        statement, params = self.sql(order_by_key)
        con = duckdb.connect()
        try:
            for group in {g.table_name: g for g in self.groups()}.values():
                as_of = (versions or {}).get(group.table_name)
                group.offline.register(con, group.table_name, as_of)
            return con.sql(statement, params=params).to_arrow_table()
        finally:
            con.close()

    def read(self, dataframe_type: str = "pandas") -> Any:
        """The query's rows: pandas (default), ``"arrow"``, or ``"spark"`` (a DataFrame on the active session)."""
        table = self.read_arrow()
        if dataframe_type == "arrow":
            return table
        if dataframe_type == "pandas":
            return table.to_pandas()
        if dataframe_type == "spark":
            from jhops.featurestore.spark_io import arrow_to_spark

            return arrow_to_spark(table)
        raise FeatureStoreError(f"dataframe_type must be pandas, arrow or spark, got {dataframe_type!r}")

    def show(self, n: int = 10) -> pd.DataFrame:
        return self.read().head(n)

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group.name, "version": self.group.version, "features": self.features,
                "filter": self.condition.to_dict() if self.condition is not None else None,
                "joins": [{"query": j.query.to_dict(), "on": j.on, "left_on": j.left_on, "right_on": j.right_on,
                           "join_type": j.join_type, "prefix": j.prefix} for j in self.joins]}

    def __repr__(self) -> str:
        return f"Query({self.sql()[0]})"
