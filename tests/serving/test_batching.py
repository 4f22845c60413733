"""Dynamic batching: the runner alone (asyncio) and a real server with a predictor that records its batches."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from jhops import models, serving
from jhops.serving.batching import BatchingConfig, PredictorRunner

PREDICTORS = os.path.join(os.path.dirname(__file__), "predictors", "echo.py")


class Recorder:
    def __init__(self, delay: float = 0.0, fail_on: float | None = None) -> None:
        self.sizes: list[int] = []
        self.threads: set[str] = set()
        self.delay = delay
        self.fail_on = fail_on

    def predict(self, batch: Any) -> Any:
        self.threads.add(threading.current_thread().name)
        self.sizes.append(len(batch))
        time.sleep(self.delay)
        if self.fail_on is not None and isinstance(batch, np.ndarray) and (batch == self.fail_on).any():
            raise ValueError("bad instance")
        return batch * 10 if isinstance(batch, np.ndarray) else [f"<{x}>" for x in batch]


async def _gather(runner: PredictorRunner, batches: list[Any]) -> list[Any]:
    await runner.start()
    try:
        return await asyncio.gather(*(runner.predict(b) for b in batches), return_exceptions=True)
    finally:
        await runner.stop()


def test_concurrent_requests_are_stacked_and_split_back() -> None:
    recorder = Recorder(delay=0.01)
    runner = PredictorRunner(recorder.predict, BatchingConfig(enabled=True, max_batch_size=8, max_latency_ms=20))
    batches = [np.full((1, 2), i, dtype="float32") for i in range(20)]
    results = asyncio.run(_gather(runner, batches))
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result, np.full((1, 2), 10 * i))
    assert sum(recorder.sizes) == 20 and max(recorder.sizes) == 8 and len(recorder.sizes) <= 4
    assert len(recorder.threads) == 1 and not any(t == "MainThread" for t in recorder.threads)


def test_without_batching_each_request_runs_alone() -> None:
    recorder = Recorder()
    runner = PredictorRunner(recorder.predict, BatchingConfig(enabled=False))
    asyncio.run(_gather(runner, [np.ones((1, 2)) for _ in range(10)]))
    assert recorder.sizes == [1] * 10


def test_multi_instance_requests_and_the_size_cap() -> None:
    recorder = Recorder()
    runner = PredictorRunner(recorder.predict, BatchingConfig(enabled=True, max_batch_size=5, max_latency_ms=20))
    results = asyncio.run(_gather(runner, [np.ones((3, 2)), np.ones((3, 2)), np.ones((2, 2)), np.ones((9, 2))]))
    assert [len(r) for r in results] == [3, 3, 2, 9]
    assert sorted(recorder.sizes) == [3, 5, 9]  # 3+2 stacked; 3+3 would pass the cap; 9 alone


def test_unstackable_requests_run_in_separate_batches() -> None:
    recorder = Recorder()
    runner = PredictorRunner(recorder.predict, BatchingConfig(enabled=True, max_batch_size=32, max_latency_ms=20))
    batches: list[Any] = [np.ones((1, 2)), np.ones((1, 3)), ["a"], np.ones((1, 2)), ["b", "c"],
                          np.ones((1, 2), dtype="int64")]
    results = asyncio.run(_gather(runner, batches))
    assert results[2] == ["<a>"] and results[4] == ["<b>", "<c>"]
    assert results[1].shape == (1, 3) and results[5].dtype == np.int64
    assert sorted(recorder.sizes) == [1, 1, 2, 3]  # float (1, 2) x2, (1, 3), lists ["a"] + ["b", "c"], int64


def test_one_bad_request_does_not_fail_its_batch() -> None:
    recorder = Recorder(fail_on=-1)
    runner = PredictorRunner(recorder.predict, BatchingConfig(enabled=True, max_batch_size=8, max_latency_ms=20))
    batches = [np.full((1, 2), v, dtype="float32") for v in (1, 2, -1, 4)]
    results = asyncio.run(_gather(runner, batches))
    assert isinstance(results[2], ValueError)
    assert [float(r[0, 0]) for i, r in enumerate(results) if i != 2] == [10.0, 20.0, 40.0]


def test_a_predictor_that_returns_the_wrong_count() -> None:
    runner = PredictorRunner(lambda batch: batch[:1], BatchingConfig(enabled=False))
    (result,) = asyncio.run(_gather(runner, [np.ones((3, 2))]))
    assert isinstance(result, RuntimeError) and "1 predictions for 3 instances" in str(result)


@pytest.mark.parametrize("batching", [True, False])
def test_a_served_model_gets_batches(deploy: Callable[..., serving.Deployment], root: str, batching: bool,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    name = "batched" if batching else "unbatched"
    monkeypatch.setenv("JHOPS_TEST_PREDICT_DELAY", "0.02")
    version = models.export(PREDICTORS, name, framework="python", predictor_class="Doubler",
                            input_example=np.zeros((2, 3), "float32"), project=root)
    sizes_file = os.path.join(version.path, "batch_sizes.txt")
    os.remove(sizes_file)  # the export's own trial run of the example
    d = deploy(name, name, batching={"max_batch_size": 16, "max_latency_ms": 10} if batching else False)
    chips = [np.full((1, 3), i, dtype="float32") for i in range(64)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(d.predict, chips))
    assert [float(r[0, 0]) for r in results] == [2.0 * i for i in range(64)]
    with open(sizes_file) as f:
        sizes = [int(line) for line in f]
    assert sum(sizes) == 64
    if batching:
        assert max(sizes) > 4 and len(sizes) < 32
    else:
        assert sizes == [1] * 64
