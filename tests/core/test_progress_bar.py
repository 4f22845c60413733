"""Progress bars of long calls: shown only past their delay, with the step under way, and off on request."""

from __future__ import annotations

import time

import pytest

from jhops.progress_bar import Steps, progress_enabled


def test_a_quick_call_shows_no_bar(capsys):
    with Steps("insert iceberg v1", ["validate", "write"]) as bar:
        bar.step("validate")
        bar.step("write")

    assert capsys.readouterr().err == ""


def test_a_slow_call_shows_its_steps_and_ends_done(capsys):
    with Steps("insert iceberg v1", ["validate", "write"], delay=0.1) as bar:
        bar.step("validate")
        bar.step("write")
        time.sleep(0.8)  # longer than the delay and the refresh interval: the bar appears during the step

    err = capsys.readouterr().err
    assert "insert iceberg v1 (write): 1/2" in err
    assert "insert iceberg v1 (done): 2/2" in err


def test_a_failed_call_says_where_it_failed(capsys):
    with pytest.raises(RuntimeError), Steps("start iceberg", ["launch", "load model"], delay=0.1) as bar:
        bar.step("launch")
        bar.step("load model")
        time.sleep(0.3)
        raise RuntimeError("the model did not load")

    assert "start iceberg (failed at load model)" in capsys.readouterr().err


def test_bars_can_be_turned_off(capsys, monkeypatch):
    monkeypatch.setenv("JHOPS_PROGRESS", "0")
    assert not progress_enabled()
    assert progress_enabled(True)
    with Steps("insert", ["write"], delay=0.0) as bar:
        bar.step("write")
        time.sleep(0.6)

    assert capsys.readouterr().err == ""
