"""Traffic numbers of a log frame: which requests failed, latency percentiles, and the per-bucket counts.

Example: ``buckets(ts, latency, failed_requests(frame), instances, start, end, 10.0, closed=False)``
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jhops.serving.monitoring.window import Floats, iso


def failed_requests(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Per request, whether it failed: an HTTP status >= 400, or an error message.

    Example: ``failed_requests(log).sum()`` is the number of errors.
    """
    status = pd.to_numeric(frame["status_code"], errors="coerce").fillna(0).to_numpy()
    failed = status >= 400
    if "error" in frame:
        failed |= frame["error"].map(lambda e: isinstance(e, str) and e != "").to_numpy(dtype=bool)
    return np.asarray(failed, dtype=bool)


def percentiles(values: Floats) -> dict[str, float | None]:
    """p50, p95, p99, mean and max of ``values`` (all None when there are none).

    Example: ``percentiles(np.arange(1.0, 101.0))["p50"]`` is ``50.5``.
    """
    if values.size == 0:
        return {"p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    p50, p95, p99 = (float(v) for v in np.percentile(values, [50, 95, 99]))
    return {"p50": p50, "p95": p95, "p99": p99, "mean": float(values.mean()), "max": float(values.max())}


def buckets(ts: Floats, latency: Floats, failed: npt.NDArray[np.bool_], instances: Floats, start: float,
            end: float, size: float, closed: bool) -> tuple[Floats, list[dict[str, Any]]]:
    """Buckets ``[start + i * size, start + (i + 1) * size)``; requests per second are per whole bucket, except in
    a last bucket that ``until`` cuts short (``closed``: the window's end is given, and a request at it counts).

    Example: ``buckets(ts, latency, failed, instances, t0, t0 + 20, 10.0, closed=True)[1][0]["requests"]``
    """
    span = (end - start) / size
    count = max(1, math.ceil(span - 1e-9)) if closed else math.floor(span) + 1
    starts = start + size * np.arange(count, dtype=np.float64)
    index = np.clip(np.floor((ts - start) / size).astype(np.int64), 0, count - 1)
    out = []
    for i, b_start in enumerate(starts):
        rows = index == i
        b_end = min(float(b_start) + size, end) if closed else float(b_start) + size
        n = int(rows.sum())
        covered = b_end - float(b_start)
        out.append({"start_ts": float(b_start), "start": iso(float(b_start)), "end_ts": b_end, "requests": n,
                    "instances": int(instances[rows].sum()),
                    "rate_per_s": n / covered if covered > 0 else None, "errors": int(failed[rows].sum()),
                    "error_rate": float(failed[rows].mean()) if n else None,
                    "latency_ms": {k: v for k, v in percentiles(latency[rows]).items() if k in ("p50", "p95", "p99")}})
    return starts, out


__all__ = ["buckets", "failed_requests", "percentiles"]
