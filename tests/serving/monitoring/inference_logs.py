"""Inference log frames for monitoring tests: tabular rows and iceberg chips, batched into requests as
``read_log`` gives them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jhops.datasets import iceberg

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
FEATURES = ["x0", "x1", "x2", "x3"]

SCORER = '''
import numpy as np


class Scorer:
    """The logistic of the sum of an instance's values: a probability per instance."""

    def predict(self, inputs):
        batch = np.asarray(inputs, dtype="float64").reshape(len(inputs), -1)
        return (1 / (1 + np.exp(-batch.sum(axis=1)))).astype("float32")
'''


def tabular(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """``n`` rows of the four features: x0..x2 normal with different scales, x3 uniform; ``shift`` moves x1."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(0, 1, n), rng.normal(5, 2, n) + shift, rng.normal(-3, 0.5, n),
                         rng.uniform(0, 1, n)])
    return x.astype("float32")


def log_frame(batches: Sequence[Any], predictions: Sequence[Any] | None = None, start: float = T0, step: float = 1.0,
         status: Sequence[int] | None = None, latency: Sequence[float] | None = None,
         errors: Sequence[str | None] | None = None) -> pd.DataFrame:
    """A log frame as ``read_log`` gives it: one row per request, ``step`` seconds apart."""
    rows = []
    for i, batch in enumerate(batches):
        rows.append({"request_id": f"r{i}", "timestamp": pd.Timestamp(start + i * step, unit="s", tz="UTC"),
                     "latency_ms": latency[i] if latency is not None else 2.0, "deployment": "d",
                     "model_name": "m", "model_version": 1, "protocol": "v2",
                     "status_code": status[i] if status is not None else 200,
                     "error": errors[i] if errors is not None else None,
                     "n_instances": len(batch) if batch is not None else 1, "inputs": batch,
                     "predictions": predictions[i] if predictions is not None else None})
    columns = ["request_id", "timestamp", "latency_ms", "deployment", "model_name", "model_version", "protocol",
               "status_code", "error", "n_instances", "inputs", "predictions"]
    return pd.DataFrame(rows, columns=columns)


def batches(x: np.ndarray, size: int) -> list[np.ndarray]:
    return [x[i:i + size] for i in range(0, len(x), size)]


def chips(n: int, seed: int, band_1_db: float = 0.0) -> np.ndarray:
    x, _ = iceberg.to_arrays(iceberg.synthetic_frame(n=n, seed=seed))
    x[..., 0] += band_1_db
    return x
