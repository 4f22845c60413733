"""Monitoring of a deployment: traffic, latency, errors, predictions over time, and input drift.

The numbers come from the deployment's inference log (``<project>/serving/<name>/inference_log/``) over a
time window cut into buckets: request count and rate, latency p50/p95/p99, error rate (HTTP status >= 400 or
an error message), and the distribution of the predictions. Input drift compares the logged inputs with the
**reference**: by default the training split of the training dataset recorded in the model's provenance.

Drift, per feature:

* **PSI** (population stability index) over bins cut at the reference's quantiles (one bin per 10 live
  values, between 2 and 10; counts smoothed by +0.5). Flagged when ``psi >= psi_threshold`` (0.2, the usual
  "significant shift"; 0.1-0.2 is "moderate") and its p-value (PSI times the effective sample size is about
  chi-squared with bins - 1 degrees of freedom) is under ``alpha``.
* **KS**: the two-sample Kolmogorov-Smirnov statistic D (the largest gap between the two CDFs). Flagged when
  ``D >= ks_threshold`` (0.1) and its asymptotic p-value is under ``alpha``.

Each flag needs both an effect size and significance: a threshold alone is crossed by chance on a few dozen
live values, and a p-value alone flags negligible shifts once there are many. ``alpha`` (0.05) is divided by the
number of tests of the report (two per feature: Bonferroni), so an unshifted sample flags no feature in about
19 reports out of 20, however many features there are. A feature is drifted when either flag is raised and it
has at least ``min_samples`` (30) live values.

Reference: the rows of the split themselves when they can be read (exact KS and quantile bins); otherwise
the histograms stored with the feature group commit the dataset was read at (KS at the histogram's edges, a
lower bound of D; PSI over merged histogram bins). Those stored statistics cover the whole commit, not only
the split, and hold per-chip means of array features but not their std, min or max.

Inputs map to features: tabular inputs of shape (n, k) to ``features=[...]`` (numeric columns, or per-row
summaries of array columns such as ``band_1.mean``), else to ``feature_names`` in the model's signature or
provenance, else in order to the reference's numeric columns that are not its label, key or event time.
Image inputs (n, H, W, C) (or channels first, or (n, H, W) for one channel) map channel by channel to the
reference's array columns of length H*W (in order, or named by ``features``); drift is then measured on
per-instance summaries (``<column>.mean``, ``.std``, ``.min``, ``.max``) against the same summaries of the
reference rows. V2 requests with named inputs map by name.

Example::

    from jhops.serving import monitoring
    report = monitoring.monitor("iceberg", since="2026-11-22T10:00:00")
    print(report.summary())
    report.drifted                       # ['band_1.mean', 'band_1.max']
    report.to_dict()["latency_ms"]       # {'p50': 3.1, 'p95': 8.0, 'p99': 12.2, 'mean': 3.9, 'max': 15.0}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jhops.serving.errors import ServingError

if TYPE_CHECKING:
    from jhops.featurestore.training_dataset import TrainingDataset

Floats = npt.NDArray[np.float64]

PSI_THRESHOLD = 0.2
KS_THRESHOLD = 0.1
ALPHA = 0.05
MIN_SAMPLES = 30
PSI_MAX_BINS = 10
HISTOGRAM_BINS = 20
SUMMARY_STATISTICS = ("mean", "std", "min", "max")
#: the reference keeps at most this many rows (a systematic sample): enough for exact KS, cheap to sort
REFERENCE_ROWS = 100_000
#: bucket sizes in seconds; the smallest that cuts the window into at most MAX_BUCKETS is chosen
BUCKET_SIZES = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_BUCKETS = 60
TOP_CLASSES = 20


class MonitoringError(ServingError):
    """Monitoring cannot run as asked: the message says why and what to pass instead."""


# --- time ----------------------------------------------------------------------------------------


def _epoch(value: Any, name: str) -> float | None:
    """``value`` (None, epoch seconds, ISO text, a datetime, a pandas Timestamp, or a timedelta before now)."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return time.time() - value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise MonitoringError(f"{name}={value!r} is not a time: pass epoch seconds, a datetime, ISO text such as "
                              f"'2026-11-22T10:00:00' (UTC unless it says otherwise) or a timedelta before now"
                              ) from None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return float(stamp.timestamp())


def _iso(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat()


def _timestamps(column: pd.Series) -> Floats:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column, utc=True)
        return np.asarray((stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), dtype=np.float64)
    return np.asarray(column, dtype=np.float64)


def choose_bucket(duration_s: float) -> float:
    """The bucket size (seconds) for a window of ``duration_s``: the smallest of ``BUCKET_SIZES`` giving at most
    ``MAX_BUCKETS`` buckets.

    Example: ``choose_bucket(600)`` is ``10``.
    """
    for size in BUCKET_SIZES:
        if duration_s / size <= MAX_BUCKETS:
            return float(size)
    return float(math.ceil(duration_s / MAX_BUCKETS / BUCKET_SIZES[-1]) * BUCKET_SIZES[-1])


# --- drift statistics ----------------------------------------------------------------------------


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


def _psi_bins(live_count: int) -> int:
    return int(min(PSI_MAX_BINS, max(2, live_count // 10)))


@dataclass(frozen=True)
class _Histogram:
    """A stored reference histogram (``np.histogram`` bins: ``[e_i, e_i+1)``, the last one closed)."""

    edges: Floats
    counts: Floats

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def mean(self) -> float | None:
        if self.total == 0:
            return None
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        return float(np.sum(centres * self.counts) / self.total)

    def cdf_at_edges(self) -> Floats:
        return np.concatenate([[0.0], np.cumsum(self.counts)]) / max(self.total, 1)


def _display_histogram(reference: Floats | _Histogram, live: Floats) -> dict[str, list[float] | list[int]]:
    """Reference and live counts on common equal-width bins, for the side-by-side charts."""
    if isinstance(reference, _Histogram):
        low, high = float(reference.edges[0]), float(reference.edges[-1])
    else:
        low, high = (float(v) for v in np.quantile(reference, [0.001, 0.999]))
    if live.size:
        live_low, live_high = (float(v) for v in np.quantile(live, [0.001, 0.999]))
        low, high = min(low, live_low), max(high, live_high)
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    live_counts = np.histogram(np.clip(live, low, high), bins=edges)[0]
    if isinstance(reference, _Histogram):
        # Re-bin the stored counts by their bins' centres: close enough for a picture.
        centres = (reference.edges[:-1] + reference.edges[1:]) / 2
        ref_counts = np.histogram(np.clip(centres, low, high), bins=edges, weights=reference.counts)[0]
    else:
        ref_counts = np.histogram(np.clip(reference, low, high), bins=edges)[0]
    return {"edges": [float(e) for e in edges], "reference": [int(c) for c in ref_counts],
            "live": [int(c) for c in live_counts]}


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
                "live_count": self.live_count, "reference_count": self.reference_count, "psi": _num(self.psi),
                "psi_pvalue": _num(self.psi_pvalue), "ks": _num(self.ks), "ks_pvalue": _num(self.ks_pvalue),
                "live_mean": _num(self.live_mean), "reference_mean": _num(self.reference_mean),
                "flags": [f for f, on in (("psi", self.psi_flag), ("ks", self.ks_flag)) if on],
                "drifted": self.drifted, "histogram": self.histogram, "note": self.note}


def _num(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def feature_drift(name: str, reference: Floats | _Histogram, live: Floats, *, column: str | None = None,
                  statistic: str | None = None, psi_threshold: float = PSI_THRESHOLD,
                  ks_threshold: float = KS_THRESHOLD, alpha: float = ALPHA,
                  min_samples: int = MIN_SAMPLES) -> FeatureDrift:
    """PSI and KS of ``live`` values against ``reference`` values (or a stored histogram), with flags.

    Example: ``feature_drift("x", rng.normal(size=1000), rng.normal(1, 1, 200)).drifted`` is True.
    """
    live = np.asarray(live, dtype=np.float64)
    live = live[np.isfinite(live)]
    exact = not isinstance(reference, _Histogram)
    if isinstance(reference, _Histogram):
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
    bins = _psi_bins(int(live.size))
    if isinstance(reference, _Histogram):
        cdf = reference.cdf_at_edges()
        # Merge the stored bins into about `bins` bins of equal reference mass.
        picks = sorted({int(np.argmin(np.abs(cdf - j / bins))) for j in range(1, bins)} - {0, cdf.size - 1})
        inner = reference.edges[picks]
        ref_counts = np.diff(np.concatenate([[0.0], cdf[picks], [1.0]])) * ref_count
        d = float(np.max(np.abs(cdf - np.searchsorted(np.sort(live), reference.edges, side="left") / live.size)))
    else:
        inner = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
        ref_counts = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=inner.size + 1)
        d = ks_statistic(reference, live)
    live_counts = np.bincount(np.searchsorted(inner, live, side="right"), minlength=inner.size + 1)
    index = psi(ref_counts, live_counts)
    p_psi = psi_pvalue(index, int(inner.size) + 1, int(live.size), ref_count)
    p = ks_pvalue(d, int(live.size), ref_count)
    enough = live.size >= min_samples
    # Both flags need an effect (the threshold) that chance alone does not explain (the p-value).
    psi_flag = bool(enough and index >= psi_threshold and p_psi < alpha)
    ks_flag = bool(enough and d >= ks_threshold and p < alpha)
    note = None if enough else f"only {live.size} live values (flags need {min_samples})"
    return base(index, p_psi, d, p, live_mean, ref_mean, psi_flag, ks_flag, psi_flag or ks_flag,
                _display_histogram(reference, live), note)


# --- the reference -------------------------------------------------------------------------------


@dataclass
class ReferenceProfile:
    """What drift is measured against: per feature, reference values (exact) or a stored histogram.

    ``scalars`` are the numeric columns in order, ``arrays`` the array columns with their lengths; an array
    column ``c`` contributes the features ``c.mean``, ``c.std``, ``c.min``, ``c.max`` (per-row summaries).
    Example: ``ReferenceProfile.from_frame(td.read("train"), label=["is_iceberg"]).scalars``
    """

    source: dict[str, Any]
    method: str  # "data" or "statistics"
    rows: int
    scalars: list[str] = field(default_factory=list)
    arrays: dict[str, int] = field(default_factory=dict)
    values: dict[str, Floats] = field(default_factory=dict)
    histograms: dict[str, _Histogram] = field(default_factory=dict)

    def reference(self, name: str) -> Floats | _Histogram | None:
        """The values (or stored histogram) of feature ``name``, None when the reference lacks it."""
        return self.values.get(name, self.histograms.get(name))

    @classmethod
    def from_frame(cls, data: Any, label: Sequence[str] = (), source: Mapping[str, Any] | None = None
                   ) -> ReferenceProfile:
        """The profile of the rows of a pandas DataFrame or an Arrow table (label columns left out)."""
        table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(pd.DataFrame(data),
                                                                              preserve_index=False)
        if table.num_rows > REFERENCE_ROWS:
            step = table.num_rows // REFERENCE_ROWS + 1
            table = table.take(pa.array(np.arange(0, table.num_rows, step), type=pa.int64()))
        profile = cls(source=dict(source or {"source": "dataframe"}), method="data", rows=table.num_rows)
        for name in table.column_names:
            if name in label:
                continue
            column, kind = table.column(name), table.column(name).type
            if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
                summaries = _row_summaries(column)
                if summaries is not None:
                    length, stats = summaries
                    profile.arrays[name] = length
                    for stat, values in stats.items():
                        profile.values[f"{name}.{stat}"] = values
            elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind) \
                    or pa.types.is_decimal(kind):
                profile.scalars.append(name)
                values = column.to_numpy(zero_copy_only=False)
                profile.values[name] = np.asarray(pd.to_numeric(values, errors="coerce"), dtype=np.float64)
        return profile

    @classmethod
    def from_statistics(cls, stats: Mapping[str, Any], label: Sequence[str] = (),
                        source: Mapping[str, Any] | None = None) -> ReferenceProfile:
        """The profile of stored statistics (``jhops.featurestore.statistics.compute_statistics``'s shape)."""
        profile = cls(source=dict(source or {"source": "statistics"}), method="statistics",
                      rows=int(stats.get("rows") or 0))
        for name, column in (stats.get("columns") or {}).items():
            if name in label:
                continue
            if column.get("kind") == "numeric":
                profile.scalars.append(name)
                _add_histogram(profile, name, column.get("histogram"))
            elif column.get("kind") == "array" and (column.get("length") or {}).get("max"):
                profile.arrays[name] = int(column["length"]["max"])
                _add_histogram(profile, f"{name}.mean", (column.get("row_means") or {}).get("histogram"))
        return profile

    @classmethod
    def from_array(cls, data: Any, names: Sequence[str] | None = None,
                   source: Mapping[str, Any] | None = None) -> ReferenceProfile:
        """The profile of reference instances in the model's input space: (m, k) or (m, H, W[, C]) arrays."""
        array = np.asarray(data, dtype=np.float64)
        if array.ndim == 1:
            array = array[:, None]
        source = dict(source or {"source": "array", "shape": list(array.shape)})
        if array.ndim == 2:
            names = list(names) if names is not None else [f"x{i}" for i in range(array.shape[1])]
            _check_count(names, array.shape[1], "reference columns")
            return cls.from_frame(pd.DataFrame(array, columns=names), source=source)
        channels = array[..., None] if array.ndim == 3 else array
        count = channels.shape[-1]
        names = list(names) if names is not None else [f"channel_{c}" for c in range(count)]
        _check_count(names, count, "reference channels")
        flat = channels.reshape(len(array), -1, count)
        table = pa.table({name: pa.FixedSizeListArray.from_arrays(pa.array(flat[:, :, c].ravel()), flat.shape[1])
                          for c, name in enumerate(names)})
        return cls.from_frame(table, source=source)


def _check_count(names: Sequence[str], count: int, what: str) -> None:
    if len(names) != count:
        raise MonitoringError(f"features={list(names)} names {len(names)} {what}, the reference has {count}")


def _add_histogram(profile: ReferenceProfile, name: str, histogram: Mapping[str, Any] | None) -> None:
    if histogram and histogram.get("counts"):
        profile.histograms[name] = _Histogram(np.asarray(histogram["edges"], dtype=np.float64),
                                              np.asarray(histogram["counts"], dtype=np.float64))


def _summaries(matrix: Floats) -> dict[str, Floats]:
    """mean, std, min, max of each row (NaNs ignored; a row of NaNs gives NaN)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice" for all-NaN rows: NaN is right
        return {"mean": np.nanmean(matrix, axis=1), "std": np.nanstd(matrix, axis=1),
                "min": np.nanmin(matrix, axis=1), "max": np.nanmax(matrix, axis=1)}


def _row_summaries(column: pa.ChunkedArray) -> tuple[int, dict[str, Floats]] | None:
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    lengths = np.nan_to_num(np.asarray(lengths, dtype=np.float64)).astype(np.int64)
    if lengths.size == 0 or lengths.max() == 0:
        return None
    flat = pc.list_flatten(column).to_numpy(zero_copy_only=False).astype(np.float64)
    width = int(lengths.max())
    if column.null_count == 0 and (lengths == width).all():
        return width, _summaries(flat.reshape(len(lengths), width))  # one reshape, no Python loop per row
    matrix = np.full((len(lengths), width), np.nan)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    for i, (a, b) in enumerate(itertools.pairwise(offsets)):
        matrix[i, : b - a] = flat[a:b]
    return width, _summaries(matrix)


def _training_dataset_split(td: TrainingDataset, split: str) -> pa.Table:
    if td.data_format == "tfrecord":
        # tfrecord files hold no Arrow schema: rebuild the split from the pinned sources, as td.statistics does.
        from jhops.featurestore.training_dataset import split_indices

        table = td.query().read_arrow(td.sources, order_by_key=True)
        indices = split_indices(table.num_rows, td.splits, td.seed)[split]
        return table.take(pa.array(indices, type=pa.int64()))
    return td.read_arrow(split)


_PROFILES: dict[tuple[str, int, str], ReferenceProfile] = {}
_PROFILES_KEPT = 8


def _split_profile(td: TrainingDataset, split: str) -> ReferenceProfile:
    # A training dataset version never changes, so its profile is kept: the sidebar polls monitor() and the
    # iceberg train split is a hundred megabytes to read.
    key = (td.location, td.id, split)
    if key not in _PROFILES:
        source = {"source": "training_dataset", "name": td.name, "version": td.version, "split": split}
        profile = ReferenceProfile.from_frame(_training_dataset_split(td, split), label=_not_features(td),
                                              source=source)
        while len(_PROFILES) >= _PROFILES_KEPT:
            del _PROFILES[next(iter(_PROFILES))]
        _PROFILES[key] = profile
    return _PROFILES[key]


def _not_features(td: TrainingDataset) -> list[str]:
    """The label, primary key and event time columns: never model inputs, so never mapped to them."""
    from jhops.featurestore.errors import FeatureStoreError

    columns = list(td.label)
    try:
        for group in td.query().groups():
            columns += [*group.primary_key, *([group.event_time] if group.event_time else [])]
    except (FeatureStoreError, LookupError):  # a feature group deleted since: its keys are unknown, keep going
        pass
    return columns


def training_dataset_profile(td: TrainingDataset, split: str | None = None) -> ReferenceProfile:
    """The reference of a training dataset's split: its rows when readable, else the stored commit statistics.

    Example: ``training_dataset_profile(fs.get_training_dataset("iceberg_td"), "train").method`` is ``"data"``.
    """
    split = split or ("train" if "train" in td.splits else next(iter(td.splits)))
    if split not in td.splits:
        raise MonitoringError(f"training dataset {td.name} v{td.version} has no split {split!r}; its splits are "
                              f"{list(td.splits)}: pass reference={next(iter(td.splits))!r}")
    try:
        return _split_profile(td, split)
    except (OSError, ValueError, pa.ArrowException) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    return _statistics_profile(td, split, reason)


def _statistics_profile(td: TrainingDataset, split: str, reason: str) -> ReferenceProfile:
    """The statistics stored with the feature group commits the dataset was read at (all its groups, merged)."""
    from jhops.featurestore.errors import FeatureStoreError

    skip = _not_features(td)
    profile = ReferenceProfile(source={}, method="statistics", rows=0)
    used = []
    try:
        groups = td.query().groups()
    except (FeatureStoreError, LookupError):
        groups = []
    for group in groups:
        commit = td.sources.get(group.table_name)
        try:
            stats = group.statistics(None if commit is None else int(commit))
        except (FeatureStoreError, LookupError, ValueError):
            continue
        part = ReferenceProfile.from_statistics(stats, label=skip)
        profile.scalars += [c for c in part.scalars if c not in profile.scalars]
        profile.arrays.update(part.arrays)
        profile.histograms.update(part.histograms)
        profile.rows = max(profile.rows, part.rows)
        used.append({"name": group.name, "version": group.version, "commit": commit})
    if not used:
        raise MonitoringError(f"cannot read training dataset {td.name} v{td.version} ({reason}) and its feature "
                              f"groups have no stored statistics for the commits {td.sources}; pass the reference "
                              "data instead, e.g. reference=<DataFrame of training rows>")
    profile.source = {"source": "feature_group_statistics", "name": td.name, "version": td.version, "split": split,
                      "feature_groups": used, "reason": reason}
    return profile


def as_profile(reference: Any, label: Sequence[str] = (), features: Sequence[str] | None = None
               ) -> ReferenceProfile | None:
    """``reference`` as a ReferenceProfile: a DataFrame or Arrow table of rows, an array of model inputs, stored
    statistics, a TrainingDataset (its train split), a profile, or None (no drift).

    Example: ``as_profile(pd.DataFrame({"x": [1.0, 2.0]})).scalars`` is ``["x"]``.
    """
    from jhops.featurestore.training_dataset import TrainingDataset

    if reference is None or isinstance(reference, ReferenceProfile):
        return reference
    if isinstance(reference, TrainingDataset):
        return training_dataset_profile(reference)
    if isinstance(reference, (pd.DataFrame, pa.Table)):
        return ReferenceProfile.from_frame(reference, label=label)
    if isinstance(reference, Mapping) and "columns" in reference:
        return ReferenceProfile.from_statistics(reference, label=label)
    if isinstance(reference, (np.ndarray, list)):
        return ReferenceProfile.from_array(reference, names=features)
    raise MonitoringError(f"reference must be a DataFrame, an Arrow table, an array of model inputs, stored "
                          f"statistics, a TrainingDataset or None, got {type(reference).__name__}")


# --- mapping inputs to features ------------------------------------------------------------------


@dataclass(frozen=True)
class _Extract:
    """How one live feature comes out of one request's inputs."""

    name: str  # the feature's name in the report and in the profile
    shape: tuple[int, ...]  # the per-instance shape of the input it comes from
    key: str | None = None  # the named input (V2 requests with several inputs), None for a single tensor
    index: int | None = None  # the column of a tabular input
    statistic: str | None = None  # the per-instance summary of an array input
    channel: int | None = None  # the channel of an image input (None: the whole instance)
    channels_last: bool = True

    @property
    def column(self) -> str:
        return self.name.rsplit(".", 1)[0] if self.statistic else self.name


def _instance_shape(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, list):
        try:
            value = np.asarray(value)
        except ValueError:  # ragged
            return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.ndim >= 1:
        return tuple(int(d) for d in value.shape[1:])
    return None


def _summary_steps(column: str, shape: tuple[int, ...], key: str | None, channel: int | None = None,
                   channels_last: bool = True) -> list[_Extract]:
    return [_Extract(f"{column}.{s}", shape, key, None, s, channel, channels_last) for s in SUMMARY_STATISTICS]


def _tabular_plan(shape: tuple[int, ...], profile: ReferenceProfile, features: Sequence[str] | None,
                  key: str | None = None) -> list[_Extract]:
    k = shape[0] if shape else 1
    names = list(features) if features is not None else None
    if names is None and len(profile.scalars) == k:
        names = list(profile.scalars)
    if names is None:
        matching = [c for c, length in profile.arrays.items() if length == k]
        if len(matching) == 1 and k > 1:  # one flattened array per instance
            return _summary_steps(matching[0], shape, key)
        raise MonitoringError(
            f"the model's inputs have {k} value(s) per instance and the reference has {len(profile.scalars)} "
            f"numeric feature(s) {profile.scalars}; say which reference columns the inputs are, in order, with "
            f"features=[...] ({k} names), or pass the reference in the model's input space (reference=x_train, "
            f"an array of shape (m, {k})), or reference=None to monitor traffic only")
    if len(names) == 1 and k > 1 and profile.arrays.get(names[0]) == k:
        return _summary_steps(names[0], shape, key)
    if len(names) != k:
        raise MonitoringError(f"features={names} names {len(names)} feature(s), the model's inputs have {k} value(s) "
                              "per instance")
    # A name may also be a per-row summary of an array column ("band_1.mean"): a model fed such summaries.
    unknown = [n for n in names if profile.reference(n) is None]
    if unknown:
        summaries = [f"{c}.{s}" for c in profile.arrays for s in SUMMARY_STATISTICS]
        raise MonitoringError(f"features {unknown} are not numeric columns of the reference; its numeric columns are "
                              f"{profile.scalars}" + (f", and summaries of its arrays {summaries}" if summaries
                                                      else ""))
    return [_Extract(n, shape, key, i) for i, n in enumerate(names)]


def _image_plan(shape: tuple[int, ...], profile: ReferenceProfile, features: Sequence[str] | None,
                key: str | None = None) -> list[_Extract]:
    # (H, W, C) channels last, (C, H, W) channels first, or (H, W) one channel: each reference column has H*W.
    layouts = [(int(np.prod(shape)), 1, True)] if len(shape) == 2 else [
        (int(np.prod(shape[:-1])), shape[-1], True), (int(np.prod(shape[1:])), shape[0], False)]
    for length, count, last in layouts:
        names = list(features) if features is not None else [c for c, n in profile.arrays.items() if n == length]
        if len(names) == count and all(profile.arrays.get(n) == length for n in names):
            return [step for c, n in enumerate(names)
                    for step in _summary_steps(n, shape, key, c if len(shape) > 2 else None, last)]
    arrays = ", ".join(f"{c} ({n} values)" for c, n in profile.arrays.items()) or "none"
    length, count = layouts[0][0], layouts[0][1]
    raise MonitoringError(
        f"the model's inputs are {list(shape)} per instance: drift compares each of its {count} channel(s) with a "
        f"reference array column of {length} values, and the reference's array columns are: {arrays}. Name the "
        "columns in channel order with features=[...], pass reference=<array of training inputs>, or "
        "reference=None to monitor traffic only")


def _plan(sample: Any, profile: ReferenceProfile, features: Sequence[str] | None) -> list[_Extract]:
    """The features to take from each request's inputs, decided on the first request that has any."""
    if isinstance(sample, Mapping):
        plan: list[_Extract] = []
        for key, value in sample.items():
            shape = _instance_shape(value)
            if shape is None:
                continue
            if shape in ((), (1,)) and key in profile.scalars:
                plan.append(_Extract(key, shape, key, 0))
            elif key in profile.arrays:
                plan += (_tabular_plan(shape, profile, [key], key) if len(shape) == 1
                         else _image_plan(shape, profile, [key], key))
        if not plan:
            raise MonitoringError(f"none of the named inputs {list(sample)} is a feature of the reference "
                                  f"({profile.scalars + list(profile.arrays)}); pass a reference in the inputs' "
                                  "terms, or reference=None to monitor traffic only")
        return plan
    shape = _instance_shape(sample)
    if shape is None:
        raise MonitoringError("the logged inputs are not numeric tensors, so drift cannot be measured on them; "
                              "pass reference=None to monitor traffic only")
    return _tabular_plan(shape, profile, features) if len(shape) <= 1 else _image_plan(shape, profile, features)


def _columns(payload: Any) -> Any:
    """V1 instances given as JSON objects (``[{"x0": 1.5, ...}, ...]``) as named columns; anything else as is."""
    if isinstance(payload, list) and payload and all(isinstance(item, Mapping) for item in payload):
        keys = dict.fromkeys(k for item in payload for k in item)
        columns = {}
        for key in keys:
            with contextlib.suppress(TypeError, ValueError):
                columns[key] = np.asarray([item.get(key, np.nan) for item in payload], dtype=np.float64)
        return columns
    return payload


def _extract(inputs: Any, plan: Sequence[_Extract]) -> dict[str, Floats] | None:
    """The plan's features of one request's inputs, or None when they do not have the planned shapes."""
    out: dict[str, Floats] = {}
    summaries: dict[tuple[str | None, int | None], dict[str, Floats]] = {}
    for step in plan:
        value = inputs.get(step.key) if isinstance(inputs, Mapping) else inputs
        if _instance_shape(value) != step.shape:
            return None
        array = np.asarray(value)
        n = len(array)
        if step.statistic is None:
            out[step.name] = array.reshape(n, -1)[:, step.index or 0].astype(np.float64)
            continue
        source = (step.key, step.channel)
        if source not in summaries:
            if step.channel is None:
                matrix = array.reshape(n, -1)
            elif step.channels_last:
                matrix = array[..., step.channel].reshape(n, -1)
            else:
                matrix = array[:, step.channel].reshape(n, -1)
            summaries[source] = _summaries(matrix.astype(np.float64))
        out[step.name] = summaries[source][step.statistic]
    return out


# --- predictions ---------------------------------------------------------------------------------


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _as_labels(item: Any) -> list[str]:
    if isinstance(item, list):
        return item
    return [_label(row.tolist() if row.size > 1 else row.item()) for row in item]


def _predictions(times: Floats, payloads: Sequence[Any], edges: Floats) -> dict[str, Any]:
    """The distribution of the predictions, overall and per time bucket (``edges`` are the buckets' starts)."""
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
        finite = value[np.isfinite(value)]
        low, high = (0.0, 1.0) if kind in ("probability", "probabilities") else (
            (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        counts, bins = np.histogram(finite, bins=HISTOGRAM_BINS, range=(low, high if high > low else low + 1.0))
        histogram = {"edges": [float(e) for e in bins], "counts": [int(c) for c in counts]}
    index = np.clip(np.searchsorted(edges, at, side="right") - 1, 0, max(len(edges) - 1, 0))
    over_time = []
    for i, start in enumerate(edges):
        rows = index == i
        entry: dict[str, Any] = {"start_ts": float(start), "start": _iso(float(start)), "count": int(rows.sum())}
        if value is not None:
            entry["mean"] = _num(float(value[rows].mean())) if rows.any() else None
        if means is not None:
            entry["means"] = [_num(float(v)) for v in means[rows][:, :10].mean(axis=0)] if rows.any() else None
        if labels:
            entry["class_counts"] = _counts(np.asarray(labels)[rows])
        over_time.append(entry)
    return {"kind": kind, "count": int(at.size), "outputs": outputs,
            "mean": _num(float(value.mean())) if value is not None and value.size else None,
            "histogram": histogram, "histogram_of": histogram_of,
            "class_counts": _counts(np.asarray(labels)) if labels else {}, "over_time": over_time}


def _counts(labels: npt.NDArray[Any]) -> dict[str, int]:
    names, counts = np.unique(labels, return_counts=True) if labels.size else (np.array([]), np.array([]))
    order = np.argsort(-counts, kind="stable")[:TOP_CLASSES]
    return {str(names[i]): int(counts[i]) for i in order}


# --- the report ----------------------------------------------------------------------------------


def _percentiles(values: Floats) -> dict[str, float | None]:
    if values.size == 0:
        return {"p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    p50, p95, p99 = (float(v) for v in np.percentile(values, [50, 95, 99]))
    return {"p50": p50, "p95": p95, "p99": p99, "mean": float(values.mean()), "max": float(values.max())}


@dataclass
class MonitoringReport:
    """What a deployment did over a window: traffic, latency, errors, predictions, and input drift.

    Example::

        report = monitor("iceberg")
        report.requests, report.error_rate, report.latency_ms["p99"], report.drifted
        json.dumps(report.to_dict())         # what the REST API and the sidebar serve
    """

    deployment: str | None
    model_name: str | None
    model_version: int | None
    start: float | None
    end: float | None
    bucket_s: float
    requests: int
    instances: int
    errors: int
    status_codes: dict[str, int]
    latency_ms: dict[str, float | None]
    buckets: list[dict[str, Any]]
    predictions: dict[str, Any]
    drift: list[FeatureDrift]
    reference: dict[str, Any] | None
    thresholds: dict[str, float]
    drift_note: str | None = None
    message: str | None = None
    excluded_requests: int = 0
    generated_at: float = field(default_factory=time.time)

    @property
    def duration_s(self) -> float:
        return 0.0 if self.start is None or self.end is None else self.end - self.start

    @property
    def error_rate(self) -> float | None:
        """Failed requests (HTTP status >= 400, or an error message) over all requests; None with no requests."""
        return self.errors / self.requests if self.requests else None

    @property
    def rate_per_s(self) -> float | None:
        """Requests per second over the window (None when the window has no length)."""
        return self.requests / self.duration_s if self.duration_s > 0 else None

    @property
    def drifted(self) -> list[str]:
        """The names of the features flagged as drifted."""
        return [f.name for f in self.drift if f.drifted]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able values (no NaN: missing numbers are None)."""
        return {
            "deployment": self.deployment,
            "model": {"name": self.model_name, "version": self.model_version},
            "generated_at": self.generated_at,
            "message": self.message,
            "window": {"start": _iso(self.start), "end": _iso(self.end), "start_ts": self.start, "end_ts": self.end,
                       "duration_s": self.duration_s, "bucket_s": self.bucket_s},
            "requests": {"count": self.requests, "instances": self.instances, "errors": self.errors,
                         "error_rate": self.error_rate, "rate_per_s": self.rate_per_s,
                         "status_codes": dict(self.status_codes), "excluded": self.excluded_requests},
            "latency_ms": {k: _num(v) for k, v in self.latency_ms.items()},
            "buckets": self.buckets,
            "predictions": self.predictions,
            "drift": {"reference": self.reference, "thresholds": dict(self.thresholds), "note": self.drift_note,
                      "drifted": self.drifted, "features": [f.to_dict() for f in self.drift]},
        }

    def summary(self) -> str:
        """A few lines for people: requests, error rate, latency percentiles, predictions, drifting features."""
        who = f"deployment {self.deployment!r}" if self.deployment else "inference log"
        model = f" (model {self.model_name} v{self.model_version})" if self.model_name else ""
        if self.requests == 0:
            return f"{who}{model}: {self.message or 'no requests in the window'}"
        span = f"{_iso(self.start)} to {_iso(self.end)}"
        rate = f", {self.rate_per_s:.3g}/s" if self.rate_per_s is not None else ""
        lines = [f"{who}{model}: {self.requests} requests{rate} ({self.instances} instances), {span}",
                 f"errors: {self.errors} ({100 * (self.error_rate or 0):.1f}%)"
                 + (f"; status codes {self.status_codes}" if len(self.status_codes) > 1 else ""),
                 "latency: " + ", ".join(f"{k} {self.latency_ms[k]:.1f} ms" for k in ("p50", "p95", "p99")
                                         if self.latency_ms.get(k) is not None)]
        pred = self.predictions
        if pred.get("kind"):
            detail = f"mean {pred['mean']:.3g}" if pred.get("mean") is not None else ""
            if pred.get("class_counts"):
                top = ", ".join(f"{k}: {v}" for k, v in list(pred["class_counts"].items())[:5])
                detail = f"{detail}; classes {top}" if detail else f"classes {top}"
            lines.append(f"predictions ({pred['kind']}, {pred['count']}): {detail}")
        if self.reference is not None and self.drift:
            ref = self.reference
            against = describe_reference(ref)
            if self.drifted:
                worst = [f for f in self.drift if f.drifted]
                lines.append(f"DRIFT against {against}: " + ", ".join(
                    f"{f.name} (PSI {f.psi:.2f}, KS {f.ks:.2f})" for f in worst[:8])
                    + (f" and {len(worst) - 8} more" if len(worst) > 8 else ""))
            else:
                lines.append(f"no drift against {against} in {len(self.drift)} features")
        if self.drift_note:
            lines.append(f"drift: {self.drift_note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"MonitoringReport({self.deployment!r}, requests={self.requests}, errors={self.errors}, "
                f"drifted={self.drifted})")


def describe_reference(reference: Mapping[str, Any] | None) -> str:
    """A reference's ``to_dict()["drift"]["reference"]`` as people read it.

    Example: ``describe_reference({"source": "training_dataset", "name": "iceberg_td", "version": 1,
    "split": "train"})`` is ``"iceberg_td v1 (train)"``.
    """
    if not reference:
        return "no reference"
    if reference.get("name"):
        return f"{reference['name']} v{reference['version']} ({reference.get('split')})"
    return {"dataframe": "the given rows", "array": "the given inputs", "statistics": "the given statistics"}.get(
        str(reference.get("source")), str(reference.get("source")))


def _window(ts: Floats, since: float | None, until: float | None) -> tuple[float | None, float | None]:
    start = since if since is not None else (float(ts.min()) if ts.size else None)
    # A window "since" a time runs to now; without either bound it spans the logged requests.
    end = until if until is not None else (time.time() if since is not None else
                                           (float(ts.max()) if ts.size else None))
    return start, end


def _buckets(ts: Floats, latency: Floats, failed: npt.NDArray[np.bool_], instances: Floats, start: float,
             end: float, size: float, closed: bool) -> tuple[Floats, list[dict[str, Any]]]:
    """Buckets ``[start + i * size, start + (i + 1) * size)``; requests per second are per whole bucket, except in
    a last bucket that ``until`` cuts short (``closed``: the window's end is given, and a request at it counts).
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
        out.append({"start_ts": float(b_start), "start": _iso(float(b_start)), "end_ts": b_end, "requests": n,
                    "instances": int(instances[rows].sum()),
                    "rate_per_s": n / covered if covered > 0 else None, "errors": int(failed[rows].sum()),
                    "error_rate": float(failed[rows].mean()) if n else None,
                    "latency_ms": {k: v for k, v in _percentiles(latency[rows]).items() if k in ("p50", "p95", "p99")}})
    return starts, out


def _failed(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    status = pd.to_numeric(frame["status_code"], errors="coerce").fillna(0).to_numpy()
    failed = status >= 400
    if "error" in frame:
        failed |= frame["error"].map(lambda e: isinstance(e, str) and e != "").to_numpy(dtype=bool)
    return np.asarray(failed, dtype=bool)


def monitor_frame(log: pd.DataFrame, reference: Any = None, *, features: Sequence[str] | None = None,
                  label: Sequence[str] | str = (), since: Any = None, until: Any = None, bucket_s: float | None = None,
                  psi_threshold: float = PSI_THRESHOLD, ks_threshold: float = KS_THRESHOLD, alpha: float = ALPHA,
                  min_samples: int = MIN_SAMPLES, deployment: str | None = None, model_name: str | None = None,
                  model_version: int | None = None, excluded_requests: int = 0,
                  drift_errors: str = "raise") -> MonitoringReport:
    """The monitoring report of an inference log frame (as ``read_log(directory)`` returns it) against
    ``reference``: a DataFrame or Arrow table of training rows (``label`` columns left out), an array of training
    inputs in the model's input space, stored statistics, a TrainingDataset, a ReferenceProfile, or None.

    ``since``/``until``: epoch seconds, datetimes, ISO text or a timedelta before now; without them the window
    spans the logged requests (with only ``since`` it runs to now). ``bucket_s``: the time bucket, chosen for at
    most 60 buckets when None. ``drift_errors="note"`` turns a reference or inputs that drift cannot be measured
    on into the report's ``drift_note`` (the traffic numbers still come) instead of a ``MonitoringError``. See
    the module's docstring for the drift rules and the input-to-feature mapping.

    Example::

        log = read_log("/proj/serving/iris/inference_log")
        report = monitor_frame(log, train_df, label="species", bucket_s=60)
        report.drifted                                   # ['petal_length']
    """
    missing = [c for c in ("timestamp", "latency_ms", "status_code") if c not in log.columns]
    if missing:
        raise MonitoringError(f"the log frame has no column(s) {missing}; read it with "
                              "jhops.serving.inference_log.read_log(directory) (decode=True)")
    if "inputs_dtype" in log.columns:
        raise MonitoringError("the log frame's payloads are not decoded: read it with read_log(directory, "
                              "decode=True)")
    if drift_errors not in ("raise", "note"):
        raise MonitoringError(f"drift_errors must be 'raise' or 'note', got {drift_errors!r}")
    labels = [label] if isinstance(label, str) else list(label)
    problem: str | None = None
    try:
        profile = as_profile(reference, labels, features)
    except MonitoringError as exc:
        if drift_errors == "raise":
            raise
        profile, problem = None, str(exc)
    thresholds = {"psi": float(psi_threshold), "ks": float(ks_threshold), "alpha": float(alpha),
                  "min_samples": float(min_samples)}
    all_ts = _timestamps(log["timestamp"])
    start, end = _window(all_ts, _epoch(since, "since"), _epoch(until, "until"))
    if start is not None and end is not None and end < start:
        raise MonitoringError(f"until ({_iso(end)}) is before since ({_iso(start)})")
    keep = np.ones(len(log), dtype=bool) if start is None or end is None else (all_ts >= start) & (all_ts <= end)
    frame = log.loc[keep].reset_index(drop=True)
    ts = all_ts[keep]
    reference_info = dict(profile.source, method=profile.method, rows=profile.rows) if profile else None
    report = functools.partial(MonitoringReport, deployment, model_name, model_version, thresholds=thresholds,
                               reference=reference_info, excluded_requests=excluded_requests)
    size = float(bucket_s) if bucket_s is not None else choose_bucket(
        (end - start) if start is not None and end is not None else 0.0)
    if size <= 0:
        raise MonitoringError(f"bucket_s must be a positive number of seconds, got {bucket_s!r}")
    if len(frame) == 0 or start is None or end is None:
        hint = f" (send some with jhops.serving.predict({deployment!r}, ...))" if deployment else ""
        message = ("no requests yet" + hint) if len(log) == 0 else "no requests in the window"
        return report(start=start, end=end, bucket_s=size, requests=0, instances=0, errors=0, status_codes={},
                      latency_ms=_percentiles(np.array([])), buckets=[],
                      predictions=_predictions(np.array([]), [], np.array([])), drift=[], message=message)
    latency = pd.to_numeric(frame["latency_ms"], errors="coerce").to_numpy(dtype=np.float64)
    failed = _failed(frame)
    instances = (pd.to_numeric(frame["n_instances"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
                 if "n_instances" in frame else np.ones(len(frame)))
    edges, buckets = _buckets(ts, latency, failed, instances, start, end, size, closed=until is not None)
    codes = pd.to_numeric(frame["status_code"], errors="coerce").fillna(0).astype(int).value_counts().sort_index()
    ok = ~failed
    predictions = _predictions(ts[ok], list(frame["predictions"][ok]) if "predictions" in frame else [None] * int(
        ok.sum()), edges)
    try:
        drift, note = _drift(frame, profile, features, psi_threshold, ks_threshold, alpha, min_samples)
    except MonitoringError as exc:
        if drift_errors == "raise":
            raise
        drift, note = [], str(exc)
    note = problem or note
    return report(start=start, end=end, bucket_s=size, requests=len(frame), instances=int(instances.sum()),
                  errors=int(failed.sum()), status_codes={str(k): int(v) for k, v in codes.items()},
                  latency_ms=_percentiles(latency[np.isfinite(latency)]), buckets=buckets, predictions=predictions,
                  drift=drift, drift_note=note)


def _drift(frame: pd.DataFrame, profile: ReferenceProfile | None, features: Sequence[str] | None,
           psi_threshold: float, ks_threshold: float, alpha: float, min_samples: int
           ) -> tuple[list[FeatureDrift], str | None]:
    if profile is None:
        return [], "no reference: drift not measured"
    payloads = [_columns(p) for p in frame.get("inputs", []) if p is not None]
    if not payloads:
        return [], "the log holds no inputs (is the deployment's inference_logging ALL or MODEL_INPUTS?)"
    plan = _plan(payloads[0], profile, features)
    columns: dict[str, list[Floats]] = {step.name: [] for step in plan}
    skipped = 0
    for payload in payloads:
        values = _extract(payload, plan)
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


# --- a deployment --------------------------------------------------------------------------------


def _feature_names(model: Any) -> list[str] | None:
    signature, provenance = model.signature or {}, model.provenance or {}
    inputs = signature.get("inputs") or [{}]
    names = signature.get("feature_names") or inputs[0].get("feature_names") or provenance.get("feature_names")
    return [str(n) for n in names] if names else None


def _resolve(reference: Any, record: Mapping[str, Any], root: str, deployment: str
             ) -> tuple[Any, list[str] | None]:
    """The reference (a TrainingDataset and split, or what the caller gave) and the model's feature names."""
    from jhops import models
    from jhops.featurestore.errors import FeatureStoreError
    from jhops.project import Project

    model_name, version = record["model_name"], record.get("model_version")
    if not isinstance(reference, str):
        return reference, None
    try:
        model = models.get_model(model_name, version, project=root)
    except (LookupError, ValueError) as exc:
        raise MonitoringError(f"deployment {deployment!r} serves model {model_name!r} v{version}, which the registry "
                              f"cannot give ({exc}); pass the reference yourself: monitor({deployment!r}, "
                              "reference=<DataFrame of training rows>)") from exc
    dataset = model.training_dataset
    if not dataset:
        raise MonitoringError(
            f"model {model_name!r} v{model.version} (served by {deployment!r}) records no training dataset, so "
            f"there is no reference to measure drift against. Pass one: monitor({deployment!r}, "
            "reference=fs.get_training_dataset('NAME')), reference=<DataFrame of training rows> (with label=...), "
            "reference=<array of training inputs>, or reference=None to monitor traffic only; or export the "
            "model with jhops.models.export(..., training_dataset='NAME')")
    try:
        td = Project(root).get_feature_store().get_training_dataset(dataset["name"], dataset.get("version"))
    except (FeatureStoreError, LookupError) as exc:
        raise MonitoringError(f"model {model_name!r} v{model.version} was trained on training dataset "
                              f"{dataset['name']} v{dataset.get('version')}, which is gone ({exc}); pass the "
                              "reference data with reference=...") from exc
    split = reference if reference in td.splits or reference != "train" else next(iter(td.splits))
    if split not in td.splits:
        raise MonitoringError(f"reference={reference!r}: training dataset {td.name} v{td.version} has the splits "
                              f"{list(td.splits)}; pass one of them, e.g. reference={next(iter(td.splits))!r}")
    return (td, split), _feature_names(model)


def monitor(name: str, project: Any = None, since: Any = None, until: Any = None, bucket_s: float | None = None,
            psi_threshold: float = PSI_THRESHOLD, ks_threshold: float = KS_THRESHOLD, reference: Any = "train",
            features: Sequence[str] | None = None, label: Sequence[str] | str = (), alpha: float = ALPHA,
            min_samples: int = MIN_SAMPLES, drift_errors: str = "raise") -> MonitoringReport:
    """The monitoring report of deployment ``name`` over a window of its inference log.

    ``reference``: a split name (default ``"train"``) of the training dataset in the served model's provenance,
    or anything ``monitor_frame`` takes (a TrainingDataset, a DataFrame of training rows, an array of training
    inputs, stored statistics), or None to monitor traffic only. ``features`` names the reference columns the
    inputs are, in order (default: the model's ``feature_names``, else the reference's columns in order). Only
    requests to the deployed model version count (``excluded`` in ``to_dict()["requests"]`` says how many
    others the window had). ``drift_errors="note"`` (what a dashboard wants) reports traffic with the reason in
    ``drift_note`` when drift cannot be measured (no training dataset, inputs that do not map), instead of
    raising ``MonitoringError``.

    Example::

        report = monitor("iceberg", since=datetime.timedelta(hours=1), bucket_s=60)
        print(report.summary())
    """
    from jhops.serving.deployments import get_deployment

    deployment = get_deployment(name, project)
    record = deployment.record
    log = deployment.read_inference_log()
    version = record.get("model_version")
    excluded = 0
    if version is not None and len(log):
        keep = (log["model_version"] == version).to_numpy(dtype=bool)
        excluded, log = int((~keep).sum()), log.loc[keep].reset_index(drop=True)
    problem = None
    try:
        resolved, names = _resolve(reference, record, deployment.root, name)
        if isinstance(resolved, tuple):
            td, split = resolved
            # An empty log needs no reference data: say so without reading the training dataset.
            resolved = training_dataset_profile(td, split) if len(log) else ReferenceProfile(
                source={"source": "training_dataset", "name": td.name, "version": td.version, "split": split},
                method="data", rows=int(td.counts.get(split, 0)))
    except MonitoringError as exc:
        if drift_errors != "note":
            raise
        resolved, names, problem = None, None, str(exc)
    report = monitor_frame(log, resolved, features=features if features is not None else names, label=label,
                           since=since, until=until, bucket_s=bucket_s, psi_threshold=psi_threshold,
                           ks_threshold=ks_threshold, alpha=alpha, min_samples=min_samples, deployment=name,
                           model_name=str(record["model_name"]), model_version=version, excluded_requests=excluded,
                           drift_errors=drift_errors)
    if problem is not None:
        report.drift_note = problem
    if not len(log) and record.get("inference_logging") == "NONE":
        report.message = (f"no requests logged: the deployment's inference_logging is NONE; log them with "
                          f"jhops.serving.create_or_update({name!r}, {record['model_name']!r}, "
                          "inference_logging='ALL')")
    return report


def clear_cache() -> None:
    """Forget the kept reference profiles of training datasets (they are re-read on the next ``monitor``)."""
    _PROFILES.clear()


__all__ = ["ALPHA", "KS_THRESHOLD", "MIN_SAMPLES", "PSI_THRESHOLD", "FeatureDrift", "MonitoringError",
           "MonitoringReport", "ReferenceProfile", "as_profile", "choose_bucket", "clear_cache", "describe_reference",
           "feature_drift", "ks_pvalue", "ks_statistic", "monitor", "monitor_frame", "psi", "psi_pvalue",
           "training_dataset_profile"]
