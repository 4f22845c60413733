"""The feature store view, rendered without a kernel: the store list and one group's detail."""

import pytest

from jhops.featurestore import ValidationFailedError
from jhops.widgets import feature_store_view
from tests.featurestore.conftest import chips, iceberg_rules


@pytest.fixture
def store(project):
    fs = project.get_feature_store()
    fg = fs.create_feature_group("iceberg", primary_key=["id"], description="SAR <chips>",
                                 expectations=iceberg_rules(), online_enabled=True)
    fg.insert(chips(20))
    bad = chips(3, start=90)
    bad["is_iceberg"] = 5
    with pytest.raises(ValidationFailedError):
        fg.insert(bad)
    fg.add_tag("sensor", "Sentinel-1")
    fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2}, label=["is_iceberg"])
    return fs


def test_store_view_lists_groups_and_datasets(store):
    page = feature_store_view.render_store(store)
    assert "<td>iceberg</td>" in page and "<td>iceberg_td</td>" in page
    assert "train: 16, test: 4" in page and "iceberg_1@0" in page and "sensor=Sentinel-1" in page


def test_group_view_shows_schema_commits_histograms_reports_and_preview(store):
    page = feature_store_view.render_group(store.get_feature_group("iceberg"))
    assert "SAR &lt;chips&gt;" in page and "<chips>" not in page
    assert "<td>band_1</td>" in page and "<td>is_iceberg</td>" in page
    assert page.count('class="jp-jhops-histogram"') == 5  # 3 arrays + inc_angle + is_iceberg
    assert ">SUCCESS<" in page and ">FAILURE<" in page and "rejected" in page
    assert "HAS_MAX(is_iceberg) observed 5" in page
    assert "Preview (5 rows)" in page and "(16 values)" in page


def test_group_view_follows_the_theme(store):
    from tests.widgets.test_charts import hard_coded_colours

    page = feature_store_view.render_group(store.get_feature_group("iceberg"))
    assert hard_coded_colours(page) == []
    assert page.count('class="jp-jhops-axis jp-jhops-axis-x"') == 5  # each histogram has a value axis
