"""The Statoil/C-CORE "ship or iceberg?" Sentinel-1 chips: load the Kaggle JSON, or make a synthetic stand-in.

The Kaggle ``train.json`` is a JSON list of records::

    {"id": "dfd5f913", "band_1": [5625 floats], "band_2": [5625 floats],
     "inc_angle": 43.9239 or "na", "is_iceberg": 0 or 1}

``band_1`` (HH) and ``band_2`` (HV) are 75x75 backscatter chips in dB, flattened row by row; ``test.json``
has the same records without ``is_iceberg``. The real file cannot be downloaded here, so :func:`generate`
simulates records of the same schema: speckled sea clutter whose level falls with the incidence angle,
with a ship (small, bright, elongated, strong in HV) or an iceberg (larger, dimmer, rounder, weaker in HV)
near the centre. The classes overlap, so a small CNN learns them well but not perfectly.

Example::

    from jhops.datasets import iceberg
    iceberg.write("train.json", n=1604, seed=42)
    df = iceberg.add_band_avg(iceberg.load("train.json"))
    train_df, test_df = iceberg.split(df)
    X, y = iceberg.to_arrays(train_df)       # X: (n, 75, 75, 3) float32, y: (n,) float32
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BANDS",
    "GENERATOR_VERSION",
    "ICEBERG_FRACTION",
    "PIXELS",
    "SIZE",
    "add_band_avg",
    "generate",
    "load",
    "split",
    "synthetic_frame",
    "to_arrays",
    "write",
]

SIZE = 75
"""Chips are SIZE x SIZE pixels."""
PIXELS = SIZE * SIZE
"""Values per band: 5625."""
BANDS = ("band_1", "band_2")
"""The two polarisations: HH and HV."""
ICEBERG_FRACTION = 753 / 1604
"""Share of icebergs in the real ``train.json`` (about 0.47)."""
GENERATOR_VERSION = 1
"""Bumped whenever :func:`generate` changes its output, so caches keyed by it go stale."""

FloatArray = npt.NDArray[np.float32]

# The generator's knobs. Contrasts are peak target brightness above the local sea level, in dB.
_SEA_HH_DB_AT_30 = -16.0  # HH sea clutter at 30 degrees incidence
_SEA_HH_DB_PER_DEGREE = -0.45  # the sea darkens as the incidence angle grows
_SEA_HV_DB_AT_30 = -24.5
_SEA_HV_DB_PER_DEGREE = -0.15
_SEA_LOOKS = 4.4  # equivalent number of looks of Sentinel-1 GRD: the speckle's strength

_SHIP: dict[str, Any] = {
    "major_px": (1.9, 0.4),  # lognormal median, sigma of the long axis's Gaussian width
    "aspect": (1.5, 3.8),  # uniform range of long/short axis
    "hh_db": (16.0, 5.5),  # normal mean, std of the HH peak contrast
    "hv_minus_hh_db": (-0.5, 3.5),  # HV contrast relative to the HH contrast
    "looks": 12.0,  # hard targets fade little
}
_ICEBERG: dict[str, Any] = {
    "major_px": (2.7, 0.4),
    "aspect": (1.0, 2.0),
    "hh_db": (12.0, 4.5),
    "hv_minus_hh_db": (-4.5, 3.5),
    "looks": 3.0,  # distributed scattering: strongly textured
}
_NA_SHIP_SHARE = 0.9  # in the real data every "na" angle belongs to a ship; here nearly every one


@dataclass
class _Chips:
    ids: list[str]
    band_1: npt.NDArray[np.float64]  # (n, SIZE, SIZE), rounded to 4 decimals
    band_2: npt.NDArray[np.float64]
    angle: npt.NDArray[np.float64]
    angle_missing: npt.NDArray[np.bool_]
    label: npt.NDArray[np.int64]


def _col(values: npt.NDArray[Any]) -> FloatArray:
    """Per-chip values as float32 of shape (..., n, 1, 1), to broadcast over the chips' pixels."""
    return np.asarray(values, dtype=np.float32)[..., None, None]


def _db(linear: FloatArray) -> FloatArray:
    return np.asarray(np.float32(10) * np.log10(np.maximum(linear, np.float32(1e-12))), dtype=np.float32)


def _linear(db: FloatArray) -> FloatArray:
    return np.asarray(np.power(np.float32(10), db / np.float32(10)), dtype=np.float32)


def _simulate(n: int, seed: int, na_fraction: float) -> _Chips:
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= na_fraction <= 1.0:
        raise ValueError(f"na_fraction must be within [0, 1], got {na_fraction}")
    rng = np.random.default_rng(seed)

    ids = [f"{int(v):08x}" for v in rng.choice(2**32, size=n, replace=False)]
    label = np.zeros(n, dtype=np.int64)
    label[rng.permutation(n)[: round(ICEBERG_FRACTION * n)]] = 1
    ship = label == 0

    angle = (30.0 + 16.0 * rng.beta(2.5, 1.8, n)).round(4)  # 30..46 degrees, mean 39.3 like the real data
    angle_missing = np.zeros(n, dtype=bool)
    n_na = min(round(na_fraction * n), n)
    if n_na:
        weight = np.where(ship, _NA_SHIP_SHARE / max(ship.sum(), 1), (1 - _NA_SHIP_SHARE) / max((~ship).sum(), 1))
        angle_missing[rng.choice(n, size=n_na, replace=False, p=weight / weight.sum())] = True

    # Sea clutter: a level per chip set by the angle and the wind, a gentle ramp across the chip, speckle.
    wind = rng.normal(0.0, 1.5, n)
    hh_sea = _SEA_HH_DB_AT_30 + _SEA_HH_DB_PER_DEGREE * (angle - 30.0) + wind
    hv_sea = _SEA_HV_DB_AT_30 + _SEA_HV_DB_PER_DEGREE * (angle - 30.0) + 0.4 * wind + rng.normal(0.0, 0.7, n)
    offsets = np.arange(SIZE, dtype=np.float32) - np.float32((SIZE - 1) / 2)
    yy, xx = np.meshgrid(offsets, offsets, indexing="ij")  # pixel offsets from the centre
    ramp_x, ramp_y = _col(rng.normal(0.0, 0.5 / SIZE, (2, n)))  # up to about 1 dB across the chip
    ramp = ramp_x * xx + ramp_y * yy

    # Targets: shape and brightness drawn per class from overlapping distributions.
    def per_class(key: str, draw: Any) -> npt.NDArray[np.float64]:
        return np.asarray(np.where(ship, draw(_SHIP[key]), draw(_ICEBERG[key])), dtype=np.float64)

    major = per_class("major_px", lambda p: rng.lognormal(math.log(p[0]), p[1], n))
    aspect = per_class("aspect", lambda p: rng.uniform(p[0], p[1], n))
    minor = np.maximum(major / aspect, 0.6)
    hh_contrast = np.maximum(per_class("hh_db", lambda p: rng.normal(p[0], p[1], n)), 2.0)
    hv_contrast = np.maximum(hh_contrast + per_class("hv_minus_hh_db", lambda p: rng.normal(p[0], p[1], n)), 0.0)
    theta = rng.uniform(0.0, math.pi, n)
    cy, cx = np.clip(rng.normal(0.0, 2.5, (2, n)), -8.0, 8.0)
    cos, sin = _col(np.cos(theta)), _col(np.sin(theta))

    def blob(dy: npt.NDArray[np.float64], dx: npt.NDArray[np.float64], scale: float) -> FloatArray:
        """Rotated Gaussians of peak 1 centred at (cy + dy, cx + dx), widths (major, minor) * scale."""
        y, x = yy - _col(cy + dy), xx - _col(cx + dx)
        u = (x * cos + y * sin) / _col(major * scale)
        v = (y * cos - x * sin) / _col(minor * scale)
        return np.asarray(np.exp(np.float32(-0.5) * (u * u + v * v)), dtype=np.float32)

    zero = np.zeros(n)
    shape = blob(zero, zero, 1.0)
    # Icebergs: lumps around the main body make them irregular and diffuse.
    for _ in range(2):
        direction = rng.uniform(0.0, 2 * math.pi, n)
        reach = major * rng.uniform(0.4, 1.0, n)
        weight = rng.uniform(0.3, 0.7, n) * ~ship
        shape += _col(weight) * blob(reach * np.sin(direction), reach * np.cos(direction), 0.8)
    shape /= shape.reshape(n, PIXELS).max(axis=1)[:, None, None]
    # Ships: the point-target response leaks range/azimuth sidelobes along the image axes, about -13 dB.
    y0, x0 = yy - _col(cy), xx - _col(cx)
    tail = _col(rng.uniform(2.0, 5.0, n))
    cross = np.exp(-np.abs(x0) / tail - 2 * y0 * y0) + np.exp(-np.abs(y0) / tail - 2 * x0 * x0)
    shape += _col(0.05 * ship) * cross
    looks = _col(np.where(ship, _SHIP["looks"], _ICEBERG["looks"]))

    def band(sea_db: npt.NDArray[np.float64], contrast_db: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        speckle = rng.standard_gamma(_SEA_LOOKS, (n, SIZE, SIZE), dtype=np.float32) / np.float32(_SEA_LOOKS)
        sea = _linear(_col(sea_db) + ramp) * speckle
        fading = rng.standard_gamma(np.broadcast_to(looks, (n, SIZE, SIZE))).astype(np.float32) / looks
        target = _linear(_col(sea_db + contrast_db)) * shape * fading
        return _db(sea + target).astype(np.float64).round(4)

    return _Chips(
        ids=ids,
        band_1=band(hh_sea, hh_contrast),
        band_2=band(hv_sea, hv_contrast),
        angle=angle,
        angle_missing=angle_missing,
        label=label,
    )


def generate(n: int = 1604, seed: int = 42, na_fraction: float = 0.083) -> list[dict[str, Any]]:
    """Synthetic records in exactly the Kaggle ``train.json`` format; the same seed gives the same records.

    About 47% icebergs; ``na_fraction`` of the records (nearly all ships) have ``"inc_angle": "na"``.

    Example::

        records = generate(n=10, seed=0)
        records[0].keys()   # id, band_1, band_2, inc_angle, is_iceberg
    """
    chips = _simulate(n, seed, na_fraction)
    b1 = chips.band_1.reshape(n, PIXELS)
    b2 = chips.band_2.reshape(n, PIXELS)
    return [
        {
            "id": chips.ids[i],
            "band_1": b1[i].tolist(),
            "band_2": b2[i].tolist(),
            "inc_angle": "na" if chips.angle_missing[i] else float(chips.angle[i]),
            "is_iceberg": int(chips.label[i]),
        }
        for i in range(n)
    ]


def write(path: str | os.PathLike[str], n: int = 1604, seed: int = 42, na_fraction: float = 0.083) -> Path:
    """Write :func:`generate`'s records as a Kaggle-style JSON file (atomically) and return its path.

    Example::

        write("train.json", n=1604, seed=42)    # about 160 MB of JSON
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    records = generate(n=n, seed=seed, na_fraction=na_fraction)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            # One json.dumps per record: the C encoder, many times faster than json.dump's Python one.
            out.write("[")
            for i, record in enumerate(records):
                out.write(("," if i else "") + json.dumps(record, separators=(",", ":")))
            out.write("]")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _check_band(value: Any, where: str, field: str) -> FloatArray:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ValueError(f"{where}: field {field!r} must be a list of {PIXELS} numbers, got {type(value).__name__}")
    if len(value) != PIXELS:
        raise ValueError(f"{where}: field {field!r} has {len(value)} values, expected {PIXELS} ({SIZE}x{SIZE})")
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: field {field!r} must hold only numbers ({err})") from None
    if array.shape != (PIXELS,):
        raise ValueError(f"{where}: field {field!r} must be a flat list of {PIXELS} numbers")
    return array


def _check_angle(value: Any, where: str) -> float:
    if value is None or value == "na":
        return math.nan
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where}: field 'inc_angle' must be a number or \"na\", got {value!r}")
    return float(value)


def _check_label(value: Any, where: str) -> int:
    if isinstance(value, numbers.Real) and value in (0, 1):
        return 1 if value == 1 else 0
    raise ValueError(f"{where}: field 'is_iceberg' must be 0 or 1, got {value!r}")


def _frame(records: Any, source: str) -> pd.DataFrame:
    if not isinstance(records, list):
        raise ValueError(f"{source}: expected a JSON list of records, got {type(records).__name__}")
    labelled = bool(records) and isinstance(records[0], Mapping) and "is_iceberg" in records[0]
    required = ("id", *BANDS, "inc_angle", *(("is_iceberg",) if labelled else ()))
    columns: dict[str, list[Any]] = {name: [] for name in required}
    for i, record in enumerate(records):
        where = f"{source}: record {i}"
        if not isinstance(record, Mapping):
            raise ValueError(f"{where}: expected an object, got {type(record).__name__}")
        if "id" in record:
            where += f" (id {record['id']!r})"
        missing = [name for name in required if name not in record]
        if missing:
            raise ValueError(f"{where}: missing field(s) {', '.join(map(repr, missing))}")
        if not labelled and "is_iceberg" in record:
            raise ValueError(f"{where}: has 'is_iceberg' but record 0 has not; label all records or none")
        columns["id"].append(str(record["id"]))
        for name in BANDS:
            columns[name].append(_check_band(record[name], where, name))
        columns["inc_angle"].append(_check_angle(record["inc_angle"], where))
        if labelled:
            columns["is_iceberg"].append(_check_label(record["is_iceberg"], where))
    frame = pd.DataFrame(
        {
            "id": pd.Series(columns["id"], dtype=object),
            **{name: pd.Series(columns[name], dtype=object) for name in BANDS},
            "inc_angle": pd.Series(columns["inc_angle"], dtype=np.float64),
        }
    )
    if labelled:
        frame["is_iceberg"] = pd.Series(columns["is_iceberg"], dtype=np.int64)
    return frame


def load(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Kaggle ``train.json`` or ``test.json`` into a DataFrame.

    Columns: ``id`` (str), ``band_1`` and ``band_2`` (a float32 array of 5625 values per row), ``inc_angle``
    (float, NaN where the file says ``"na"``) and, for ``train.json``, ``is_iceberg`` (int). A file of the
    wrong shape raises a ``ValueError`` that names the record and the field.

    Example::

        df = load("train.json")
        df.band_1[0].reshape(75, 75)      # the first chip's HH band, in dB
    """
    source = os.fspath(path)
    with open(source, encoding="utf-8") as f:
        try:
            records = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f"{source}: not a JSON file ({err})") from None
    return _frame(records, source)


def synthetic_frame(n: int = 1604, seed: int = 42, na_fraction: float = 0.083) -> pd.DataFrame:
    """What ``load(write(path, n, seed))`` returns, without the JSON file in between.

    Example::

        df = synthetic_frame(n=200, seed=1)
        df.is_iceberg.mean()     # about 0.47
    """
    chips = _simulate(n, seed, na_fraction)
    frame = pd.DataFrame(
        {
            "id": pd.Series(chips.ids, dtype=object),
            **{
                name: pd.Series(list(getattr(chips, name).reshape(n, PIXELS).astype(np.float32)), dtype=object)
                for name in BANDS
            },
            "inc_angle": pd.Series(np.where(chips.angle_missing, np.nan, chips.angle), dtype=np.float64),
        }
    )
    frame["is_iceberg"] = pd.Series(chips.label, dtype=np.int64)
    return frame


def _stack(df: pd.DataFrame, column: str) -> FloatArray:
    if column not in df.columns:
        raise ValueError(f"the frame has no column {column!r} (columns: {', '.join(map(str, df.columns))})")
    if len(df) == 0:
        return np.zeros((0, PIXELS), dtype=np.float32)
    return np.stack([np.asarray(v, dtype=np.float32).reshape(PIXELS) for v in df[column]])


def add_band_avg(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with ``band_avg`` = (band_1 + band_2) / 2 per row, float32 (the ExtremeEarth step).

    Example::

        df = add_band_avg(load("train.json"))
    """
    out = df.copy()
    avg = (_stack(df, "band_1") + _stack(df, "band_2")) / np.float32(2)
    out["band_avg"] = pd.Series(list(avg), index=df.index, dtype=object)
    return out


def split(df: pd.DataFrame, test_fraction: float = 0.2, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle and split into (train, test); the same seed gives the same split. Rows keep their index.

    Example::

        train_df, test_df = split(df, test_fraction=0.2, seed=42)    # 80% / 20%
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(df))
    n_test = round(len(df) * test_fraction)
    return df.iloc[order[n_test:]], df.iloc[order[:n_test]]


def to_arrays(df: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """``(X, y)``: X float32 of shape (n, 75, 75, 3) stacking band_1, band_2, band_avg; y float32 labels.

    ``band_avg`` is computed when the frame lacks it. Without an ``is_iceberg`` column (``test.json``),
    y is all NaN.

    Example::

        X, y = to_arrays(add_band_avg(synthetic_frame(n=100)))
        X.shape     # (100, 75, 75, 3)
    """
    b1, b2 = _stack(df, "band_1"), _stack(df, "band_2")
    avg = _stack(df, "band_avg") if "band_avg" in df.columns else (b1 + b2) / np.float32(2)
    x = np.stack([b1, b2, avg], axis=-1).reshape(len(df), SIZE, SIZE, 3)
    if "is_iceberg" in df.columns:
        y = df["is_iceberg"].to_numpy(dtype=np.float32)
    else:
        y = np.full(len(df), np.nan, dtype=np.float32)
    return x.astype(np.float32, copy=False), y
