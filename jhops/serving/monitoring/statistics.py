"""Drift statistics: the two-sample Kolmogorov-Smirnov statistic and the population stability index (PSI), with
their p-values.

Example: ``psi_pvalue(psi([50, 50], [40, 60]), 2, 100, 100)``
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from jhops.serving.monitoring.window import Floats

PSI_MAX_BINS = 10


def ks_pvalue(d: float, n: int, m: int) -> float:
    """The asymptotic p-value of a two-sample KS statistic ``d`` for samples of ``n`` and ``m`` values.

    The Kolmogorov distribution with the Stephens correction (as in Numerical Recipes).
    Example: ``ks_pvalue(0.5, 100, 100) < 1e-4`` is True.
    """
    if n <= 0 or m <= 0 or not math.isfinite(d):
        return float("nan")
    en = math.sqrt(n * m / (n + m))
    lam = (en + 0.12 + 0.11 / en) * d
    if lam < 0.2:  # the series converges badly here, and the answer is 1 to many digits
        return 1.0
    total = sum((-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam) for k in range(1, 101))
    return float(min(1.0, max(0.0, 2.0 * total)))


def ks_statistic(reference: Floats, live: Floats) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs.

    Example: ``ks_statistic(np.array([0., 1.]), np.array([2., 3.]))`` is ``1.0``.
    """
    a, b = np.sort(reference), np.sort(live)
    grid = np.concatenate([a, b])
    gap = np.abs(np.searchsorted(a, grid, side="right") / a.size - np.searchsorted(b, grid, side="right") / b.size)
    return float(gap.max())


def psi(reference_counts: npt.ArrayLike, live_counts: npt.ArrayLike) -> float:
    """The population stability index of two histograms on the same bins (counts smoothed by +0.5).

    Example: ``psi([50, 50], [50, 50])`` is ``0.0``.
    """
    ref = np.asarray(reference_counts, dtype=np.float64) + 0.5
    cur = np.asarray(live_counts, dtype=np.float64) + 0.5
    p, q = ref / ref.sum(), cur / cur.sum()
    return float(np.sum((q - p) * np.log(q / p)))


def psi_pvalue(value: float, bins: int, n: int, m: int) -> float:
    """How likely a PSI of ``value`` or more is over ``bins`` bins when ``n`` live and ``m`` reference values come
    from one distribution: PSI times the effective sample size is about chi-squared with ``bins - 1`` degrees of
    freedom (the Wilson-Hilferty approximation of its tail; no SciPy needed).

    Example: ``psi_pvalue(0.02, 10, 500, 5000) > 0.05`` is True.
    """
    if n <= 0 or m <= 0 or bins < 2 or not math.isfinite(value):
        return float("nan")
    k = bins - 1
    x = max(value, 0.0) * n * m / (n + m)
    z = ((x / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return float(1.0 - NormalDist().cdf(z))


def psi_bins(live_count: int) -> int:
    """How many PSI bins ``live_count`` live values get: one per 10 values, between 2 and ``PSI_MAX_BINS``.

    Example: ``psi_bins(45)`` is ``4``.
    """
    return int(min(PSI_MAX_BINS, max(2, live_count // 10)))


def finite(value: float | None) -> float | None:
    """``value`` as a float when it is a finite number, else None (JSON has no NaN).

    Example: ``finite(float("nan"))`` is None.
    """
    return float(value) if value is not None and math.isfinite(value) else None


__all__ = ["PSI_MAX_BINS", "finite", "ks_pvalue", "ks_statistic", "psi", "psi_bins", "psi_pvalue"]
