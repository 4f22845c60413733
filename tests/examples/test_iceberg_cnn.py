"""The Kaggle/ExtremeEarth iceberg CNN example: the model's architecture and a one-epoch training run."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest

from jhops.examples import iceberg_cnn


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh directory, with synthetic data cached under tmp_path and no data file from the env."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.delenv(iceberg_cnn.DATA_ENV, raising=False)
    return tmp_path


def test_data_file_prefers_the_argument_then_the_env_then_a_cached_synthetic_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = iceberg_cnn.data_file(n=6, seed=3)
    assert cached.parent == isolated / "tmp" / "jhops-iceberg" and cached.exists()
    assert "n6-seed3" in cached.name
    mtime = cached.stat().st_mtime_ns
    assert iceberg_cnn.data_file(n=6, seed=3) == cached and cached.stat().st_mtime_ns == mtime  # not rewritten
    monkeypatch.setenv(iceberg_cnn.DATA_ENV, "/data/train.json")
    assert iceberg_cnn.data_file() == Path("/data/train.json")
    assert iceberg_cnn.data_file("mine.json") == Path("mine.json")


@pytest.mark.tensorflow
def test_build_model_is_the_four_block_cnn() -> None:
    pytest.importorskip("tensorflow")
    model = iceberg_cnn.build_model(learning_rate=1e-3, dropout=0.2)
    assert model.output_shape == (None, 1)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 4 and kinds.count("MaxPooling2D") == 4
    assert [layer.filters for layer in model.layers if type(layer).__name__ == "Conv2D"] == [64, 128, 128, 64]
    assert [layer.units for layer in model.layers if type(layer).__name__ == "Dense"] == [512, 256, 1]
    assert model.loss == "binary_crossentropy"


class FakeReporter:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, float], int | None]] = []

    def broadcast(self, metrics: dict[str, float], step: int | None = None) -> None:
        self.calls.append((dict(metrics), step))


@pytest.mark.tensorflow
def test_train_one_epoch_reports_and_saves_the_model(isolated: Path) -> None:
    pytest.importorskip("tensorflow")
    reporter = FakeReporter()
    result: dict[str, Any] = iceberg_cnn.train(epochs=1, n=64, reporter=reporter)
    assert set(result) == {"accuracy", "loss", "train_accuracy", "train_loss", "model"}
    assert 0.0 <= result["accuracy"] <= 1.0 and 0.0 <= result["train_accuracy"] <= 1.0
    assert math.isfinite(result["loss"]) and result["loss"] >= 0.0
    assert result["model"] == "model.keras" and (isolated / "model.keras").is_file()
    assert len(reporter.calls) == 1
    metrics, step = reporter.calls[0]
    assert step == 0 and set(metrics) == {"accuracy", "loss", "train_accuracy", "train_loss"}
    # the curve and the final metrics use the same names for the same figures
    assert metrics["accuracy"] == pytest.approx(result["accuracy"])
    assert metrics["train_accuracy"] == pytest.approx(result["train_accuracy"])


@pytest.mark.tensorflow
def test_train_reads_the_feature_store_training_dataset(isolated: Path, project: Any) -> None:
    pytest.importorskip("tensorflow")
    from jhops.datasets import iceberg
    from jhops.pipelines import iceberg_features

    fs = project.get_feature_store()
    iceberg_features.ingest(fs, iceberg.synthetic_frame(n=40, seed=3))
    td = iceberg_features.create_training_dataset(fs)
    result: dict[str, Any] = iceberg_cnn.train(epochs=1, training_dataset=f"{td.name}:{td.version}",
                                               project=project.path)
    assert 0.0 <= result["accuracy"] <= 1.0 and (isolated / "model.keras").is_file()
    with pytest.raises(LookupError, match="No training dataset named 'nothing'"):
        iceberg_cnn.train(epochs=1, training_dataset="nothing", project=project.path)
