"""Feature groups: create, insert (upsert, insert, overwrite), read back with dtypes, time travel, errors."""

import datetime as dt
import subprocess
import sys
import time

import numpy as np
import pytest

from jhops.featurestore import FeatureStoreError, NotFoundError, SchemaMismatchError
from tests.featurestore.conftest import chips


def test_insert_and_read_back_with_array_dtypes(fs, frame):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], description="SAR chips")
    commit = fg.insert(frame)
    assert commit.version == 0 and commit.rows == 20
    back = fg.read().sort_values("id").reset_index(drop=True)
    assert list(back.columns) == list(frame.columns)
    assert back["band_1"][0].dtype == np.float32 and len(back["band_1"][0]) == 16
    np.testing.assert_array_equal(back["band_1"][3], frame["band_1"][3])
    assert [f.name for f in fg.features] == list(frame.columns)
    assert fs.get_feature_group("iceberg").version == 1


def test_upsert_merges_by_primary_key_and_insert_appends(fs, frame):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(frame)
    changed = frame.iloc[:5].copy()
    changed["inc_angle"] = 99.0
    new = chips(5, seed=1, start=100)
    commit = fg.insert(changed._append(new, ignore_index=True), operation="upsert")
    assert commit.version == 1
    after = fg.read()
    assert len(after) == 25 and (after.set_index("id").loc[changed["id"], "inc_angle"] == 99.0).all()
    fg.insert(new, operation="insert")
    assert len(fg.read()) == 30
    fg.insert(new, operation="overwrite")
    assert len(fg.read()) == 5
    history = fg.history()
    assert list(history["version"]) == [3, 2, 1, 0]
    assert list(history["operation"]) == ["overwrite", "insert", "upsert", "upsert"]


def test_time_travel_by_version_and_by_time(fs, frame):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(frame)
    time.sleep(1.1)
    between = dt.datetime.now()
    time.sleep(1.1)
    fg.insert(chips(5, seed=1, start=100))
    assert len(fg.read(as_of=0)) == 20 and len(fg.read(as_of=1)) == 25
    assert len(fg.read(as_of=between)) == 20
    assert len(fg.read(as_of=between.isoformat())) == 20
    with pytest.raises(NotFoundError, match=r"versions are 0 to 1"):
        fg.read(as_of=5)
    with pytest.raises(NotFoundError, match=r"No commit at or before"):
        fg.read(as_of=dt.datetime(2000, 1, 1))


def test_versions_of_a_group_are_separate_tables(fs, frame):
    v1 = fs.create_feature_group("iceberg", primary_key=["id"])
    v1.insert(frame)
    v2 = fs.create_feature_group("iceberg", primary_key=["id"], description="recalibrated")
    assert v2.version == 2 and [g.version for g in fs.get_feature_groups("iceberg")] == [1, 2]
    assert fs.get_feature_group("iceberg", 1).read().shape[0] == 20
    with pytest.raises(NotFoundError, match=r"no data yet"):
        v2.read()
    with pytest.raises(FeatureStoreError, match=r"version 1 exists already"):
        fs.create_feature_group("iceberg", version=1, primary_key=["id"])
    same = fs.get_or_create_feature_group("iceberg", version=1, primary_key=["id"])
    assert same.id == v1.id


def test_bad_input_gets_clear_errors(fs, frame):
    with pytest.raises(FeatureStoreError, match=r"Invalid feature group name 'Ice Berg'.*for example"):
        fs.create_feature_group("Ice Berg", primary_key=["id"])
    with pytest.raises(FeatureStoreError, match=r"needs a primary key"):
        fs.create_feature_group("iceberg")
    with pytest.raises(NotFoundError, match=r"No feature group named 'nothing'"):
        fs.get_feature_group("nothing")
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    with pytest.raises(FeatureStoreError, match=r"lacks column"):
        fg.insert(frame.drop(columns=["id"]))
    fg.insert(frame)
    with pytest.raises(SchemaMismatchError, match=r"missing columns \['inc_angle'\].*unknown columns \['angle'\]"):
        fg.insert(frame.rename(columns={"inc_angle": "angle"}))
    wrong = frame.copy()
    wrong["inc_angle"] = "high"
    with pytest.raises(SchemaMismatchError, match=r"column 'inc_angle' is string"):
        fg.insert(wrong)
    nulls = frame.copy()
    nulls.loc[0, "id"] = None
    with pytest.raises(FeatureStoreError, match=r"Primary key column 'id' has 1 null"):
        fg.insert(nulls)
    with pytest.raises(FeatureStoreError, match=r"Unknown operation 'append'"):
        fg.insert(frame, operation="append")
    assert fg.offline.version() == 0 and len(fg.read()) == 20  # nothing of the bad inserts landed


def test_a_second_process_reads_what_was_committed(fs, frame, project):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(frame)
    code = ("import jhops, sys; fg = jhops.featurestore(sys.argv[1]).get_feature_group('iceberg'); "
            "df = fg.read(); print(len(df), df['band_1'][0].dtype)")
    out = subprocess.run([sys.executable, "-c", code, project.path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["20", "float32"]


_KILL_SCRIPT = """
import sys, numpy as np, pandas as pd, jhops
fg = jhops.featurestore(sys.argv[1]).get_feature_group("iceberg")
n = 4000
rng = np.random.default_rng(0)
big = pd.DataFrame({"id": [f"big{i:06d}" for i in range(n)],
                    "band_1": [rng.normal(size=16).astype("float32") for _ in range(n)],
                    "band_2": [rng.normal(size=16).astype("float32") for _ in range(n)],
                    "band_avg": [rng.normal(size=16).astype("float32") for _ in range(n)],
                    "inc_angle": rng.uniform(30, 45, n), "is_iceberg": rng.integers(0, 2, n)})
print("ready", flush=True)
while True:
    fg.insert(big, operation="insert", statistics=False)
"""


def test_a_process_killed_mid_insert_leaves_the_previous_version_readable(fs, frame, project):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    fg.insert(frame)
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, project.path], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # it is now writing data files and commits in a loop
    proc.kill()
    proc.wait()
    proc.stdout.close()
    version = fg.offline.version()
    table = fg.read(dataframe_type="arrow")
    assert table.num_rows == 20 + 4000 * version  # whole commits only, never a part of one
    assert fg.read(as_of=0).shape[0] == 20
    fg.insert(chips(3, seed=3, start=500), operation="insert")  # and it takes new commits
    assert fg.offline.version() == version + 1


def test_duplicate_keys_are_refused_by_upsert_and_kept_by_insert(fs, frame):
    fg = fs.create_feature_group("iceberg", primary_key=["id"])
    doubled = frame._append(frame.iloc[:2], ignore_index=True)
    with pytest.raises(FeatureStoreError, match=r"2 primary key\(s\) appear more than once.*operation='insert'"):
        fg.insert(doubled)
    assert not fg.offline.exists()
    fg.insert(doubled, operation="insert")
    assert len(fg.read()) == 22
    one = frame.iloc[:1].copy()
    one["inc_angle"] = 5.0
    fg.insert(one)  # an upsert of a key the table holds twice updates both rows
    after = fg.read()
    assert len(after) == 22 and (after[after["id"] == one["id"][0]]["inc_angle"] == 5.0).all()


def test_a_remote_project_is_refused_with_the_way_out(tmp_path):
    from jhops.featurestore import FeatureStore
    from jhops.project import Project

    remote = Project("memory://jhops-fs-remote", db_url=f"sqlite:///{tmp_path}/meta.db")
    with pytest.raises(FeatureStoreError, match=r"local or mounted disk.*Mount"):
        FeatureStore(remote)
