"""Monitoring: traffic, latency and error numbers of an inference log, predictions over time, and input drift
against the training dataset, for tabular inputs and for image bands, from a log frame and from a deployment."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jhops import models, serving
from jhops.datasets import iceberg
from jhops.project import Project
from jhops.serving import monitoring
from jhops.serving.inference_log import InferenceRecord, ParquetSink
from jhops.serving.monitoring import MonitoringError, monitor, monitor_frame

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
FEATURES = ["x0", "x1", "x2", "x3"]

SCORER = '''
import numpy as np


class Scorer:
    """The logistic of the sum of an instance's values: a probability per instance."""

    def predict(self, inputs):
        batch = np.asarray(inputs, dtype="float64").reshape(len(inputs), -1)
        return (1 / (1 + np.exp(-batch.sum(axis=1)))).astype("float32")
'''


def _tabular(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """``n`` rows of the four features: x0..x2 normal with different scales, x3 uniform; ``shift`` moves x1."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(0, 1, n), rng.normal(5, 2, n) + shift, rng.normal(-3, 0.5, n),
                         rng.uniform(0, 1, n)])
    return x.astype("float32")


def _log(batches: Sequence[Any], predictions: Sequence[Any] | None = None, start: float = T0, step: float = 1.0,
         status: Sequence[int] | None = None, latency: Sequence[float] | None = None,
         errors: Sequence[str | None] | None = None) -> pd.DataFrame:
    """A log frame as ``read_log`` gives it: one row per request, ``step`` seconds apart."""
    rows = []
    for i, batch in enumerate(batches):
        rows.append({"request_id": f"r{i}", "timestamp": pd.Timestamp(start + i * step, unit="s", tz="UTC"),
                     "latency_ms": latency[i] if latency is not None else 2.0, "deployment": "d",
                     "model_name": "m", "model_version": 1, "protocol": "v2",
                     "status_code": status[i] if status is not None else 200,
                     "error": errors[i] if errors is not None else None,
                     "n_instances": len(batch) if batch is not None else 1, "inputs": batch,
                     "predictions": predictions[i] if predictions is not None else None})
    columns = ["request_id", "timestamp", "latency_ms", "deployment", "model_name", "model_version", "protocol",
               "status_code", "error", "n_instances", "inputs", "predictions"]
    return pd.DataFrame(rows, columns=columns)


def _batches(x: np.ndarray, size: int) -> list[np.ndarray]:
    return [x[i:i + size] for i in range(0, len(x), size)]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A project shared by the module: a tabular and an image training dataset, and models trained on them."""
    path = str(tmp_path_factory.mktemp("monitoring") / "project")
    fs = Project(path).get_feature_store()
    x = _tabular(800, seed=1)
    rows = pd.DataFrame(x, columns=FEATURES)
    rows.insert(0, "id", np.arange(len(rows)))  # a numeric primary key: not a feature, never mapped to inputs
    rows["label"] = (rows.x0 > 0).astype("int64")
    fg = fs.create_feature_group("sensors", primary_key=["id"])
    fg.insert(rows)
    fs.create_training_dataset("sensors_td", fg, splits={"train": 0.8, "test": 0.2}, label=["label"])
    chips = iceberg.add_band_avg(iceberg.synthetic_frame(n=240, seed=1))
    chips["inc_angle"] = chips["inc_angle"].fillna(39.0)
    bands = fs.create_feature_group("chips", primary_key=["id"])
    bands.insert(chips)
    fs.create_training_dataset("chips_td", bands, splits={"train": 0.8, "test": 0.2}, label=["is_iceberg"])
    scorer = Path(path).parent / "scorer.py"
    scorer.write_text(SCORER)
    models.export(str(scorer), "scorer", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 4), "float32"), training_dataset="sensors_td", project=path)
    models.export(str(scorer), "chip-scorer", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 75, 75, 3), "float32"), training_dataset="chips_td", project=path)
    models.export(str(scorer), "untracked", framework="python", predictor_class="Scorer",
                  input_example=np.zeros((2, 4), "float32"), project=path)
    yield path
    monitoring.clear_cache()


@pytest.fixture(scope="module")
def sensors_td(root: str) -> Any:
    return Project(root).get_feature_store().get_training_dataset("sensors_td")


@pytest.fixture(scope="module")
def chips_td(root: str) -> Any:
    return Project(root).get_feature_store().get_training_dataset("chips_td")


# --- traffic ----------------------------------------------------------------------------------------------


def test_latency_percentiles_and_error_rate() -> None:
    n = 100
    status = [500 if i in (3, 50, 77) else 200 for i in range(n)]
    errors = ["predictor raised" if i in (3, 50, 77, 90) else None for i in range(n)]  # 90: an error with a 200
    log = _log([np.zeros((1, 4))] * n, latency=[float(i + 1) for i in range(n)], status=status, errors=errors)
    report = monitor_frame(log)
    assert report.requests == 100 and report.instances == 100
    assert report.latency_ms["p50"] == pytest.approx(50.5)
    assert report.latency_ms["p95"] == pytest.approx(95.05)
    assert report.latency_ms["p99"] == pytest.approx(99.01)
    assert report.latency_ms["max"] == 100.0
    assert report.errors == 4 and report.error_rate == pytest.approx(0.04)
    assert report.status_codes == {"200": 97, "500": 3}
    lines = report.summary()
    assert "errors: 4 (4.0%)" in lines and "p50 50.5 ms, p95 95.0 ms, p99 99.0 ms" in lines


def test_request_rate_over_the_window_and_in_buckets() -> None:
    times = [T0 + i for i in range(10)] + [T0 + 10 + i / 3 for i in range(30)]  # 1/s, then 3/s
    log = _log([np.zeros((2, 4))] * 40)
    log["timestamp"] = pd.to_datetime(times, unit="s", utc=True)
    report = monitor_frame(log, since=T0, until=T0 + 20, bucket_s=10)
    assert report.rate_per_s == pytest.approx(2.0) and report.instances == 80
    assert [b["requests"] for b in report.buckets] == [10, 30]
    assert [b["rate_per_s"] for b in report.buckets] == pytest.approx([1.0, 3.0])
    assert report.buckets[1]["start"] == "2026-01-01T00:00:10+00:00"
    # the window cuts requests out, and ISO text or datetimes work as bounds
    until = dt.datetime(2026, 1, 1, 0, 0, 15, tzinfo=dt.timezone.utc)
    late = monitor_frame(log, since="2026-01-01T00:00:10", until=until)
    assert late.requests == 16
    # without bounds the window spans the requests, and every bucket counts a whole bucket's time
    even = monitor_frame(_log([np.zeros((1, 4))] * 30, step=2.0), bucket_s=10)
    assert [b["rate_per_s"] for b in even.buckets] == [0.5] * 6
    # without a bucket size, the window gets at most 60 buckets of a round size
    assert monitor_frame(log).bucket_s == 1.0
    assert monitoring.choose_bucket(3600) == 60.0 and monitoring.choose_bucket(0) == 1.0


def test_bucket_errors_and_latency_follow_time() -> None:
    log = _log([np.zeros((1, 4))] * 20, latency=[1.0] * 10 + [9.0] * 10, status=[200] * 10 + [503] * 10)
    first, second = monitor_frame(log, bucket_s=10).buckets
    assert (first["error_rate"], second["error_rate"]) == (0.0, 1.0)
    assert (first["latency_ms"]["p99"], second["latency_ms"]["p50"]) == (1.0, 9.0)


def test_prediction_distribution_over_time() -> None:
    probs = [np.full((5, 1), 0.2, "float32")] * 10 + [np.full((5, 1), 0.8, "float32")] * 10
    report = monitor_frame(_log([np.zeros((5, 4))] * 20, probs), bucket_s=10)
    pred = report.predictions
    assert pred["kind"] == "probability" and pred["count"] == 100 and pred["mean"] == pytest.approx(0.5)
    assert [b["mean"] for b in pred["over_time"]] == pytest.approx([0.2, 0.8])
    assert pred["histogram"]["edges"][0] == 0.0 and pred["histogram"]["edges"][-1] == 1.0
    assert sum(pred["histogram"]["counts"]) == 100
    # two-column probabilities give class counts and the probability of class 1
    two = [np.array([[0.9, 0.1], [0.3, 0.7], [0.4, 0.6]], "float32")] * 4
    pred = monitor_frame(_log([np.zeros((3, 4))] * 4, two)).predictions
    assert pred["kind"] == "probabilities" and pred["class_counts"] == {"1": 8, "0": 4}
    assert pred["mean"] == pytest.approx((0.1 + 0.7 + 0.6) / 3)
    # labels, as integers or as text
    labels = monitor_frame(_log([np.zeros((2, 4))] * 3, [np.array([1, 0])] * 3)).predictions
    assert labels["kind"] == "class" and labels["class_counts"] == {"0": 3, "1": 3}
    text = monitor_frame(_log([[{"a": 1}]] * 2, [["ship"], ["iceberg"]])).predictions
    assert text["class_counts"] == {"iceberg": 1, "ship": 1}


def test_failed_requests_have_no_predictions_counted() -> None:
    log = _log([np.zeros((1, 4))] * 4, [np.array([[0.5]])] * 4, status=[200, 200, 500, 400])
    assert monitor_frame(log).predictions["count"] == 2


def test_an_empty_log_says_no_requests_yet() -> None:
    report = monitor_frame(_log([]), deployment="iceberg")
    assert report.requests == 0 and report.error_rate is None and report.rate_per_s is None
    assert report.message is not None and report.message.startswith("no requests yet")
    assert "no requests yet" in report.summary() and "jhops.serving.predict('iceberg'" in report.summary()
    data = report.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["latency_ms"]["p99"] is None and data["buckets"] == [] and data["drift"]["features"] == []
    empty_window = monitor_frame(_log([np.zeros((1, 4))]), since=T0 + 100, until=T0 + 200)
    assert empty_window.message == "no requests in the window"


def test_bad_arguments_say_what_to_pass() -> None:
    log = _log([np.zeros((1, 4))])
    with pytest.raises(MonitoringError, match="read_log"):
        monitor_frame(log.drop(columns=["latency_ms"]))
    with pytest.raises(MonitoringError, match="is not a time"):
        monitor_frame(log, since="yesterday-ish")
    with pytest.raises(MonitoringError, match="before since"):
        monitor_frame(log, since=T0 + 5, until=T0)
    with pytest.raises(MonitoringError, match="bucket_s"):
        monitor_frame(log, bucket_s=0)
    with pytest.raises(MonitoringError, match="reference must be"):
        monitor_frame(log, reference=42)


# --- drift: tabular ---------------------------------------------------------------------------------------


def test_tabular_drift_is_found_on_the_shifted_feature_only(sensors_td: Any) -> None:
    calm = monitor_frame(_log(_batches(_tabular(600, seed=2), 10)), sensors_td)
    assert [f.name for f in calm.drift] == FEATURES  # the primary key and the label are not features
    assert calm.drifted == [] and all(f.method == "data" for f in calm.drift)
    assert all(f.psi is not None and f.psi < 0.1 for f in calm.drift)
    assert calm.reference == {"source": "training_dataset", "name": "sensors_td", "version": 1, "split": "train",
                              "method": "data", "rows": 640}
    shifted = monitor_frame(_log(_batches(_tabular(600, seed=3, shift=2.0), 10)), sensors_td)
    assert shifted.drifted == ["x1"]
    x1 = next(f for f in shifted.drift if f.name == "x1")
    assert x1.psi_flag and x1.ks_flag and x1.psi is not None and x1.psi > 0.2 and x1.ks is not None and x1.ks > 0.3
    assert x1.live_mean == pytest.approx(7.0, abs=0.3) and x1.reference_mean == pytest.approx(5.0, abs=0.3)
    assert len(x1.histogram["reference"]) == len(x1.histogram["live"]) == len(x1.histogram["edges"]) - 1
    assert "DRIFT against sensors_td v1 (train): x1 (PSI" in shifted.summary()
    assert "no drift against sensors_td v1 (train) in 4 features" in calm.summary()


def test_a_frame_or_an_array_as_reference_and_named_features() -> None:
    train = pd.DataFrame(_tabular(500, seed=4), columns=FEATURES).assign(label=1)
    live = _log(_batches(_tabular(300, seed=5, shift=2.0)[:, [1, 0]], 10))  # the model takes x1, x0
    report = monitor_frame(live, train, features=["x1", "x0"], label="label")
    assert report.drifted == ["x1"] and [f.name for f in report.drift] == ["x1", "x0"]
    as_array = monitor_frame(live, _tabular(500, seed=4)[:, [1, 0]])
    assert as_array.drifted == ["x0"]  # an array reference names its columns x0, x1, ... in the input's order
    with pytest.raises(MonitoringError, match=r"features=\[\.\.\.\] \(2 names\)"):
        monitor_frame(live, train, label="label")
    with pytest.raises(MonitoringError, match="not numeric columns"):
        monitor_frame(live, train, features=["x1", "nope"], label="label")
    noted = monitor_frame(live, train, label="label", drift_errors="note")
    assert noted.requests == 30 and noted.drift == [] and "features=[...]" in (noted.drift_note or "")


def test_too_few_live_values_are_not_flagged(sensors_td: Any) -> None:
    report = monitor_frame(_log(_batches(_tabular(10, seed=6, shift=5.0), 5)), sensors_td)
    assert report.drifted == [] and all(f.note and "only 10 live values" in f.note for f in report.drift)


def test_drift_statistics() -> None:
    rng = np.random.default_rng(0)
    same = [monitoring.feature_drift("x", rng.normal(size=2000), rng.normal(size=n)).drifted
            for n in (30, 60, 200, 1000) for _ in range(10)]
    assert sum(same) <= 2  # about alpha (5%) of unshifted samples; a report divides alpha by its features
    assert monitoring.ks_statistic(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert monitoring.ks_pvalue(0.5, 100, 100) < 1e-4 and monitoring.ks_pvalue(0.01, 100, 100) == 1.0
    assert monitoring.psi([50, 50], [50, 50]) == 0.0 and monitoring.psi([90, 10], [10, 90]) > 1


# --- drift: image bands ----------------------------------------------------------------------------------


def _chips(n: int, seed: int, band_1_db: float = 0.0) -> np.ndarray:
    x, _ = iceberg.to_arrays(iceberg.synthetic_frame(n=n, seed=seed))
    x[..., 0] += band_1_db
    return x


def test_image_band_drift_on_per_chip_summaries(chips_td: Any) -> None:
    calm = monitor_frame(_log(_batches(_chips(160, seed=7), 8)), chips_td)
    names = [f"{band}.{s}" for band in ("band_1", "band_2", "band_avg") for s in ("mean", "std", "min", "max")]
    assert [f.name for f in calm.drift] == names and calm.drifted == []
    shifted = monitor_frame(_log(_batches(_chips(160, seed=7, band_1_db=3.0), 8)), chips_td)
    assert {"band_1.mean", "band_1.min"} <= set(shifted.drifted)
    assert all(name.startswith("band_1.") for name in shifted.drifted)
    mean = next(f for f in shifted.drift if f.name == "band_1.mean")
    assert mean.column == "band_1" and mean.statistic == "mean"
    assert mean.live_mean is not None and mean.reference_mean is not None
    assert mean.live_mean - mean.reference_mean == pytest.approx(3.0, abs=0.5)


def test_image_channels_first_and_named_channels(chips_td: Any) -> None:
    x = _chips(120, seed=8, band_1_db=3.0)
    first = np.moveaxis(x, -1, 1)  # (n, 3, 75, 75), as a PyTorch model takes it
    assert all(n.startswith("band_1.") for n in monitor_frame(_log(_batches(first, 8)), chips_td).drifted)
    # a two-band model names its channels; here they arrive as band_2 then band_1
    swapped = x[..., [1, 0]]
    report = monitor_frame(_log(_batches(swapped, 8)), chips_td, features=["band_2", "band_1"])
    assert report.drifted and all(n.startswith("band_1.") for n in report.drifted)
    with pytest.raises(MonitoringError, match="channel order with features"):
        monitor_frame(_log(_batches(swapped, 8)), chips_td)


def test_image_drift_from_stored_statistics_when_the_split_is_gone(root: str, chips_td: Any) -> None:
    stats = Project(root).get_feature_store().get_feature_group("chips").statistics()
    shifted = monitor_frame(_log(_batches(_chips(160, seed=9, band_1_db=3.0), 8)), stats, label=["is_iceberg"])
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
    log = _log(_batches(summaries, 6))
    with pytest.raises(MonitoringError, match=r"3 value\(s\) per instance.*features=\[\.\.\.\]"):
        monitor_frame(log, chips_td)
    report = monitor_frame(log, chips_td, features=["band_1.mean", "band_2.mean", "inc_angle"])
    assert report.drifted == ["band_1.mean"]


def test_named_inputs_map_by_name(chips_td: Any) -> None:
    x = _chips(80, seed=10, band_1_db=3.0)
    batches = [{"band_1": b[..., 0], "band_2": b[..., 1], "inc_angle": np.full(len(b), 39.0)}
               for b in _batches(x, 8)]
    report = monitor_frame(_log(batches), chips_td)
    assert {f.column for f in report.drift} == {"band_1", "band_2", "inc_angle"}
    assert "band_1.mean" in report.drifted and "inc_angle" in report.drifted  # all 39.0: drifted indeed
    # V1 instances as JSON objects map by name too (a text field is left out)
    rows = _tabular(300, seed=17, shift=2.0)
    objects = [[{"x1": float(r[1]), "x0": float(r[0]), "note": "hi"} for r in batch] for batch in _batches(rows, 10)]
    by_name = monitor_frame(_log(objects), pd.DataFrame(_tabular(500, seed=4), columns=FEATURES))
    assert [f.name for f in by_name.drift] == ["x1", "x0"] and by_name.drifted == ["x1"]


def test_to_dict_is_json(sensors_td: Any) -> None:
    probs = [np.full((10, 1), 0.3, "float32")] * 60
    report = monitor_frame(_log(_batches(_tabular(600, seed=3, shift=2.0), 10), probs), sensors_td)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(data) == {"deployment", "model", "generated_at", "message", "window", "requests", "latency_ms",
                         "buckets", "predictions", "drift"}
    assert set(data["drift"]) == {"reference", "thresholds", "note", "drifted", "features"}
    assert data["drift"]["thresholds"]["psi"] == 0.2 and data["drift"]["drifted"] == ["x1"]
    feature = data["drift"]["features"][1]
    assert feature["name"] == "x1" and feature["flags"] == ["psi", "ks"] and feature["drifted"] is True
    assert set(data["requests"]) == {"count", "instances", "errors", "error_rate", "rate_per_s", "status_codes",
                                     "excluded"}
    assert data["window"]["start"] == "2026-01-01T00:00:00+00:00" and data["window"]["bucket_s"] == 1.0


# --- a deployment -----------------------------------------------------------------------------------------


def _write_log(deployment: serving.Deployment, *runs: tuple[Sequence[np.ndarray], int]) -> None:
    """Requests of (batches, model version) runs, one second apart, into the deployment's inference log."""
    records = [(b, version) for batches, version in runs for b in batches]
    now = time.time() - len(records)
    # One sink: two in the same second would share a run name and write the same part file.
    ParquetSink(deployment.inference_log_path).write([
        InferenceRecord(f"r{i}", now + i, 1.0 + i % 5, deployment.name, deployment.model_name, version, "v2", 200,
                        None, len(b), b, np.full((len(b), 1), 0.5, "float32"))
        for i, (b, version) in enumerate(records)])


def test_monitor_a_deployment_against_its_models_training_dataset(root: str) -> None:
    deployment = serving.create_or_update("mon-offline", "scorer", project=root)
    try:
        assert "no requests yet" in monitor("mon-offline", project=root).summary()
        _write_log(deployment, (_batches(_tabular(400, seed=11, shift=2.0), 10), 1),
                   (_batches(_tabular(50, seed=12), 10), 7))  # requests to another model version
        report = monitor("mon-offline", project=root)
        assert (report.deployment, report.model_name, report.model_version) == ("mon-offline", "scorer", 1)
        assert report.requests == 40 and report.excluded_requests == 5 and report.drifted == ["x1"]
        assert report.reference is not None and report.reference["name"] == "sensors_td"
        assert monitor("mon-offline", project=root, reference="test").reference["split"] == "test"  # type: ignore[index]
        assert monitor("mon-offline", project=root, reference=None).drift == []
        with pytest.raises(MonitoringError, match="has the splits"):
            monitor("mon-offline", project=root, reference="validation")
    finally:
        deployment.delete()


def test_monitor_an_image_deployment(root: str) -> None:
    deployment = serving.create_or_update("mon-chips", "chip-scorer", project=root)
    try:
        _write_log(deployment, (_batches(_chips(96, seed=18, band_1_db=3.0), 8), 1))
        report = monitor("mon-chips", project=root)
        assert report.requests == 12 and report.instances == 96
        assert "band_1.mean" in report.drifted and all(n.startswith("band_1.") for n in report.drifted)
        assert "DRIFT against chips_td v1 (train): band_1.mean" in report.summary()
    finally:
        deployment.delete()


def test_a_model_without_a_training_dataset_needs_a_reference(root: str) -> None:
    deployment = serving.create_or_update("mon-untracked", "untracked", project=root)
    try:
        with pytest.raises(MonitoringError, match=r"records no training dataset.*reference=None"):
            monitor("mon-untracked", project=root)
        _write_log(deployment, (_batches(_tabular(100, seed=13), 10), 1))
        traffic = monitor("mon-untracked", project=root, reference=None)
        assert traffic.requests == 10 and traffic.drift_note == "no reference: drift not measured"
        noted = monitor("mon-untracked", project=root, drift_errors="note")  # what the sidebar asks for
        assert noted.requests == 10 and noted.drift == [] and noted.drift_note is not None
        assert "records no training dataset" in noted.drift_note and "drift: model 'untracked'" in noted.summary()
        given = monitor("mon-untracked", project=root, reference=_tabular(300, seed=14), features=FEATURES)
        assert given.drifted == [] and [f.name for f in given.drift] == FEATURES
    finally:
        deployment.delete()


def test_a_deployment_that_logs_nothing_says_so(root: str) -> None:
    deployment = serving.create_or_update("mon-silent", "scorer", inference_logging="NONE", project=root)
    try:
        assert "inference_logging is NONE" in monitor("mon-silent", project=root).summary()
    finally:
        deployment.delete()


def test_unknown_deployment(root: str) -> None:
    with pytest.raises(serving.DeploymentNotFoundError, match="create_or_update"):
        monitor("nowhere", project=root)


def test_training_dataset_files_gone_falls_back_to_stored_statistics(root: str, sensors_td: Any) -> None:
    fs = Project(root).get_feature_store()
    fg = fs.get_feature_group("sensors")
    td = fs.create_training_dataset("sensors_gone", fg, splits={"train": 1.0}, label=["label"])
    shutil.rmtree(td.location)
    profile = monitoring.training_dataset_profile(td)
    assert profile.method == "statistics" and profile.source["source"] == "feature_group_statistics"
    assert profile.source["feature_groups"] == [{"name": "sensors", "version": 1, "commit": 0}]
    assert profile.scalars == FEATURES  # the primary key and the label stay out here too
    report = monitor_frame(_log(_batches(_tabular(600, seed=3, shift=2.0), 10)), profile)
    assert report.drifted == ["x1"]


def test_end_to_end_a_served_model(root: str) -> None:
    deployment = serving.create_or_update("mon-live", "scorer", project=root)
    try:
        deployment.start(timeout=60)
        for batch in _batches(_tabular(200, seed=15), 10):
            deployment.predict(batch)
        between = time.time()
        for batch in _batches(_tabular(300, seed=16, shift=2.5), 10):
            deployment.predict(batch)
        with pytest.raises(serving.InferenceRequestError):
            deployment.predict(np.zeros((1, 7), "float32"))  # a wrong shape: a 400, logged as an error
        deployment.stop()
        report = monitor("mon-live", project=root)
        assert report.requests == 51 and report.errors == 1 and report.instances == 500  # the 400 ran no instance
        assert report.latency_ms["p50"] is not None and report.latency_ms["p50"] > 0
        assert report.predictions["kind"] == "probability" and report.predictions["count"] == 500
        assert report.drifted == ["x1"]
        calm = monitor("mon-live", project=root, since=0, until=between)
        assert calm.requests == 20 and calm.drifted == []
        json.dumps(report.to_dict(), allow_nan=False)
    finally:
        deployment.delete()


def test_monitoring_is_reachable_from_jhops_serving_without_slowing_its_import():
    import subprocess
    import sys

    code = ("import sys, jhops.serving as s; light = 'pandas' not in sys.modules; "
            "from jhops.serving import monitoring; "
            "print(light, s.monitor is monitoring.monitor, s.MonitoringReport is monitoring.MonitoringReport)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "True"]
