"""The extras: a missing one is named, with the command that installs it."""

from __future__ import annotations

import importlib.util

import pytest

from jhops.extras import EXTRAS, MissingExtraError, installed_extras, missing_modules, require_extra


def test_a_missing_extra_names_itself_and_the_install_command(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "orjson" else real(name, *a))

    with pytest.raises(MissingExtraError) as raised:
        require_extra("serving", "model serving")

    error = raised.value
    assert isinstance(error, ImportError)
    assert (error.extra, error.missing) == ("serving", ["orjson"])
    assert "model serving needs the 'serving' extra" in str(error)
    assert "pip install 'jhops[serving]'" in str(error)
    assert installed_extras()["serving"] is False


def test_an_installed_extra_passes():
    # The test environment has every extra (pip install -e ".[all,test]").
    for extra in ("serving", "featurestore", "spark"):
        assert missing_modules(extra) == []
        require_extra(extra, extra)


def test_an_unknown_extra_is_refused():
    with pytest.raises(ValueError, match="the extras are"):
        missing_modules("gpu")
    assert set(installed_extras()) == set(EXTRAS)
