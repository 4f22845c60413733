"""The iceberg ingestion: its rules pass on good chips, reject broken ones, and make the 80/20 dataset."""

import numpy as np
import pytest

from jhops.datasets import iceberg
from jhops.featurestore import ValidationFailedError
from jhops.pipelines import iceberg_features


@pytest.fixture
def chips():
    return iceberg.synthetic_frame(n=60, seed=5, na_fraction=0.1)


def test_ingest_validates_and_describes_the_iceberg_group(project, chips):
    fs = project.get_feature_store()
    fg, commit = iceberg_features.ingest(fs, chips)
    assert commit.report.status == "SUCCESS" and len(commit.report.results) == 18
    stored = fg.read()
    assert stored["inc_angle"].isna().sum() == chips["inc_angle"].isna().sum() == 6  # "na" became null
    np.testing.assert_allclose(stored.set_index("id").loc[chips["id"][0], "band_avg"],
                               (chips["band_1"][0] + chips["band_2"][0]) / 2, rtol=1e-6)
    assert fg.get_feature("band_2").tags == {"polarisation": "HV"} and fg.tags["sensor"] == "Sentinel-1"
    assert fs.get_feature_vector(fg, {"id": chips["id"][3]})["band_1"].shape == (iceberg.PIXELS,)
    td = iceberg_features.create_training_dataset(fs)
    assert td.counts == {"train": 48, "test": 12} and td.label == ["is_iceberg"]


def test_broken_chips_are_rejected_and_nothing_is_written(project, chips):
    fs = project.get_feature_store()
    fg, _ = iceberg_features.ingest(fs, chips)
    broken = chips.head(3).copy()
    broken["id"] = ["x1", "x2", "x3"]
    broken.at[0, "band_1"] = broken.at[0, "band_1"][:100]       # a cropped chip
    broken.at[1, "is_iceberg"] = 2                                # a label that is not 0/1
    with pytest.raises(ValidationFailedError) as err:
        iceberg_features.ingest(fs, broken)
    assert {(r.rule, r.feature) for r in err.value.report.failures} >= {("HAS_LENGTH", "band_1"),
                                                                        ("HAS_MAX", "is_iceberg")}
    assert fg.offline.version() == 0 and len(fg.read()) == 60


def test_ingesting_no_chips_writes_nothing_and_a_later_ingest_works(project, chips):
    from jhops.featurestore import EmptyInsertWarning

    fs = project.get_feature_store()
    with pytest.warns(EmptyInsertWarning, match=r"iceberg v1: the data has no rows"):
        fg, commit = iceberg_features.ingest(fs, chips.head(0))
    assert commit is None and fg.features == []
    fg, commit = iceberg_features.ingest(fs, chips)
    assert commit is not None and commit.rows == 60 and fg.get_feature("band_1").tags == {"polarisation": "HH"}
