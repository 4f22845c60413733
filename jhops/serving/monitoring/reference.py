"""The reference drift is measured against: per feature, reference values (exact) or a stored histogram, from
training rows, an array of training inputs, stored statistics, or a training dataset's split.

Reference: the rows of the split themselves when they can be read (exact KS and quantile bins); otherwise the
histograms stored with the feature group commit the dataset was read at. Those stored statistics cover the
whole commit, not only the split, and hold per-chip means of array features but not their std, min or max.

Example: ``training_dataset_profile(fs.get_training_dataset("iceberg_td"), "train").scalars``
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jhops.serving.monitoring.errors import MonitoringError
from jhops.serving.monitoring.histograms import Histogram
from jhops.serving.monitoring.summaries import summaries
from jhops.serving.monitoring.window import Floats

if TYPE_CHECKING:
    from jhops.featurestore.training_dataset import TrainingDataset

#: the reference keeps at most this many rows (a systematic sample): enough for exact KS, cheap to sort
REFERENCE_ROWS = 100_000


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
    histograms: dict[str, Histogram] = field(default_factory=dict)

    def reference(self, name: str) -> Floats | Histogram | None:
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
                per_row = _row_summaries(column)
                if per_row is not None:
                    length, stats = per_row
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
        profile.histograms[name] = Histogram(np.asarray(histogram["edges"], dtype=np.float64),
                                             np.asarray(histogram["counts"], dtype=np.float64))


def _row_summaries(column: pa.ChunkedArray) -> tuple[int, dict[str, Floats]] | None:
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    lengths = np.nan_to_num(np.asarray(lengths, dtype=np.float64)).astype(np.int64)
    if lengths.size == 0 or lengths.max() == 0:
        return None
    flat = pc.list_flatten(column).to_numpy(zero_copy_only=False).astype(np.float64)
    width = int(lengths.max())
    if column.null_count == 0 and (lengths == width).all():
        return width, summaries(flat.reshape(len(lengths), width))  # one reshape, no Python loop per row
    matrix = np.full((len(lengths), width), np.nan)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    for i, (a, b) in enumerate(itertools.pairwise(offsets)):
        matrix[i, : b - a] = flat[a:b]
    return width, summaries(matrix)


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


def clear_cache() -> None:
    """Forget the kept reference profiles of training datasets (they are re-read on the next ``monitor``).

    Example: ``clear_cache()`` after rewriting a training dataset's files by hand.
    """
    _PROFILES.clear()


__all__ = ["REFERENCE_ROWS", "ReferenceProfile", "as_profile", "clear_cache", "describe_reference",
           "training_dataset_profile"]
