"""The inference log: durable, complete under concurrent load and across restarts, compact, readable anywhere."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow.parquet as pq
import pytest
import requests

from jhops import serving
from jhops.serving import process
from jhops.serving.inference_log import InferenceLogger, InferenceRecord, ParquetSink, log_files, read_log, to_json


def _record(i: int, inputs: object = None, predictions: object = None) -> InferenceRecord:
    return InferenceRecord(request_id=f"r{i}", timestamp=time.time(), latency_ms=1.5, deployment="d",
                           model_name="m", model_version=1, protocol="v2", status_code=200, error=None,
                           n_instances=1, inputs=inputs, predictions=predictions)


def test_records_from_many_threads_are_all_written_and_merged(tmp_path: object) -> None:
    folder = str(tmp_path)
    logger = InferenceLogger([ParquetSink(folder)], "ALL", flush_records=100)

    def work(t: int) -> None:
        for i in range(300):
            logger.log(_record(t * 1000 + i, np.full((1, 4), i, "float32"), np.array([[i % 2]])))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logger.close()
    files = log_files(folder)
    assert len(files) == 1 and not os.path.basename(files[0]).count(".part-")
    df = read_log(folder)
    assert len(df) == 2400 and df["request_id"].is_unique
    row = df[df["request_id"] == "r7005"].iloc[0]
    assert row["inputs"].dtype == np.float32 and row["inputs"].tolist() == [[5.0] * 4]
    assert row["predictions"].tolist() == [[1]]
    assert str(df["timestamp"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize(("mode", "has_inputs", "has_predictions"),
                         [("ALL", True, True), ("MODEL_INPUTS", True, False), ("PREDICTIONS", False, True)])
def test_modes(tmp_path: object, mode: str, has_inputs: bool, has_predictions: bool) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], mode)
    logger.log(_record(0, np.ones((1, 2)), np.zeros((1, 1))))
    logger.close()
    (row,) = read_log(str(tmp_path)).to_dict("records")
    assert (row["inputs"] is not None) == has_inputs and (row["predictions"] is not None) == has_predictions
    assert row["request_id"] == "r0" and row["latency_ms"] == 1.5


def test_mode_none_writes_nothing(tmp_path: object) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "NONE")
    logger.log(_record(0, np.ones((1, 2))))
    logger.close()
    assert log_files(str(tmp_path)) == [] and len(read_log(str(tmp_path))) == 0


def test_unflushed_records_reach_disk_within_a_second(tmp_path: object) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL", flush_interval_s=0.3)
    for i in range(5):
        logger.log(_record(i, np.ones((1, 2))))
    time.sleep(0.8)
    assert len(read_log(str(tmp_path))) == 5  # readable while the writer runs: a kill now loses nothing
    logger.close()


def test_flush_writes_every_record_logged_before_it_without_waiting_the_interval(tmp_path: object) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL", flush_interval_s=60)
    try:
        for i in range(3):
            logger.log(_record(i, np.ones((1, 2))))
        assert logger.flush(timeout=30)
        assert len(read_log(str(tmp_path))) == 3
        assert logger.flush(timeout=30)  # nothing pending
        logger.log(_record(3))
        assert logger.flush(timeout=30) and len(read_log(str(tmp_path))) == 4
    finally:
        logger.close()
    assert InferenceLogger([ParquetSink(str(tmp_path))], "NONE").flush(timeout=0)  # nothing is ever pending


def test_flush_gives_up_after_its_timeout_and_a_later_one_completes(tmp_path: object) -> None:
    release = threading.Event()

    class SlowSink(ParquetSink):
        def write(self, records: Sequence[InferenceRecord]) -> None:
            release.wait(30)
            super().write(records)

    logger = InferenceLogger([SlowSink(str(tmp_path))], "ALL", flush_interval_s=60)
    try:
        logger.log(_record(0))
        assert not logger.flush(timeout=0.2)  # the sink is still writing
        release.set()
        assert logger.flush(timeout=30) and len(read_log(str(tmp_path))) == 1
    finally:
        release.set()
        logger.close()


def test_a_close_between_the_writers_flag_read_and_its_take_does_not_wait_a_flush_interval(tmp_path: object) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL", flush_interval_s=30, flush_records=1)
    closer = threading.Thread(target=logger.close)
    take = logger._take

    def take_after_close_lands() -> list[InferenceRecord]:
        # The writer has read the closing flag (still False); close() lands now, before the take.
        if not closer.is_alive() and not logger._closing:
            closer.start()
            while not logger._closing:
                time.sleep(0.001)
            time.sleep(0.1)  # and sets the wake-up event
        return take()

    logger._take = take_after_close_lands  # type: ignore[method-assign]
    logger.log(_record(0, np.ones((1, 2)), np.zeros((1, 1))))  # flush_records=1: wakes the writer
    deadline = time.monotonic() + 10
    while not logger._closing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert logger._closing, "the writer never took the record"
    closer.join(timeout=10)
    assert not closer.is_alive(), "close() waited for the writer's next 30 s flush interval"
    assert len(read_log(str(tmp_path))) == 1


def test_a_crash_during_the_merge_loses_and_repeats_nothing(tmp_path: object) -> None:
    folder = str(tmp_path)
    sink = ParquetSink(folder)
    sink.write([_record(0), _record(1)])
    sink.write([_record(2)])
    parts = sorted(os.listdir(folder))
    merged = pq.read_table(os.path.join(folder, parts[0]))
    pq.write_table(merged, os.path.join(folder, f"{sink.run_id}.parquet"))  # merged file, parts not yet removed
    assert sorted(read_log(folder)["request_id"]) == ["r0", "r1"]
    os.remove(os.path.join(folder, f"{sink.run_id}.parquet"))
    assert sorted(read_log(folder)["request_id"]) == ["r0", "r1", "r2"]


def test_json_payloads_and_per_instance_rows(tmp_path: object) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL")
    rec = _record(0, [{"name": "a"}, {"name": "b"}], ["x", "y"])
    rec.n_instances = 2
    logger.log(rec)
    chips = _record(1, np.arange(6, dtype="float32").reshape(3, 2), np.array([[0.1], [0.2], [0.3]]))
    chips.n_instances = 3
    logger.log(chips)
    logger.close()
    df = read_log(str(tmp_path))
    assert df.loc[0, "inputs"] == [{"name": "a"}, {"name": "b"}] and df.loc[0, "predictions"] == ["x", "y"]
    rows = read_log(str(tmp_path), per_instance=True)
    assert len(rows) == 5 and rows["instance"].tolist() == [0, 1, 0, 1, 2]
    assert rows.iloc[4]["inputs"].tolist() == [4.0, 5.0] and rows.iloc[4]["predictions"].tolist() == [0.3]


def test_iceberg_chips_are_stored_compactly(tmp_path: object) -> None:
    chips = np.random.default_rng(0).normal(size=(40, 1, 75, 75, 3)).astype("float32")
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL")
    for i, chip in enumerate(chips):
        logger.log(_record(i, chip, np.array([[0.5]], "float32")))
    logger.close()
    on_disk = sum(os.path.getsize(p) for p in log_files(str(tmp_path)))
    raw, as_json = chips.nbytes, len(to_json(chips[0].tolist())) * len(chips)
    assert on_disk < 1.05 * raw and on_disk < as_json / 3
    np.testing.assert_array_equal(read_log(str(tmp_path)).loc[39, "inputs"], chips[39])


def test_complete_under_concurrent_load(deploy: Callable[..., serving.Deployment], root: str) -> None:
    d = deploy("loaded", "doubler", batching={"max_batch_size": 32, "max_latency_ms": 5})
    sent = [np.full((1, 3), i, "float32") for i in range(32 * 8)]
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(d.predict, sent))
    assert len(results) == len(sent)
    d.stop()
    log = serving.read_inference_log("loaded", project=root)
    assert len(log) == len(sent) == int((log["status_code"] == 200).sum()) and log["request_id"].is_unique
    assert sorted(float(x[0, 0]) for x in log["inputs"]) == [float(i) for i in range(len(sent))]
    for inputs, predictions in zip(log["inputs"], log["predictions"], strict=True):
        np.testing.assert_array_equal(predictions, inputs * 2)
    assert set(log["protocol"]) == {"v2"} and (log["latency_ms"] > 0).all()
    assert set(log["model_name"]) == {"doubler"} and set(log["model_version"]) == {1}


def test_errors_are_logged_with_their_status(deploy: Callable[..., serving.Deployment], root: str,
                                             key_headers: dict[str, str]) -> None:
    d = deploy("errors", "fussy", inference_logging="MODEL_INPUTS")
    url = f"{d.url}/v1/models/errors:predict"
    assert requests.post(url, json={"instances": [[1, 2, 3]]}, headers=key_headers).status_code == 200
    assert requests.post(url, json={"instances": [[-1, 2, 3]]}, headers=key_headers).status_code == 500
    assert requests.post(url, data=b"{", headers=key_headers).status_code == 400
    assert requests.post(url, json={"instances": [[1, 2]]}, headers=key_headers).status_code == 400
    d.stop()
    log = serving.read_inference_log("errors", project=root)
    assert log["status_code"].tolist() == [200, 500, 400, 400]
    assert "negative" in log.loc[1, "error"] and log.loc[1, "inputs"].tolist() == [[-1.0, 2.0, 3.0]]
    assert log["predictions"].isna().all() and log.loc[2, "inputs"] is None


def test_a_killed_server_keeps_all_but_the_last_second(deploy: Callable[..., serving.Deployment],
                                                       root: str) -> None:
    d = deploy("crash", "doubler")
    for i in range(20):
        d.predict(np.full((1, 3), i, "float32"))
    # The writer flushes every second; under load a flush may take a little longer: wait for it, then kill.
    deadline = time.monotonic() + 10
    while len(serving.read_inference_log("crash", project=root)) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert time.monotonic() < deadline
    pid = d.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    process.wait_exit(pid, 10)
    assert len(serving.read_inference_log("crash", project=root)) == 20


def test_read_from_another_process(deploy: Callable[..., serving.Deployment], root: str) -> None:
    d = deploy("reader", "doubler")
    d.predict(np.ones((2, 3), "float32"))
    d.stop()
    code = (f"import jhops.serving as s; df = s.read_inference_log('reader', project={root!r}); "
            "print(len(df), df.loc[0, 'n_instances'], df.loc[0, 'inputs'].shape)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["1", "2", "(2,", "3)"]


# A read that lands while the server shuts down gets no flush (it no longer takes connections) and says so.
@pytest.mark.filterwarnings("ignore:the model server of 'merging' did not confirm:RuntimeWarning")
def test_reading_while_a_stop_merges_the_parts(deploy: Callable[..., serving.Deployment], root: str) -> None:
    d = deploy("merging", "doubler")
    for i in range(30):
        d.predict(np.full((1, 3), i, "float32"))
        if i % 10 == 9:
            time.sleep(1.1)  # one part file per flush
    counts: list[int] = []
    reader = threading.Thread(target=lambda: counts.extend(
        len(serving.read_inference_log("merging", project=root)) for _ in range(20)))
    reader.start()
    d.stop()
    reader.join()
    assert set(counts) <= {30} and len(log_files(d.inference_log_path)) == 1


def test_payloads_of_every_numeric_kind_round_trip_and_missing_ones_stay_missing(tmp_path: object) -> None:
    payloads = [np.array([[True, False]]), np.arange(6, dtype=">i8").reshape(2, 3), np.ones((1, 2), "float16")]
    logger = InferenceLogger([ParquetSink(str(tmp_path))], "ALL")
    for i, payload in enumerate(payloads):
        logger.log(_record(i, payload, None if i == 1 else np.array([[i]])))
    logger.close()
    df = read_log(str(tmp_path))
    for i, payload in enumerate(payloads):
        assert df.loc[i, "inputs"].dtype == payload.dtype.newbyteorder("<")
        np.testing.assert_array_equal(df.loc[i, "inputs"], payload)
    assert df.loc[1, "predictions"] is None and df.loc[2, "predictions"].tolist() == [[2]]
