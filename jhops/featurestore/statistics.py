"""Descriptive statistics of the rows of one commit: per column, array elements, and correlations.

Computed on Arrow/numpy for pandas inserts and with Spark aggregations (nothing collected but the
aggregates) for Spark inserts; both give the same JSON shape, which monitoring compares with live traffic.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HISTOGRAM_BINS = 20
TOP_VALUES = 10


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


#: a histogram of more values than this (array elements, or a column of many rows) uses a systematic sample
HISTOGRAM_SAMPLE = 1_000_000


def _histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS, low: float | None = None,
               high: float | None = None) -> dict[str, list[float]]:
    if values.size > HISTOGRAM_SAMPLE:
        values = values[:: values.size // HISTOGRAM_SAMPLE + 1]
    finite = values if low is not None else values[np.isfinite(values)]
    if finite.size == 0:
        return {"edges": [], "counts": []}
    if low is None or high is None:
        low, high = float(finite.min()), float(finite.max())
    if low == high:
        high = low + 1.0
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _numeric(values: np.ndarray) -> dict[str, Any]:
    """min, max, mean, std (float64 accumulation) and a histogram of the finite values."""
    mask = np.isfinite(values)
    finite = values if mask.all() else values[mask]
    if finite.size == 0:
        return {"min": None, "max": None, "mean": None, "std": None, "histogram": {"edges": [], "counts": []}}
    low, high = float(finite.min()), float(finite.max())
    mean = float(finite.mean(dtype=np.float64))
    std = float(finite.std(dtype=np.float64, ddof=1)) if finite.size > 1 else 0.0
    return {"min": _finite(low), "max": _finite(high), "mean": _finite(mean), "std": _finite(std),
            "histogram": _histogram(finite, low=low, high=high)}


def _elements(column: pa.ChunkedArray) -> np.ndarray:
    flat = pc.list_flatten(column)
    if len(flat) == 0:
        return np.array([], dtype=np.float64)
    values: np.ndarray = flat.to_numpy(zero_copy_only=False)
    return values if values.dtype.kind == "f" else values.astype(np.float64)


def _row_means(column: pa.ChunkedArray, lengths: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """The mean of each non-null, non-empty array (vectorised when every array has the same length)."""
    valid = lengths[lengths > 0] if lengths.dtype.kind != "f" else lengths[np.nan_to_num(lengths) > 0]
    if valid.size and column.null_count == 0 and (valid == valid[0]).all() and valid.size == len(column):
        with np.errstate(invalid="ignore"):
            return np.asarray(np.nanmean(elements.reshape(valid.size, int(valid[0])), axis=1, dtype=np.float64))
    bounds = np.concatenate([[0], np.cumsum(np.nan_to_num(lengths).astype(np.int64))])
    means = [np.nanmean(elements[a:b], dtype=np.float64) for a, b in itertools.pairwise(bounds) if b > a]
    return np.asarray(means, dtype=np.float64)


def _column(column: pa.ChunkedArray) -> dict[str, Any]:
    nulls = column.null_count
    stats: dict[str, Any] = {"type": str(column.type), "count": len(column) - nulls, "nulls": nulls}
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
        known = lengths[~np.isnan(lengths)] if lengths.dtype.kind == "f" else lengths
        elements = _elements(column)
        stats["kind"] = "array"
        stats["length"] = {"min": int(known.min()) if len(known) else None,
                           "max": int(known.max()) if len(known) else None}
        stats["elements"] = {**_numeric(elements), "nan": int(np.isnan(elements).sum()),
                             "inf": int(np.isinf(elements).sum())}
        # Per-row summaries: what drift monitoring of image chips compares.
        stats["row_means"] = _numeric(_row_means(column, lengths, elements))
        return stats
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = column.drop_null().to_numpy().astype(float)
        stats["kind"] = "numeric"
        stats.update(_numeric(values))
        stats["distinct"] = len(pc.unique(column.drop_null()))
        return stats
    if pa.types.is_boolean(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        counts = pc.value_counts(column.drop_null())
        pairs = sorted(((str(v["values"]), int(v["counts"])) for v in counts.to_pylist()), key=lambda p: -p[1])
        stats["kind"] = "categorical"
        stats["distinct"] = len(pairs)
        stats["top"] = [{"value": v, "count": c} for v, c in pairs[:TOP_VALUES]]
        return stats
    stats["kind"] = "other"
    return stats


def _correlations(table: pa.Table, columns: list[str]) -> dict[str, dict[str, float | None]]:
    if len(columns) < 2 or table.num_rows < 2:
        return {}
    matrix = np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(float) for c in columns])
    keep = np.all(np.isfinite(matrix), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(matrix[keep], rowvar=False) if keep.sum() > 1 else np.full((len(columns),) * 2, np.nan)
    return {a: {b: _finite(corr[i, j]) for j, b in enumerate(columns)} for i, a in enumerate(columns)}


def compute_statistics(table: pa.Table) -> dict[str, Any]:
    """Statistics of every column of ``table`` plus Pearson correlations of the numeric columns.

    Example: ``compute_statistics(pa.table({"x": [1.0, 2.0, 3.0]}))["columns"]["x"]["mean"] == 2.0``
    """
    columns = {name: _column(table.column(name)) for name in table.column_names}
    numeric = [n for n, s in columns.items() if s.get("kind") == "numeric"]
    return {"rows": table.num_rows, "columns": columns, "correlations": _correlations(table, numeric)}
