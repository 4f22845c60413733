"""%hops fs: the feature store browser in a cell, and its usage errors."""

from unittest import mock

import pytest
from IPython.core.error import UsageError

from tests.featurestore.conftest import chips, iceberg_rules


def _shown(ip, line):
    with mock.patch("jhops.widgets.feature_store_view.display") as display:
        ip.run_line_magic("hops", line)
    return display.call_args[0][0].data


def test_fs_lists_groups_and_shows_one(ip, project):
    fg = project.get_feature_store().create_feature_group("iceberg", primary_key=["id"], expectations=iceberg_rules())
    fg.insert(chips(10))
    assert "iceberg" in _shown(ip, "fs") and "Training datasets" in _shown(ip, "fs")
    page = _shown(ip, "fs iceberg --version 1")
    assert 'data-name="iceberg"' in page and "<svg" in page


def test_fs_usage_errors(ip, project):
    with pytest.raises(UsageError, match=r"(?s)No feature group named .nothing.*Example: %hops fs iceberg"):
        ip.run_line_magic("hops", "fs nothing")
    with pytest.raises(UsageError, match=r"--version needs a feature group name"):
        ip.run_line_magic("hops", "fs --version 2")
    with pytest.raises(UsageError, match=r"must be at least 1"):
        ip.run_line_magic("hops", "fs iceberg --version 0")
