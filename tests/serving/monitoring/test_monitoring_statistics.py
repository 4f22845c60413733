"""Drift statistics: KS and PSI with their p-values."""

from __future__ import annotations

import numpy as np

from jhops.serving import monitoring


def test_drift_statistics() -> None:
    rng = np.random.default_rng(0)
    same = [monitoring.feature_drift("x", rng.normal(size=2000), rng.normal(size=n)).drifted
            for n in (30, 60, 200, 1000) for _ in range(10)]
    assert sum(same) <= 2  # about alpha (5%) of unshifted samples; a report divides alpha by its features
    assert monitoring.ks_statistic(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert monitoring.ks_pvalue(0.5, 100, 100) < 1e-4 and monitoring.ks_pvalue(0.01, 100, 100) == 1.0
    assert monitoring.psi([50, 50], [50, 50]) == 0.0 and monitoring.psi([90, 10], [10, 90]) > 1
