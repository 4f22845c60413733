"""Drift statistics: the two-sample Kolmogorov-Smirnov test and the population stability index (PSI), with their
p-values from ``scipy.stats``.

* **KS** on reference values: ``scipy.stats.ks_2samp`` (its ``auto`` method: the exact distribution of D when
  neither sample has more than 10,000 values, else the asymptotic one). With only D and the sample sizes (a
  stored histogram as reference), ``ks_pvalue`` uses the law ``ks_2samp`` itself falls back to.
* **PSI** over ``bins`` bins: ``PSI * n * m / (n + m)`` is asymptotically chi-squared with ``bins - 1`` degrees of
  freedom when both samples come from one distribution (PSI is the symmetrised Kullback-Leibler divergence,
  which to second order is the chi-squared distance), so its p-value is ``scipy.stats.chi2.sf``.

Example: ``psi_pvalue(psi([50, 50], [40, 60]), 2, 100, 100)``
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

from jhops.serving.monitoring.window import Floats

PSI_MAX_BINS = 10


def ks_test(reference: Floats, live: Floats) -> tuple[float, float]:
    """The two-sample KS statistic D and its p-value (exact for samples of up to 10,000 values).

    Example: ``ks_test(np.array([0., 1., 2.]), np.array([3., 4., 5.]))`` is ``(1.0, 0.1)``.
    """
    result = stats.ks_2samp(reference, live, alternative="two-sided", method="auto")
    return float(result.statistic), float(result.pvalue)


def ks_statistic(reference: Floats, live: Floats) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs.

    Example: ``ks_statistic(np.array([0., 1.]), np.array([2., 3.]))`` is ``1.0``.
    """
    # The asymptotic method: the statistic is the same, and the exact p-value is not wanted here.
    return float(stats.ks_2samp(reference, live, method="asymp").statistic)


def ks_pvalue(d: float, n: int, m: int) -> float:
    """The p-value of a two-sample KS statistic ``d`` for samples of ``n`` and ``m`` values, when only ``d`` is
    known (a stored histogram as reference): ``scipy.stats.kstwo`` with the effective size ``n m / (n + m)``.

    ``kstwo`` is the exact law of the one-sample D of that many values, what ``ks_2samp`` uses for samples too
    large for its exact method; when the reference is far larger than the live window, as stored commit
    statistics are, the effective size is about the live count and that law is nearly exact. (``kstwobign``, the
    limiting law, is worse on the few dozen live values a short window has.)
    Example: ``ks_pvalue(0.75, 2, 2)`` is ``0.5``.
    """
    if n <= 0 or m <= 0 or not math.isfinite(d):
        return float("nan")
    return float(stats.kstwo.sf(d, max(1, round(n * m / (n + m)))))


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
    from one distribution: the chi-squared tail (``bins - 1`` degrees of freedom) at ``value * n m / (n + m)``.

    Example: ``psi_pvalue(0.1, 3, 100, 100)`` is ``exp(-2.5)``, about 0.082.
    """
    if n <= 0 or m <= 0 or bins < 2 or not math.isfinite(value):
        return float("nan")
    return float(stats.chi2.sf(max(value, 0.0) * n * m / (n + m), bins - 1))


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


__all__ = ["PSI_MAX_BINS", "finite", "ks_pvalue", "ks_statistic", "ks_test", "psi", "psi_bins", "psi_pvalue"]
