"""Running predictions off the event loop, on one predictor thread, with optional dynamic batching.

With batching on, requests that arrive within ``max_latency_ms`` of the first waiting one are stacked (up to
``max_batch_size`` instances) and run as one ``predict`` call; the results are split back per request. Only
requests whose instances can be stacked (same dtype and instance shape, or all lists) share a batch.

Example::

    runner = PredictorRunner(predictor.predict, BatchingConfig(enabled=True))
    await runner.start()
    predictions = await runner.predict(np.zeros((1, 75, 75, 3), "float32"))
    await runner.stop()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from jhops.serving.errors import PredictorOutputError, ServingError

Batch = Any  # np.ndarray | list: the first axis is the instances


@dataclass(frozen=True)
class BatchingConfig:
    """Dynamic batching settings: off, or on with a batch size cap and a wait cap in milliseconds."""

    enabled: bool = False
    max_batch_size: int = 32
    max_latency_ms: float = 5.0

    @classmethod
    def parse(cls, value: bool | Mapping[str, Any] | BatchingConfig | None) -> BatchingConfig:
        """``True``/``False``, a ``{"max_batch_size", "max_latency_ms"}`` dict (batching on), or a config.

        Example: ``BatchingConfig.parse({"max_batch_size": 16})`` -> on, 16 instances, 5 ms
        """
        if isinstance(value, BatchingConfig):
            return value
        if value is None or isinstance(value, bool):
            return cls(enabled=bool(value))
        if not isinstance(value, Mapping):
            raise ServingError(f"batching must be True, False or a dict like "
                               f"{{'max_batch_size': 32, 'max_latency_ms': 5}}, got {value!r}")
        unknown = set(value) - {"enabled", "max_batch_size", "max_latency_ms"}
        if unknown:
            raise ServingError(f"unknown batching settings {sorted(unknown)}: use max_batch_size and max_latency_ms")
        config = cls(enabled=bool(value.get("enabled", True)),
                     max_batch_size=value.get("max_batch_size", cls.max_batch_size),
                     max_latency_ms=value.get("max_latency_ms", cls.max_latency_ms))
        if not isinstance(config.max_batch_size, int) or config.max_batch_size < 1:
            raise ServingError(f"max_batch_size must be a positive integer, got {config.max_batch_size!r}")
        if not isinstance(config.max_latency_ms, (int, float)) or config.max_latency_ms < 0:
            raise ServingError(f"max_latency_ms must be a number >= 0, got {config.max_latency_ms!r}")
        return config

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict."""
        return asdict(self)


@dataclass(eq=False)
class _Request:
    batch: Batch
    size: int
    key: Any
    arrival: float
    future: asyncio.Future[Batch] = field(repr=False)


def _stack_key(batch: Batch) -> Any:
    if isinstance(batch, np.ndarray):
        return ("array", batch.dtype.str, batch.shape[1:])
    if isinstance(batch, list):
        return ("list",)
    return object()  # a dict of several inputs runs alone


def _length(result: Any) -> int:
    if isinstance(result, Mapping):  # several named outputs (or inputs), one batch each
        lengths = {_length(v) for v in result.values()}
        if len(lengths) == 1:
            return lengths.pop()
        raise PredictorOutputError(f"the batches of {sorted(result)} have different lengths")
    try:
        return len(result)
    except TypeError:
        raise PredictorOutputError(f"the predictor returned {type(result).__name__}, not one prediction per "
                                   "instance") from None


def _slice(result: Any, start: int, stop: int) -> Any:
    if isinstance(result, Mapping):
        return {key: value[start:stop] for key, value in result.items()}
    return result[start:stop]


class PredictorRunner:
    """Runs ``predict`` on one thread, one request at a time or in dynamic batches."""

    def __init__(self, predict: Callable[[Batch], Batch], config: BatchingConfig) -> None:
        self._predict = predict
        self.config = config
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jhops-predictor")
        self._queue: asyncio.Queue[_Request | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batch_sizes: list[int] = []  # instances per predict call, the most recent 1000

    async def start(self) -> None:
        """Start the batching loop (a no-op without batching)."""
        if self.config.enabled:
            self._task = asyncio.get_running_loop().create_task(self._batch_loop())

    async def stop(self) -> None:
        """Finish the queued requests, then release the predictor thread."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def predict(self, batch: Batch) -> Batch:
        """The predictions for ``batch`` (first axis = instances), maybe computed together with other requests."""
        size = _length(batch)
        if not self.config.enabled:
            return await self._call(batch, size)
        loop = asyncio.get_running_loop()
        request = _Request(batch, size, _stack_key(batch), loop.time(), loop.create_future())
        await self._queue.put(request)
        return await request.future

    async def _call(self, batch: Batch, size: int) -> Batch:
        result = await asyncio.get_running_loop().run_in_executor(self._executor, self._predict, batch)
        self.batch_sizes = [*self.batch_sizes[-999:], size]
        if _length(result) != size:
            raise PredictorOutputError(f"the predictor returned {_length(result)} predictions for {size} instances")
        return result

    async def _batch_loop(self) -> None:
        loop = asyncio.get_running_loop()
        max_size, max_wait = self.config.max_batch_size, self.config.max_latency_ms / 1000.0
        carried: list[_Request] = []  # requests that could not join the last batch
        stopping = False
        while carried or not stopping:
            first = carried.pop(0) if carried else await self._queue.get()
            if first is None:
                stopping = True
                continue
            batch, size, left = [first], first.size, []
            for waiting in carried:
                if waiting.key == first.key and size + waiting.size <= max_size:
                    batch.append(waiting)
                    size += waiting.size
                else:
                    left.append(waiting)
            carried = left
            deadline = first.arrival + max_wait
            while size < max_size and not stopping:
                request: _Request | None
                try:
                    request = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    timeout = deadline - loop.time()
                    if timeout <= 0:
                        break
                    try:
                        request = await asyncio.wait_for(self._next(), timeout)
                    except asyncio.TimeoutError:
                        break
                if request is None:
                    stopping = True
                elif request.key == first.key and size + request.size <= max_size:
                    batch.append(request)
                    size += request.size
                else:
                    carried.append(request)
                    if request.key == first.key:
                        break  # the batch is full
            await self._run(batch, size)

    async def _next(self) -> _Request | None:
        return await self._queue.get()

    async def _run(self, batch: list[_Request], size: int) -> None:
        if len(batch) == 1:
            await self._settle(batch[0])
            return
        first = batch[0].batch
        stacked = (np.concatenate([r.batch for r in batch]) if isinstance(first, np.ndarray)
                   else [item for r in batch for item in r.batch])
        try:
            result = await self._call(stacked, size)
        except Exception:
            # One bad request must not fail the others: run each alone so only it gets the error.
            for request in batch:
                await self._settle(request)
            return
        offset = 0
        for request in batch:
            if not request.future.done():
                request.future.set_result(_slice(result, offset, offset + request.size))
            offset += request.size

    async def _settle(self, request: _Request) -> None:
        try:
            result = await self._call(request.batch, request.size)
        except Exception as exc:
            if not request.future.done():
                request.future.set_exception(exc)
        else:
            if not request.future.done():
                request.future.set_result(result)
