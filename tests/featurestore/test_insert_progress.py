"""Long feature store calls show their steps in a progress bar: inserts (pandas and Spark) and training datasets;
``progress=False`` and ``JHOPS_PROGRESS=0`` hide it."""

import functools
import time
from typing import Any

import pytest

from jhops import progress_bar
from jhops.featurestore import ValidationFailedError, spark_io, training_dataset
from jhops.featurestore import feature_group as feature_group_module
from tests.featurestore.conftest import chips, iceberg_rules


@pytest.fixture
def at_once(monkeypatch):
    """Bars drawn from the start of a call instead of after two seconds."""
    monkeypatch.setattr(progress_bar, "DELAY_S", 0.0)
    monkeypatch.delenv("JHOPS_PROGRESS", raising=False)


def _slowed(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seconds: float = 1.2) -> None:
    """Make one step take longer than the bar's refresh interval, so the bar is drawn while it runs."""
    original = getattr(module, name)

    @functools.wraps(original)
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def test_a_pandas_insert_shows_its_steps(fs, capsys, at_once, monkeypatch):
    _slowed(monkeypatch, feature_group_module, "compute_statistics")
    fg = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True, expectations=iceberg_rules())
    fg.insert(chips(10))  # the first insert profiles while it writes
    first = capsys.readouterr().err
    fg.insert(chips(5, seed=1, start=50))  # a later one profiles the table after the merge
    later = capsys.readouterr().err
    for err in (first, later):
        assert "insert iceberg v1 (statistics): 3/5" in err  # prepare, validate and write are done
        assert "insert iceberg v1 (done): 5/5" in err


def test_a_training_dataset_shows_its_steps(fs, capsys, at_once, monkeypatch):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(chips(10), progress=False)
    _slowed(monkeypatch, training_dataset, "_write_split")
    fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2})
    err = capsys.readouterr().err
    assert "training dataset iceberg_td (write test): 2/3" in err
    assert "training dataset iceberg_td (done): 3/3" in err


def test_progress_false_and_jhops_progress_0_hide_the_bars(fs, capsys, at_once, monkeypatch):
    _slowed(monkeypatch, feature_group_module, "compute_statistics", 0.8)
    _slowed(monkeypatch, training_dataset, "_write_split", 0.8)
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(chips(10), progress=False)
    fs.create_training_dataset("iceberg_td", fg, progress=False)
    monkeypatch.setenv("JHOPS_PROGRESS", "0")
    fg.insert(chips(5, start=50))
    fs.create_training_dataset("iceberg_td", fg)
    assert fs.get_training_dataset("iceberg_td").version == 2
    assert capsys.readouterr().err == ""


def test_a_failed_insert_says_at_which_step(fs, capsys, at_once, monkeypatch):
    _slowed(monkeypatch, feature_group_module.validation, "validate", 0.8)
    fg = fs.create_feature_group("iceberg", primary_key=["id"], expectations=iceberg_rules())
    bad = chips(5)
    bad.loc[0, "is_iceberg"] = 7
    with pytest.raises(ValidationFailedError, match=r"rejected"):
        fg.insert(bad)
    assert "insert iceberg v1 (failed at validate)" in capsys.readouterr().err


@pytest.mark.spark
def test_a_spark_insert_shows_its_steps(fs, spark, capsys, at_once, monkeypatch):
    from tests.featurestore.test_spark import _spark_frame

    _slowed(monkeypatch, spark_io, "statistics_spark")
    fg = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True)
    fg.insert(_spark_frame(spark, chips(6), partitions=2))
    err = capsys.readouterr().err
    assert "insert iceberg v1 (statistics): 2/4" in err  # prepare and write are done
    assert "insert iceberg v1 (done): 4/4" in err
