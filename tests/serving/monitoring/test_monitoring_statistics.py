"""Drift statistics: KS and PSI with their p-values, from SciPy's distributions (exact for small samples), checked
against SciPy's own tests and against cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from jhops.serving import monitoring
from jhops.serving.monitoring.histograms import Histogram


def test_drift_statistics() -> None:
    rng = np.random.default_rng(0)
    same = [monitoring.feature_drift("x", rng.normal(size=2000), rng.normal(size=n)).drifted
            for n in (30, 60, 200, 1000) for _ in range(10)]
    assert sum(same) <= 2  # about alpha (5%) of unshifted samples; a report divides alpha by its features
    assert monitoring.ks_statistic(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert monitoring.ks_pvalue(0.5, 100, 100) < 1e-4 and monitoring.ks_pvalue(0.01, 100, 100) == 1.0
    assert monitoring.psi([50, 50], [50, 50]) == 0.0 and monitoring.psi([90, 10], [10, 90]) > 1


def test_ks_pvalue_of_small_samples_is_exact() -> None:
    # Three values against three, wholly apart: of the C(6, 3) = 20 equally likely orders under one distribution,
    # 2 put one sample wholly below the other, so P(D >= 1) = 2 / 20. The asymptotic law says about 0.03.
    apart = monitoring.feature_drift("x", np.array([0.0, 1.0, 2.0]), np.array([3.0, 4.0, 5.0]))
    assert apart.ks == 1.0 and apart.ks_pvalue == pytest.approx(0.1, rel=1e-9)
    rng = np.random.default_rng(3)
    reference, live = rng.normal(size=40), rng.normal(0.4, 1.0, size=25)
    drift = monitoring.feature_drift("x", reference, live)
    expected = stats.ks_2samp(reference, live, method="exact")
    assert drift.ks == pytest.approx(expected.statistic, rel=1e-12)
    assert drift.ks_pvalue == pytest.approx(expected.pvalue, rel=1e-9)


def test_ks_pvalue_of_a_statistic_alone_uses_the_effective_sample_size() -> None:
    # With n = m = 2 the effective size is n m / (n + m) = 1; one value against a known continuous CDF has
    # D = max(F, 1 - F) uniform on [0.5, 1], so P(D >= 0.75) = 2 (1 - 0.75) = 0.5.
    assert monitoring.ks_pvalue(0.75, 2, 2) == pytest.approx(0.5, rel=1e-9)
    assert monitoring.ks_pvalue(0.2, 300, 600) == pytest.approx(stats.kstwo.sf(0.2, 200), rel=1e-9)
    assert math.isnan(monitoring.ks_pvalue(0.2, 0, 600))


def test_psi_pvalue_is_the_chi_squared_tail() -> None:
    # PSI times the effective sample size against chi-squared with bins - 1 degrees of freedom; with 2 degrees of
    # freedom the tail is exp(-x / 2), with 1 it is erfc(sqrt(x / 2)).
    assert monitoring.psi_pvalue(0.1, 3, 100, 100) == pytest.approx(math.exp(-2.5), rel=1e-9)  # x = 0.1 * 50
    assert monitoring.psi_pvalue(0.08, 2, 50, 50) == pytest.approx(math.erfc(1.0), rel=1e-9)  # x = 0.08 * 25
    assert monitoring.psi_pvalue(0.05, 10, 400, 1600) == pytest.approx(stats.chi2.sf(16.0, 9), rel=1e-9)
    assert monitoring.psi_pvalue(0.0, 10, 400, 1600) == 1.0
    assert math.isnan(monitoring.psi_pvalue(0.05, 1, 400, 1600))


def test_drift_against_a_stored_histogram_uses_the_ks_law_of_the_effective_size() -> None:
    # 1000 reference values, half in [0, 1) and half in [1, 2]; 40 live values, 30 of them in [1, 2]: the largest
    # gap between the CDFs at the edges is at 1, 0.5 against 0.25.
    reference = Histogram(np.array([0.0, 1.0, 2.0]), np.array([500.0, 500.0]))
    live = np.concatenate([np.full(10, 0.5), np.full(30, 1.5)])
    drift = monitoring.feature_drift("x", reference, live)
    assert drift.method == "histogram" and drift.ks == pytest.approx(0.25)
    assert drift.ks_pvalue == pytest.approx(stats.kstwo.sf(0.25, round(40 * 1000 / 1040)), rel=1e-9)
