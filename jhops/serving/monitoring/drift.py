"""Input drift: per feature, PSI and KS of the live values against the reference, each flagged on an effect size
that chance alone does not explain.

* **PSI** (population stability index) over bins cut at the reference's quantiles (one bin per 10 live values,
  between 2 and 10; counts smoothed by +0.5). Flagged when ``psi >= psi_threshold`` (0.2, the usual "significant
  shift"; 0.1-0.2 is "moderate") and its p-value is under ``alpha``.
* **KS**: the two-sample Kolmogorov-Smirnov statistic D (the largest gap between the two CDFs). Flagged when
  ``D >= ks_threshold`` (0.1) and its p-value is under ``alpha``.

The p-values come from ``scipy.stats`` (see ``statistics``): KS exact for samples of up to 10,000 values, PSI from
the chi-squared tail.

Each flag needs both an effect size and significance: a threshold alone is crossed by chance on a few dozen live
values, and a p-value alone flags negligible shifts once there are many. ``alpha`` (0.05) is divided by the number
of tests of the report (two per feature: Bonferroni), so an unshifted sample flags no feature in about 19 reports
out of 20, however many features there are. A feature is drifted when either flag is raised and it has at least
``min_samples`` (30) live values.

Example: ``feature_drift("x", rng.normal(size=1000), rng.normal(1, 1, 200)).drifted`` is True.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jhops.serving.monitoring.histograms import Histogram, display_histogram
from jhops.serving.monitoring.mapping import extract_features, named_columns, plan_features
from jhops.serving.monitoring.reference import ReferenceProfile
from jhops.serving.monitoring.statistics import finite, ks_pvalue, ks_test, psi, psi_bins, psi_pvalue
from jhops.serving.monitoring.window import Floats

PSI_THRESHOLD = 0.2
KS_THRESHOLD = 0.1
ALPHA = 0.05
MIN_SAMPLES = 30


@dataclass
class FeatureDrift:
    """The drift of one feature (or one per-instance summary of an array feature) against the reference.

    Example: ``FeatureDrift("x", ...).to_dict()["psi"]``
    """

    name: str
    column: str  # the reference column it is compared with
    statistic: str | None  # "mean", "std", "min", "max" for array features, else None
    method: str  # "data" (reference rows) or "histogram" (stored statistics)
    live_count: int
    reference_count: int
    psi: float | None
    psi_pvalue: float | None
    ks: float | None
    ks_pvalue: float | None
    live_mean: float | None
    reference_mean: float | None
    psi_flag: bool
    ks_flag: bool
    drifted: bool
    histogram: dict[str, Any]
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "column": self.column, "statistic": self.statistic, "method": self.method,
                "live_count": self.live_count, "reference_count": self.reference_count, "psi": finite(self.psi),
                "psi_pvalue": finite(self.psi_pvalue), "ks": finite(self.ks), "ks_pvalue": finite(self.ks_pvalue),
                "live_mean": finite(self.live_mean), "reference_mean": finite(self.reference_mean),
                "flags": [f for f, on in (("psi", self.psi_flag), ("ks", self.ks_flag)) if on],
                "drifted": self.drifted, "histogram": self.histogram, "note": self.note}


def feature_drift(name: str, reference: Floats | Histogram, live: Floats, *, column: str | None = None,
                  statistic: str | None = None, psi_threshold: float = PSI_THRESHOLD,
                  ks_threshold: float = KS_THRESHOLD, alpha: float = ALPHA,
                  min_samples: int = MIN_SAMPLES) -> FeatureDrift:
    """PSI and KS of ``live`` values against ``reference`` values (or a stored histogram), with flags.

    Example: ``feature_drift("x", rng.normal(size=1000), rng.normal(1, 1, 200)).drifted`` is True.
    """
    live = np.asarray(live, dtype=np.float64)
    live = live[np.isfinite(live)]
    exact = not isinstance(reference, Histogram)
    if isinstance(reference, Histogram):
        ref_count, ref_mean = reference.total, reference.mean()
    else:
        reference = np.asarray(reference, dtype=np.float64)
        reference = reference[np.isfinite(reference)]
        ref_count = int(reference.size)
        ref_mean = float(reference.mean()) if reference.size else None
    live_mean = float(live.mean()) if live.size else None
    base = functools.partial(FeatureDrift, name, column or name, statistic, "data" if exact else "histogram",
                             int(live.size), ref_count)
    if live.size == 0 or ref_count == 0:
        return base(None, None, None, None, live_mean, ref_mean, False, False, False, {},
                    "no live values" if live.size == 0 else "no reference values")
    bins = psi_bins(int(live.size))
    if isinstance(reference, Histogram):
        cdf = reference.cdf_at_edges()
        # Merge the stored bins into about `bins` bins of equal reference mass.
        picks = sorted({int(np.argmin(np.abs(cdf - j / bins))) for j in range(1, bins)} - {0, cdf.size - 1})
        inner = reference.edges[picks]
        ref_counts = np.diff(np.concatenate([[0.0], cdf[picks], [1.0]])) * ref_count
        # D at the stored edges only: a lower bound of the D the rows would give, so p is an upper bound (a drift
        # flag is never raised on a gap the histogram cannot show).
        d = float(np.max(np.abs(cdf - np.searchsorted(np.sort(live), reference.edges, side="left") / live.size)))
        p = ks_pvalue(d, int(live.size), ref_count)
    else:
        inner = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
        ref_counts = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=inner.size + 1)
        d, p = ks_test(reference, live)
    live_counts = np.bincount(np.searchsorted(inner, live, side="right"), minlength=inner.size + 1)
    index = psi(ref_counts, live_counts)
    p_psi = psi_pvalue(index, int(inner.size) + 1, int(live.size), ref_count)
    enough = live.size >= min_samples
    # Both flags need an effect (the threshold) that chance alone does not explain (the p-value).
    psi_flag = bool(enough and index >= psi_threshold and p_psi < alpha)
    ks_flag = bool(enough and d >= ks_threshold and p < alpha)
    note = None if enough else f"only {live.size} live values (flags need {min_samples})"
    return base(index, p_psi, d, p, live_mean, ref_mean, psi_flag, ks_flag, psi_flag or ks_flag,
                display_histogram(reference, live), note)


def measure_drift(frame: pd.DataFrame, profile: ReferenceProfile | None, features: Sequence[str] | None,
                  psi_threshold: float, ks_threshold: float, alpha: float, min_samples: int
                  ) -> tuple[list[FeatureDrift], str | None]:
    """The drift of each feature of the logged inputs of ``frame`` against ``profile``, and a note on what was left
    out (requests of another shape, features the reference lacks), or why nothing was measured.

    Example: ``measure_drift(log, profile, None, 0.2, 0.1, 0.05, 30)[0][0].psi``
    """
    if profile is None:
        return [], "no reference: drift not measured"
    payloads = [named_columns(p) for p in frame.get("inputs", []) if p is not None]
    if not payloads:
        return [], "the log holds no inputs (is the deployment's inference_logging ALL or MODEL_INPUTS?)"
    plan = plan_features(payloads[0], profile, features)
    columns: dict[str, list[Floats]] = {step.name: [] for step in plan}
    skipped = 0
    for payload in payloads:
        values = extract_features(payload, plan)
        if values is None:
            skipped += 1
            continue
        for name, array in values.items():
            columns[name].append(array)
    result = []
    missing = []
    for step in plan:
        ref = profile.reference(step.name)
        if ref is None:
            missing.append(step.name)
            continue
        live = np.concatenate(columns[step.name]) if columns[step.name] else np.array([])
        # Bonferroni over two tests per feature: with a dozen features, alpha per test would flag one by chance
        # in almost every report.
        result.append(feature_drift(step.name, ref, live, column=step.column, statistic=step.statistic,
                                    psi_threshold=psi_threshold, ks_threshold=ks_threshold,
                                    alpha=alpha / (2 * len(plan)), min_samples=min_samples))
    notes = []
    if skipped:
        notes.append(f"{skipped} request(s) with inputs of another shape left out")
    if missing:
        notes.append(f"the reference ({profile.method}) has nothing to compare {', '.join(missing)} with")
    return result, "; ".join(notes) or None


__all__ = ["ALPHA", "KS_THRESHOLD", "MIN_SAMPLES", "PSI_THRESHOLD", "FeatureDrift", "feature_drift",
           "measure_drift"]
