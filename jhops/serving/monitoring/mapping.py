"""How a request's inputs map to the reference's features.

Tabular inputs of shape (n, k) map to ``features=[...]`` (numeric columns, or per-row summaries of array
columns such as ``band_1.mean``), else to ``feature_names`` in the model's signature or provenance, else in
order to the reference's numeric columns that are not its label, key or event time. Image inputs (n, H, W, C)
(or channels first, or (n, H, W) for one channel) map channel by channel to the reference's array columns of
length H*W (in order, or named by ``features``); drift is then measured on per-instance summaries
(``<column>.mean``, ``.std``, ``.min``, ``.max``) against the same summaries of the reference rows. V2
requests with named inputs map by name.

Example::

    plan = plan_features(log.loc[0, "inputs"], profile, features=None)
    extract_features(log.loc[1, "inputs"], plan)["band_1.mean"]
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jhops.serving.monitoring.errors import MonitoringError
from jhops.serving.monitoring.reference import ReferenceProfile
from jhops.serving.monitoring.summaries import SUMMARY_STATISTICS, summaries
from jhops.serving.monitoring.window import Floats


@dataclass(frozen=True)
class FeatureExtract:
    """How one live feature comes out of one request's inputs.

    Example: ``FeatureExtract("band_1.mean", (75, 75, 3), statistic="mean", channel=0).column`` is ``"band_1"``.
    """

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
                   channels_last: bool = True) -> list[FeatureExtract]:
    return [FeatureExtract(f"{column}.{s}", shape, key, None, s, channel, channels_last) for s in SUMMARY_STATISTICS]


def _tabular_plan(shape: tuple[int, ...], profile: ReferenceProfile, features: Sequence[str] | None,
                  key: str | None = None) -> list[FeatureExtract]:
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
    return [FeatureExtract(n, shape, key, i) for i, n in enumerate(names)]


def _image_plan(shape: tuple[int, ...], profile: ReferenceProfile, features: Sequence[str] | None,
                key: str | None = None) -> list[FeatureExtract]:
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


def plan_features(sample: Any, profile: ReferenceProfile, features: Sequence[str] | None) -> list[FeatureExtract]:
    """The features to take from each request's inputs, decided on the first request that has any.

    Example: ``[step.name for step in plan_features(np.zeros((2, 4)), profile, None)]`` is ``["x0", ..., "x3"]``.
    """
    if isinstance(sample, Mapping):
        plan: list[FeatureExtract] = []
        for key, value in sample.items():
            shape = _instance_shape(value)
            if shape is None:
                continue
            if shape in ((), (1,)) and key in profile.scalars:
                plan.append(FeatureExtract(key, shape, key, 0))
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


def named_columns(payload: Any) -> Any:
    """V1 instances given as JSON objects (``[{"x0": 1.5, ...}, ...]``) as named columns; anything else as is.

    Example: ``named_columns([{"x0": 1.5}, {"x0": 2.5}])`` is ``{"x0": array([1.5, 2.5])}``.
    """
    if isinstance(payload, list) and payload and all(isinstance(item, Mapping) for item in payload):
        keys = dict.fromkeys(k for item in payload for k in item)
        columns = {}
        for key in keys:
            with contextlib.suppress(TypeError, ValueError):
                columns[key] = np.asarray([item.get(key, np.nan) for item in payload], dtype=np.float64)
        return columns
    return payload


def extract_features(inputs: Any, plan: Sequence[FeatureExtract]) -> dict[str, Floats] | None:
    """The plan's features of one request's inputs, or None when they do not have the planned shapes.

    Example: ``extract_features(np.zeros((2, 4)), plan)["x1"]`` is ``array([0., 0.])``.
    """
    out: dict[str, Floats] = {}
    per_source: dict[tuple[str | None, int | None], dict[str, Floats]] = {}
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
        if source not in per_source:
            if step.channel is None:
                matrix = array.reshape(n, -1)
            elif step.channels_last:
                matrix = array[..., step.channel].reshape(n, -1)
            else:
                matrix = array[:, step.channel].reshape(n, -1)
            per_source[source] = summaries(matrix.astype(np.float64))
        out[step.name] = per_source[source][step.statistic]
    return out


__all__ = ["FeatureExtract", "extract_features", "named_columns", "plan_features"]
