"""The distribution of a deployment's predictions, overall and per time bucket: probabilities, scores, classes
or vectors, told apart by their shape and values.

Example: ``prediction_distribution(ts, list(log["predictions"]), bucket_starts)["class_counts"]``
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from jhops.serving.monitoring.histograms import HISTOGRAM_BINS
from jhops.serving.monitoring.statistics import finite
from jhops.serving.monitoring.window import Floats, iso

TOP_CLASSES = 20


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _as_labels(item: Any) -> list[str]:
    if isinstance(item, list):
        return item
    return [_label(row.tolist() if row.size > 1 else row.item()) for row in item]


def prediction_distribution(times: Floats, payloads: Sequence[Any], edges: Floats) -> dict[str, Any]:
    """The distribution of the predictions, overall and per time bucket (``edges`` are the buckets' starts).

    Example: ``prediction_distribution(np.array([0.0]), [np.array([[0.2]])], np.array([0.0]))["kind"]`` is
    ``"probability"``.
    """
    stamps: list[Floats] = []
    items: list[Any] = []  # per request: a numeric (n, outputs) matrix, or a list of n text labels
    for ts, payload in zip(times, payloads, strict=True):
        array = np.asarray(payload) if isinstance(payload, (list, np.ndarray)) else None
        if array is not None and array.dtype.kind in "biuf" and array.ndim >= 1 and len(array):
            items.append(array.reshape(len(array), -1))
        elif isinstance(payload, list) and payload:
            items.append([_label(item) for item in payload])
        else:
            continue  # no predictions logged, or a payload of another shape (a dict of named outputs)
        stamps.append(np.full(len(items[-1]), ts))
    if not stamps:
        return {"kind": None, "count": 0, "outputs": None, "mean": None, "histogram": {}, "histogram_of": None,
                "class_counts": {}, "over_time": []}
    at = np.concatenate(stamps)
    value: Floats | None = None
    means: Floats | None = None
    labels: list[str] = []
    numeric = [m for m in items if isinstance(m, np.ndarray)]
    if len(numeric) < len(items) or len({m.shape[1] for m in numeric}) > 1:
        # Text predictions, or tensors of several widths: count each prediction as a label, in request order.
        labels = [label for item in items for label in _as_labels(item)]
        kind, outputs, histogram_of = "class", None, None
    else:
        matrix = np.concatenate(numeric)
        outputs = matrix.shape[1]
        floats = matrix.dtype.kind == "f"
        unit = bool(floats and np.all((matrix >= 0) & (matrix <= 1)))
        if outputs == 1 and not floats:
            kind, histogram_of = "class", None
            labels = [str(int(v)) for v in matrix[:, 0]]
        elif outputs == 1:
            kind, value, histogram_of = ("probability" if unit else "score"), matrix[:, 0].astype(np.float64), \
                "prediction"
        elif unit and np.allclose(matrix.sum(axis=1), 1.0, atol=1e-3):
            kind = "probabilities"
            labels = [str(int(i)) for i in matrix.argmax(axis=1)]
            means = matrix.astype(np.float64)
            value = means[:, 1] if outputs == 2 else means.max(axis=1)
            histogram_of = "probability of class 1" if outputs == 2 else "largest probability"
        else:
            kind, means, histogram_of = "vector", matrix.astype(np.float64), "output 0"
            value = means[:, 0]
    histogram: dict[str, Any] = {}
    if value is not None and value.size:
        kept = value[np.isfinite(value)]
        low, high = (0.0, 1.0) if kind in ("probability", "probabilities") else (
            (float(kept.min()), float(kept.max())) if kept.size else (0.0, 1.0))
        counts, bins = np.histogram(kept, bins=HISTOGRAM_BINS, range=(low, high if high > low else low + 1.0))
        histogram = {"edges": [float(e) for e in bins], "counts": [int(c) for c in counts]}
    index = np.clip(np.searchsorted(edges, at, side="right") - 1, 0, max(len(edges) - 1, 0))
    over_time = []
    for i, start in enumerate(edges):
        rows = index == i
        entry: dict[str, Any] = {"start_ts": float(start), "start": iso(float(start)), "count": int(rows.sum())}
        if value is not None:
            entry["mean"] = finite(float(value[rows].mean())) if rows.any() else None
        if means is not None:
            entry["means"] = [finite(float(v)) for v in means[rows][:, :10].mean(axis=0)] if rows.any() else None
        if labels:
            entry["class_counts"] = _counts(np.asarray(labels)[rows])
        over_time.append(entry)
    return {"kind": kind, "count": int(at.size), "outputs": outputs,
            "mean": finite(float(value.mean())) if value is not None and value.size else None,
            "histogram": histogram, "histogram_of": histogram_of,
            "class_counts": _counts(np.asarray(labels)) if labels else {}, "over_time": over_time}


def _counts(labels: npt.NDArray[Any]) -> dict[str, int]:
    names, counts = np.unique(labels, return_counts=True) if labels.size else (np.array([]), np.array([]))
    order = np.argsort(-counts, kind="stable")[:TOP_CLASSES]
    return {str(names[i]): int(counts[i]) for i in order}


__all__ = ["TOP_CLASSES", "prediction_distribution"]
