"""Input drift in monitoring reports: tabular features and image bands against a training dataset, a frame, an
array or stored statistics; how inputs map to features; and what is not flagged."""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops.datasets import iceberg
from jhops.project import Project
from jhops.serving import monitoring
from jhops.serving.monitoring import MonitoringError, monitor_frame
from tests.serving.monitoring.inference_logs import FEATURES, batches, chips, log_frame, tabular


def test_tabular_drift_is_found_on_the_shifted_feature_only(sensors_td: Any) -> None:
    calm = monitor_frame(log_frame(batches(tabular(600, seed=2), 10)), sensors_td)
    assert [f.name for f in calm.drift] == FEATURES  # the primary key and the label are not features
    assert calm.drifted == [] and all(f.method == "data" for f in calm.drift)
    assert all(f.psi is not None and f.psi < 0.1 for f in calm.drift)
    assert calm.reference == {"source": "training_dataset", "name": "sensors_td", "version": 1, "split": "train",
                              "method": "data", "rows": 640}
    shifted = monitor_frame(log_frame(batches(tabular(600, seed=3, shift=2.0), 10)), sensors_td)
    assert shifted.drifted == ["x1"]
    x1 = next(f for f in shifted.drift if f.name == "x1")
    assert x1.psi_flag and x1.ks_flag and x1.psi is not None and x1.psi > 0.2 and x1.ks is not None and x1.ks > 0.3
    assert x1.live_mean == pytest.approx(7.0, abs=0.3) and x1.reference_mean == pytest.approx(5.0, abs=0.3)
    assert len(x1.histogram["reference"]) == len(x1.histogram["live"]) == len(x1.histogram["edges"]) - 1
    assert "DRIFT against sensors_td v1 (train): x1 (PSI" in shifted.summary()
    assert "no drift against sensors_td v1 (train) in 4 features" in calm.summary()


def test_a_frame_or_an_array_as_reference_and_named_features() -> None:
    train = pd.DataFrame(tabular(500, seed=4), columns=FEATURES).assign(label=1)
    live = log_frame(batches(tabular(300, seed=5, shift=2.0)[:, [1, 0]], 10))  # the model takes x1, x0
    report = monitor_frame(live, train, features=["x1", "x0"], label="label")
    assert report.drifted == ["x1"] and [f.name for f in report.drift] == ["x1", "x0"]
    as_array = monitor_frame(live, tabular(500, seed=4)[:, [1, 0]])
    assert as_array.drifted == ["x0"]  # an array reference names its columns x0, x1, ... in the input's order
    with pytest.raises(MonitoringError, match=r"features=\[\.\.\.\] \(2 names\)"):
        monitor_frame(live, train, label="label")
    with pytest.raises(MonitoringError, match="not numeric columns"):
        monitor_frame(live, train, features=["x1", "nope"], label="label")
    noted = monitor_frame(live, train, label="label", drift_errors="note")
    assert noted.requests == 30 and noted.drift == [] and "features=[...]" in (noted.drift_note or "")


def test_too_few_live_values_are_not_flagged(sensors_td: Any) -> None:
    report = monitor_frame(log_frame(batches(tabular(10, seed=6, shift=5.0), 5)), sensors_td)
    assert report.drifted == [] and all(f.note and "only 10 live values" in f.note for f in report.drift)


def test_image_band_drift_on_per_chip_summaries(chips_td: Any) -> None:
    calm = monitor_frame(log_frame(batches(chips(160, seed=7), 8)), chips_td)
    names = [f"{band}.{s}" for band in ("band_1", "band_2", "band_avg") for s in ("mean", "std", "min", "max")]
    assert [f.name for f in calm.drift] == names and calm.drifted == []
    shifted = monitor_frame(log_frame(batches(chips(160, seed=7, band_1_db=3.0), 8)), chips_td)
    assert {"band_1.mean", "band_1.min"} <= set(shifted.drifted)
    assert all(name.startswith("band_1.") for name in shifted.drifted)
    mean = next(f for f in shifted.drift if f.name == "band_1.mean")
    assert mean.column == "band_1" and mean.statistic == "mean"
    assert mean.live_mean is not None and mean.reference_mean is not None
    assert mean.live_mean - mean.reference_mean == pytest.approx(3.0, abs=0.5)


def test_image_channels_first_and_named_channels(chips_td: Any) -> None:
    x = chips(120, seed=8, band_1_db=3.0)
    first = np.moveaxis(x, -1, 1)  # (n, 3, 75, 75), as a PyTorch model takes it
    assert all(n.startswith("band_1.") for n in monitor_frame(log_frame(batches(first, 8)), chips_td).drifted)
    # a two-band model names its channels; here they arrive as band_2 then band_1
    swapped = x[..., [1, 0]]
    report = monitor_frame(log_frame(batches(swapped, 8)), chips_td, features=["band_2", "band_1"])
    assert report.drifted and all(n.startswith("band_1.") for n in report.drifted)
    with pytest.raises(MonitoringError, match="channel order with features"):
        monitor_frame(log_frame(batches(swapped, 8)), chips_td)


def test_image_drift_from_stored_statistics_when_the_split_is_gone(root: str, chips_td: Any) -> None:
    stats = Project(root).get_feature_store().get_feature_group("chips").statistics()
    shifted = monitor_frame(log_frame(batches(chips(160, seed=9, band_1_db=3.0), 8)), stats, label=["is_iceberg"])
    assert shifted.reference is not None and shifted.reference["method"] == "statistics"
    assert [f.name for f in shifted.drift] == ["band_1.mean", "band_2.mean", "band_avg.mean"]
    assert shifted.drifted == ["band_1.mean"] and all(f.method == "histogram" for f in shifted.drift)
    assert shifted.drift_note is not None and "nothing to compare band_1.std" in shifted.drift_note


def test_a_model_of_chip_summaries_names_them(chips_td: Any) -> None:
    # The registry guide's iceberg-sk: the mean dB of each band and the incidence angle per chip.
    frame = iceberg.synthetic_frame(n=120, seed=19)
    x, _ = iceberg.to_arrays(frame)
    summaries = np.column_stack([x[..., 0].reshape(120, -1).mean(axis=1) + 3.0,
                                 x[..., 1].reshape(120, -1).mean(axis=1), frame.inc_angle.fillna(39.0)])
    log = log_frame(batches(summaries, 6))
    with pytest.raises(MonitoringError, match=r"3 value\(s\) per instance.*features=\[\.\.\.\]"):
        monitor_frame(log, chips_td)
    report = monitor_frame(log, chips_td, features=["band_1.mean", "band_2.mean", "inc_angle"])
    assert report.drifted == ["band_1.mean"]


def test_named_inputs_map_by_name(chips_td: Any) -> None:
    x = chips(80, seed=10, band_1_db=3.0)
    named = [{"band_1": b[..., 0], "band_2": b[..., 1], "inc_angle": np.full(len(b), 39.0)}
             for b in batches(x, 8)]
    report = monitor_frame(log_frame(named), chips_td)
    assert {f.column for f in report.drift} == {"band_1", "band_2", "inc_angle"}
    assert "band_1.mean" in report.drifted and "inc_angle" in report.drifted  # all 39.0: drifted indeed
    # V1 instances as JSON objects map by name too (a text field is left out)
    rows = tabular(300, seed=17, shift=2.0)
    objects = [[{"x1": float(r[1]), "x0": float(r[0]), "note": "hi"} for r in batch] for batch in batches(rows, 10)]
    by_name = monitor_frame(log_frame(objects), pd.DataFrame(tabular(500, seed=4), columns=FEATURES))
    assert [f.name for f in by_name.drift] == ["x1", "x0"] and by_name.drifted == ["x1"]


def test_training_dataset_files_gone_falls_back_to_stored_statistics(root: str, sensors_td: Any) -> None:
    fs = Project(root).get_feature_store()
    fg = fs.get_feature_group("sensors")
    td = fs.create_training_dataset("sensors_gone", fg, splits={"train": 1.0}, label=["label"])
    shutil.rmtree(td.location)
    profile = monitoring.training_dataset_profile(td)
    assert profile.method == "statistics" and profile.source["source"] == "feature_group_statistics"
    assert profile.source["feature_groups"] == [{"name": "sensors", "version": 1, "commit": 0}]
    assert profile.scalars == FEATURES  # the primary key and the label stay out here too
    report = monitor_frame(log_frame(batches(tabular(600, seed=3, shift=2.0), 10)), profile)
    assert report.drifted == ["x1"]
