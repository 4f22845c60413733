"""Online lookups: the latest row per key, kept in step with inserts, on SQLite and on a real redis-server."""

import os
import shutil
import socket
import subprocess
import time

import numpy as np
import pytest

from jhops.featurestore import FeatureStoreError
from tests.featurestore.conftest import chips


def _exercise(fs):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True)
    frame = chips(10)
    fg.insert(frame)
    vector = fs.get_feature_vector(fg, {"id": frame["id"][3]})
    assert vector["inc_angle"] == frame["inc_angle"][3]
    assert vector["band_1"].dtype == np.float32
    np.testing.assert_array_equal(vector["band_1"], frame["band_1"][3])
    changed = frame.iloc[[3]].copy()
    changed["inc_angle"] = 12.5
    fg.insert(changed)  # an upsert updates the online row too
    assert fs.get_feature_vector("iceberg", {"id": frame["id"][3]})["inc_angle"] == 12.5
    vectors = fs.get_feature_vectors(fg, [{"id": frame["id"][0]}, {"id": "unknown"}, {"id": frame["id"][9]}])
    assert vectors[0]["id"] == frame["id"][0] and vectors[1] is None and vectors[2]["id"] == frame["id"][9]
    fg.insert(chips(2, start=100), operation="overwrite")
    assert fs.get_feature_vector(fg, {"id": frame["id"][0]}) is None
    assert fg.sync_online() == 2
    with pytest.raises(FeatureStoreError, match="lacks \\['id'\\]"):
        fs.get_feature_vector(fg, {"key": 1})
    offline_only = fs.create_feature_group("offline", primary_key=["id"])
    offline_only.insert(chips(2))
    with pytest.raises(FeatureStoreError, match="not online_enabled"):
        fs.get_feature_vector(offline_only, {"id": "00000000"})


def test_sqlite_online_store(fs):
    _exercise(fs)
    assert os.path.exists(os.path.join(fs.project.path, "online.db"))


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (make system-deps installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def test_redis_online_store(project, redis_url, monkeypatch):
    monkeypatch.setenv("JHOPS_ONLINE_STORE", redis_url)
    fs = project.get_feature_store()
    _exercise(fs)
    import redis

    assert redis.Redis.from_url(redis_url).hlen("jhops:online:iceberg_1") == 2


def test_an_unknown_online_store_url_is_refused(project, monkeypatch):
    monkeypatch.setenv("JHOPS_ONLINE_STORE", "memcached://x")
    fs = project.get_feature_store()
    with pytest.raises(FeatureStoreError, match="not understood"):
        fs.online  # noqa: B018
