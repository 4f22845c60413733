"""The synthetic ship-vs-iceberg data: Kaggle schema, determinism, loading, preprocessing, learnable signal."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops.datasets import iceberg

N = 300


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return iceberg.generate(n=N, seed=7)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return iceberg.synthetic_frame(n=N, seed=7)


def test_records_have_the_kaggle_schema(records: list[dict[str, Any]]) -> None:
    assert len(records) == N
    for r in records:
        assert set(r) == {"id", "band_1", "band_2", "inc_angle", "is_iceberg"}
        assert isinstance(r["id"], str) and len(r["id"]) == 8
        int(r["id"], 16)
        for band in ("band_1", "band_2"):
            assert isinstance(r[band], list) and len(r[band]) == 5625
            assert all(type(v) is float for v in r[band][:50])
        assert r["inc_angle"] == "na" or (type(r["inc_angle"]) is float and 30.0 <= r["inc_angle"] <= 46.0)
        assert type(r["is_iceberg"]) is int and r["is_iceberg"] in (0, 1)
    assert len({r["id"] for r in records}) == N
    json.dumps(records[:3])  # plain Python types only


def test_class_balance_and_missing_angles_look_like_the_real_data(records: list[dict[str, Any]]) -> None:
    labels = np.array([r["is_iceberg"] for r in records])
    assert abs(labels.mean() - 0.47) < 0.03
    na = np.array([r["inc_angle"] == "na" for r in records])
    assert 0.04 < na.mean() < 0.12
    assert labels[na].mean() < 0.3  # "na" angles belong (mostly) to ships, as in train.json


def test_backscatter_is_in_decibels(frame: pd.DataFrame) -> None:
    hh, hv = np.stack(frame.band_1), np.stack(frame.band_2)
    assert np.isfinite(hh).all() and np.isfinite(hv).all()
    assert -60 < hh.min() < hh.max() < 40 and -60 < hv.min() < hv.max() < 40
    assert -24 < np.median(hh) < -17  # sea clutter, like the real band_1 (mean about -20.6 dB)
    assert np.median(hv) < np.median(hh) - 3  # cross-pol is darker


def test_sea_darkens_with_the_incidence_angle() -> None:
    df = iceberg.synthetic_frame(n=400, seed=3).dropna(subset=["inc_angle"])
    sea = np.array([np.median(b) for b in df.band_1])
    assert np.corrcoef(df.inc_angle, sea)[0, 1] < -0.5


def test_ships_are_brighter_in_hv_at_their_peak_than_icebergs(frame: pd.DataFrame) -> None:
    hv = np.stack(frame.band_2).reshape(-1, 75, 75)
    centre = hv[:, 25:50, 25:50].reshape(len(frame), -1)
    sea = np.median(hv.reshape(len(frame), -1), axis=1)
    peak = centre.max(axis=1) - sea
    ships, bergs = peak[frame.is_iceberg == 0], peak[frame.is_iceberg == 1]
    assert ships.mean() > bergs.mean() + 3.0
    # ...but the classes overlap: the data is learnable, not trivially separable.
    assert (bergs > np.median(ships)).mean() > 0.05


def test_same_seed_same_records_other_seed_other_records() -> None:
    a, b, c = iceberg.generate(n=12, seed=5), iceberg.generate(n=12, seed=5), iceberg.generate(n=12, seed=6)
    assert a == b
    assert a != c
    assert [r["id"] for r in a] != [r["id"] for r in c]


def test_write_then_load_round_trips(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = iceberg.write(tmp_path / "train.json", n=N, seed=7)
    assert json.loads(path.read_text())[0]["id"] == frame.id[0]
    df = iceberg.load(path)
    assert list(df.columns) == ["id", "band_1", "band_2", "inc_angle", "is_iceberg"]
    assert len(df) == N
    assert df.band_1[0].dtype == np.float32 and df.band_1[0].shape == (5625,)
    assert df.inc_angle.dtype == np.float64 and df.is_iceberg.dtype == np.int64
    na = [r["inc_angle"] == "na" for r in json.loads(path.read_text())]
    assert df.inc_angle.isna().tolist() == na
    # synthetic_frame is exactly what loading the written file gives
    for column in ("band_1", "band_2"):
        assert all(np.array_equal(x, y) for x, y in zip(df[column], frame[column], strict=True))
    pd.testing.assert_frame_equal(df[["id", "inc_angle", "is_iceberg"]], frame[["id", "inc_angle", "is_iceberg"]])


def test_load_accepts_test_json_without_labels(tmp_path: Path) -> None:
    records = iceberg.generate(n=4, seed=1)
    for r in records:
        del r["is_iceberg"]
    path = tmp_path / "test.json"
    path.write_text(json.dumps(records))
    df = iceberg.load(path)
    assert list(df.columns) == ["id", "band_1", "band_2", "inc_angle"]
    X, y = iceberg.to_arrays(df)
    assert X.shape == (4, 75, 75, 3) and np.isnan(y).all()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rs: rs[1].pop("band_2"), r"record 1 \(id '[0-9a-f]{8}'\): missing field\(s\) 'band_2'"),
        (lambda rs: rs[2].__setitem__("band_1", rs[2]["band_1"][:5000]), r"record 2 .*'band_1' has 5000 values"),
        (lambda rs: rs[0].__setitem__("inc_angle", "forty"), r"record 0 .*'inc_angle' must be a number or \"na\""),
        (lambda rs: rs[0].__setitem__("is_iceberg", 2), r"record 0 .*'is_iceberg' must be 0 or 1"),
        (lambda rs: rs[1].pop("is_iceberg"), r"record 1 .*missing field\(s\) 'is_iceberg'"),
        (lambda rs: rs[1]["band_2"].__setitem__(7, "x"), r"record 1 .*'band_2' must hold only numbers"),
    ],
)
def test_load_rejects_a_malformed_file_naming_record_and_field(tmp_path: Path, mutate: Any, message: str) -> None:
    records = iceberg.generate(n=3, seed=2)
    mutate(records)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    with pytest.raises(ValueError, match=message):
        iceberg.load(path)


def test_load_rejects_files_that_are_not_a_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"band_1": []}')
    with pytest.raises(ValueError, match="expected a JSON list of records"):
        iceberg.load(path)
    path.write_text("[{")
    with pytest.raises(ValueError, match="not a JSON file"):
        iceberg.load(path)


def test_add_band_avg_is_the_mean_of_the_bands(frame: pd.DataFrame) -> None:
    df = iceberg.add_band_avg(frame)
    assert "band_avg" not in frame.columns  # a copy
    for b1, b2, avg in zip(df.band_1, df.band_2, df.band_avg, strict=True):
        assert avg.dtype == np.float32
        np.testing.assert_allclose(avg, (b1 + b2) / 2, rtol=1e-6)


def test_split_is_reproducible_and_80_20(frame: pd.DataFrame) -> None:
    train, test = iceberg.split(frame, test_fraction=0.2, seed=42)
    assert (len(train), len(test)) == (240, 60)
    assert set(train.id).isdisjoint(test.id) and set(train.id) | set(test.id) == set(frame.id)
    again, _ = iceberg.split(frame, seed=42)
    assert again.id.tolist() == train.id.tolist()
    other, _ = iceberg.split(frame, seed=1)
    assert other.id.tolist() != train.id.tolist()
    with pytest.raises(ValueError, match="test_fraction"):
        iceberg.split(frame, test_fraction=1.0)


def test_to_arrays_stacks_the_three_bands(frame: pd.DataFrame) -> None:
    df = iceberg.add_band_avg(frame.head(10))
    X, y = iceberg.to_arrays(df)
    assert X.shape == (10, 75, 75, 3) and X.dtype == np.float32
    assert y.shape == (10,) and y.dtype == np.float32 and set(y) <= {0.0, 1.0}
    np.testing.assert_array_equal(X[3, :, :, 0], df.band_1.iloc[3].reshape(75, 75))
    np.testing.assert_array_equal(X[3, :, :, 1], df.band_2.iloc[3].reshape(75, 75))
    np.testing.assert_array_equal(X[3, :, :, 2], df.band_avg.iloc[3].reshape(75, 75))
    X2, _ = iceberg.to_arrays(frame.head(10))  # band_avg computed when missing
    np.testing.assert_array_equal(X, X2)
    empty, y0 = iceberg.to_arrays(df.iloc[:0])
    assert empty.shape == (0, 75, 75, 3) and y0.shape == (0,)


def test_generate_handles_small_and_empty_sets() -> None:
    assert iceberg.generate(n=0) == []
    one = iceberg.generate(n=1, seed=0)
    assert len(one) == 1 and not math.isnan(sum(one[0]["band_1"]))


def test_importing_the_datasets_and_the_example_does_not_import_tensorflow() -> None:
    code = (
        "import sys, jhops.datasets, jhops.examples.iceberg_cnn; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
