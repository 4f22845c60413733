"""Per-instance summaries of array values: an image band or a flattened array becomes its mean, std, min and max,
the features drift is measured on for array inputs.

Example: ``summaries(np.array([[1.0, 3.0]]))["mean"]`` is ``array([2.])``.
"""

from __future__ import annotations

import warnings

import numpy as np

from jhops.serving.monitoring.window import Floats

SUMMARY_STATISTICS = ("mean", "std", "min", "max")


def summaries(matrix: Floats) -> dict[str, Floats]:
    """mean, std, min, max of each row (NaNs ignored; a row of NaNs gives NaN).

    Example: ``summaries(np.array([[1.0, 3.0]]))["max"]`` is ``array([3.])``.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice" for all-NaN rows: NaN is right
        return {"mean": np.nanmean(matrix, axis=1), "std": np.nanstd(matrix, axis=1),
                "min": np.nanmin(matrix, axis=1), "max": np.nanmax(matrix, axis=1)}


__all__ = ["SUMMARY_STATISTICS", "summaries"]
