"""The inference log: every request and response of a deployment, kept durably in the project as Parquet.

A writer thread takes records from the request handlers (a list append, no encoding on the event loop) and
writes them to the sinks: always the Parquet files under ``<project>/serving/<name>/inference_log/``, and Kafka
when ``$JHOPS_KAFKA_BOOTSTRAP`` is set. It flushes a part file every ``flush_interval_s`` (1 s) or every
``flush_records`` (1000) records, whichever comes first, and when asked (``flush``: the model server's
``POST /jhops/inference-log/flush``, which monitoring calls so that it counts every answered request); a graceful
stop flushes the rest and merges the run's parts into one file. A killed server loses at most the records of its
last unflushed second.

Files: ``run-<start>-<pid>.part-<seq>.parquet`` while a server runs, ``run-<start>-<pid>.parquet`` once merged
(a reader skips the parts of a run that has its merged file, so a crash during the merge loses nothing).
Columns (``SCHEMA``): ``request_id``, ``timestamp`` (arrival, UTC), ``latency_ms`` (server side, arrival to
response), ``deployment``, ``model_name``, ``model_version``, ``protocol`` (``v1``/``v2``), ``status_code``,
``error``, ``n_instances``; then for ``inputs`` and ``predictions`` each: ``<x>`` raw little-endian bytes of a
numeric array, ``<x>_dtype`` (numpy dtype string, e.g. ``<f4``), ``<x>_shape`` (first axis = instances) and
``<x>_json`` (JSON text, for non-numeric payloads only).

Example::

    df = read_log("/proj/serving/iceberg/inference_log")       # one row per request
    df.loc[0, "inputs"].shape                                   # (1, 75, 75, 3)
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from jhops.serving.errors import ServingError

LOG_MODES = ("ALL", "MODEL_INPUTS", "PREDICTIONS", "NONE")
DEFAULT_FLUSH_INTERVAL_S = 1.0

_PAYLOAD_FIELDS = [
    ("", pa.binary()),
    ("_dtype", pa.string()),
    ("_shape", pa.list_(pa.int64())),
    ("_json", pa.string()),
]
SCHEMA = pa.schema(
    [
        ("request_id", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("latency_ms", pa.float64()),
        ("deployment", pa.string()),
        ("model_name", pa.string()),
        ("model_version", pa.int64()),
        ("protocol", pa.string()),
        ("status_code", pa.int16()),
        ("error", pa.string()),
        ("n_instances", pa.int32()),
        *[(f"inputs{suffix}", kind) for suffix, kind in _PAYLOAD_FIELDS],
        *[(f"predictions{suffix}", kind) for suffix, kind in _PAYLOAD_FIELDS],
    ]
)
_RUN_FILE = re.compile(r"^(run-[0-9TZ]+-\d+)(?:\.part-(\d+))?\.parquet$")


def check_mode(mode: str) -> str:
    """``mode`` upper-cased if it is one of ``LOG_MODES``.

    Example: ``check_mode("all")`` -> ``"ALL"``
    """
    if not isinstance(mode, str) or mode.upper() not in LOG_MODES:
        raise ServingError(f"inference_logging must be one of {', '.join(LOG_MODES)}, got {mode!r}")
    return mode.upper()


@dataclass
class InferenceRecord:
    """One request and its response, as the handler saw them (payloads not yet encoded)."""

    request_id: str
    timestamp: float  # seconds since the epoch, at arrival
    latency_ms: float
    deployment: str
    model_name: str
    model_version: int | None
    protocol: str
    status_code: int
    error: str | None
    n_instances: int | None
    inputs: Any = None
    predictions: Any = None


class InferenceLogSink(Protocol):
    """Where the writer thread sends batches of records."""

    def write(self, records: Sequence[InferenceRecord]) -> None: ...

    def close(self) -> None: ...


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode(errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def to_json(value: Any) -> bytes:
    """JSON bytes of a payload, numpy arrays included.

    Example: ``to_json(np.arange(3))`` -> ``b'[0,1,2]'``
    """
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY, default=_json_default)


def _encode_payload(value: Any) -> tuple[Any, str | None, list[int] | None, str | None]:
    """(raw bytes or a buffer over them, dtype, shape, JSON text) of one payload; a buffer saves a copy."""
    if value is None:
        return None, None, None, None
    if isinstance(value, list):
        with contextlib.suppress(ValueError, TypeError):
            array = np.asarray(value)
            if array.dtype.kind in "biuf":
                value = array
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        little = np.ascontiguousarray(value.astype(value.dtype.newbyteorder("<"), copy=False))
        return little.data.cast("B"), little.dtype.str, list(value.shape), None
    return None, None, None, to_json(value).decode()


def _binary_array(blobs: Sequence[Any]) -> pa.Array | pa.ChunkedArray:
    """A binary Arrow array from bytes-like values (or None), copied once into a buffer of Arrow's pool.

    ``pa.array`` appends value by value into a growing buffer, and ``b"".join`` maps fresh pages for every
    flush of tens of megabytes; Arrow's pool keeps its memory between flushes: 3 ms for 600 chips, not 17.
    """
    lengths = np.fromiter((0 if b is None else len(b) for b in blobs), np.int64, len(blobs))
    offsets = np.zeros(len(blobs) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if total >= 2**31:  # past binary's 32-bit offsets: pyarrow splits it into chunks
        return pa.array([None if b is None else bytes(b) for b in blobs], pa.binary())
    data = pa.allocate_buffer(total)
    target = np.frombuffer(data, np.uint8)
    for blob, start, length in zip(blobs, offsets[:-1].tolist(), lengths.tolist(), strict=True):
        if length:
            target[start:start + length] = np.frombuffer(blob, np.uint8)
    valid = np.fromiter((b is not None for b in blobs), np.bool_, len(blobs))
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.binary(), len(blobs), [bitmap, pa.py_buffer(offsets.astype(np.int32)), data])


def records_table(records: Sequence[InferenceRecord]) -> pa.Table:
    """The records as an Arrow table with ``SCHEMA``.

    Example: ``records_table([record]).num_rows`` -> ``1``
    """
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for r in records:
        columns["request_id"].append(r.request_id)
        columns["timestamp"].append(int(r.timestamp * 1_000_000))
        columns["latency_ms"].append(r.latency_ms)
        columns["deployment"].append(r.deployment)
        columns["model_name"].append(r.model_name)
        columns["model_version"].append(r.model_version)
        columns["protocol"].append(r.protocol)
        columns["status_code"].append(r.status_code)
        columns["error"].append(r.error)
        columns["n_instances"].append(r.n_instances)
        for prefix, value in (("inputs", r.inputs), ("predictions", r.predictions)):
            for (suffix, _), part in zip(_PAYLOAD_FIELDS, _encode_payload(value), strict=True):
                columns[prefix + suffix].append(part)
    # Microsecond integers straight into the timestamp type: a cast would load pyarrow's compute kernels
    # (half a second on the first flush).
    return pa.Table.from_arrays([_binary_array(columns[f.name]) if f.type == pa.binary()
                                 else pa.array(columns[f.name], type=f.type) for f in SCHEMA], schema=SCHEMA)


_LEAVES = [f"{f.name}.list.element" if pa.types.is_list(f.type) else f.name for f in SCHEMA]
_WRITE_OPTIONS: dict[str, Any] = {
    # zstd level 1 packs float32 chips as small as the default level (15% under raw) for less CPU; a dictionary
    # over 67 KB payloads is hashing for nothing, so only the repetitive metadata columns get one.
    "compression": "zstd", "compression_level": 1,
    "use_dictionary": [leaf for leaf in _LEAVES if leaf not in {"inputs", "predictions", "inputs_json",
                                                                "predictions_json"}],
}


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_write(table: pa.Table, path: str) -> None:
    # Arrow writes a path with its own file I/O; through a Python file object every chunk took the GIL and
    # cost three to ten times the system time.
    tmp = os.path.join(os.path.dirname(path), f".tmp-{os.path.basename(path)}")
    pq.write_table(table, tmp, **_WRITE_OPTIONS)
    _fsync(tmp)
    os.replace(tmp, path)


class ParquetSink:
    """Appends records to the inference log folder: one part file per flush, merged into one file on close."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.run_id = f"run-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
        self._parts: list[str] = []

    def write(self, records: Sequence[InferenceRecord]) -> None:
        path = os.path.join(self.directory, f"{self.run_id}.part-{len(self._parts):06d}.parquet")
        _fsync_write(records_table(records), path)
        self._parts.append(path)

    def close(self) -> None:
        if len(self._parts) < 2:
            return
        merged = os.path.join(self.directory, f"{self.run_id}.parquet")
        tmp = os.path.join(self.directory, f".tmp-{self.run_id}.parquet")
        with pq.ParquetWriter(tmp, SCHEMA, **_WRITE_OPTIONS) as writer:
            for part in self._parts:
                writer.write_table(pq.read_table(part, schema=SCHEMA))
        _fsync(tmp)
        os.replace(tmp, merged)
        for part in self._parts:
            with contextlib.suppress(FileNotFoundError):
                os.remove(part)
        self._parts = []


class InferenceLogger:
    """Takes records from any thread and writes them to the sinks from its own thread.

    Records are kept per ``mode``: ``ALL`` (inputs and predictions), ``MODEL_INPUTS``, ``PREDICTIONS`` (the
    metadata always), ``NONE`` (nothing).

    ``log`` only appends to a list under a lock: the writer wakes on its own every ``flush_interval_s`` and is
    woken early only when ``flush_records`` or ``flush_bytes`` is reached, or by ``flush`` (a reader that wants
    every answered request in the files now). Waking it on every record (a queue) cost each request a thread
    switch on the server's two cores.
    """

    def __init__(self, sinks: Iterable[InferenceLogSink], mode: str = "ALL",
                 flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S,
                 flush_records: int = 1000, flush_bytes: int = 64 * 1024 * 1024) -> None:
        self.mode = check_mode(mode)
        self.sinks = list(sinks)
        self.flush_interval_s = flush_interval_s
        self.flush_records = flush_records
        self.flush_bytes = flush_bytes
        self._lock = threading.Lock()
        self._pending: list[InferenceRecord] = []
        self._pending_bytes = 0
        self._logged = 0  # records queued since the start (under _lock)
        self._written = 0  # records the sinks have had (under _done): queued and written keep one order
        self._done = threading.Condition()
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="jhops-inference-log", daemon=True)
        if self.mode != "NONE":
            # Build one table now: pyarrow's first timestamp-with-timezone array loads the time zone database
            # (about half a second), which would otherwise delay the first flush.
            records_table([_WARM_UP])
            self._thread.start()

    def log(self, record: InferenceRecord) -> None:
        """Queue ``record`` (dropping the payloads the mode does not keep)."""
        if self.mode == "NONE":
            return
        if self.mode == "MODEL_INPUTS":
            record.predictions = None
        elif self.mode == "PREDICTIONS":
            record.inputs = None
        size = sum(getattr(p, "nbytes", 0) for p in (record.inputs, record.predictions))
        with self._lock:
            self._pending.append(record)
            self._logged += 1
            self._pending_bytes += size
            full = len(self._pending) >= self.flush_records or self._pending_bytes >= self.flush_bytes
        if full:
            self._wake.set()

    def flush(self, timeout: float) -> bool:
        """Have the writer write every record logged before this call now, and wait up to ``timeout`` seconds
        until the sinks have had them; whether they have (a failing sink counts as had: it is reported in the
        server log, as on every flush).

        Example: ``logger.flush(5.0)`` -> ``True``; ``read_log(directory)`` then holds every answered request.
        """
        if self.mode == "NONE":
            return True
        with self._lock:
            target = self._logged
            self._wake.set()  # under the lock: the writer's take, which clears it, cannot slip in between
        deadline = time.monotonic() + timeout
        with self._done:
            while self._written < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return self._written >= target
                self._done.wait(min(left, 0.5))  # and look again whether the writer still runs
        return True

    def close(self) -> None:
        """Write every queued record, then close the sinks (the Parquet sink merges its parts)."""
        if self._thread.is_alive():
            with self._lock:  # _take reads the flag under the same lock
                self._closing = True
            self._wake.set()
            self._thread.join()
        for sink in self.sinks:
            self._guarded(sink.close)

    @staticmethod
    def _guarded(action: Any, *args: Any) -> None:
        # A failing sink (Kafka down, disk full) is reported in the server log and must not stop the others.
        try:
            action(*args)
        except Exception as exc:
            print(f"jhops inference log: {action!r} failed: {type(exc).__name__}: {exc}", file=sys.stderr,
                  flush=True)

    def _take(self) -> list[InferenceRecord]:
        with self._lock:
            pending, self._pending, self._pending_bytes = self._pending, [], 0
            if not self._closing:  # a close() since the loop read the flag keeps its wake-up, so none waits 1 s
                self._wake.clear()
        return pending

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.flush_interval_s)
            closing = self._closing  # read before the take: a record logged before close() is in this batch
            pending = self._take()
            if pending:
                for sink in self.sinks:
                    self._guarded(sink.write, pending)
                with self._done:
                    self._written += len(pending)
                    self._done.notify_all()
            if closing:
                return


_WARM_UP = InferenceRecord("", 0.0, 0.0, "", "", None, "", 0, None, None)


def log_files(directory: str) -> list[str]:
    """The Parquet files that hold the log in ``directory``, oldest run first (parts of merged runs left out).

    Example: ``log_files("/proj/serving/iceberg/inference_log")`` -> ``[".../run-20261122T101500Z-4242.parquet"]``
    """
    if not os.path.isdir(directory):
        return []
    merged, parts = set(), []
    for name in sorted(os.listdir(directory)):
        match = _RUN_FILE.match(name)
        if match is None:
            continue
        if match.group(2) is None:
            merged.add(match.group(1))
        parts.append((match.group(1), name))
    return [os.path.join(directory, name) for run, name in parts
            if run not in merged or name == f"{run}.parquet"]


def _decode(blob: bytes | None, dtype: str | None, shape: list[int] | None, text: str | None) -> Any:
    if blob is not None and dtype is not None and shape is not None:
        return np.frombuffer(blob, dtype=np.dtype(dtype)).reshape(shape)
    if text is not None:
        return orjson.loads(text)
    return None


def read_log(directory: str, decode: bool = True, per_instance: bool = False) -> Any:
    """The inference log in ``directory`` as a pandas DataFrame, one row per request, oldest first.

    With ``decode`` the payload columns become ``inputs`` and ``predictions``: numpy arrays (first axis =
    instances) or the decoded JSON. With ``per_instance`` there is one row per instance instead, with an
    ``instance`` index and that instance's ``inputs`` and ``predictions`` (for drift statistics).

    Example::

        df = read_log("/proj/serving/iceberg/inference_log", per_instance=True)
        np.stack(df["inputs"]).mean(axis=0)        # mean input of the served instances
    """
    for attempt in range(5):
        try:
            tables = [pq.read_table(path, schema=SCHEMA) for path in log_files(directory)]
            break
        except FileNotFoundError:
            # A stopping server merged its parts and removed them between our listing and our read: list again.
            if attempt == 4:
                raise
            time.sleep(0.05)
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    frame = table.to_pandas()
    frame = frame.sort_values("timestamp", kind="stable").reset_index(drop=True)
    if not decode:
        return frame
    for prefix in ("inputs", "predictions"):
        cols = [frame[prefix + suffix] for suffix, _ in _PAYLOAD_FIELDS]
        frame[prefix] = [_decode(b, d, list(s) if s is not None else None, t) for b, d, s, t in zip(*cols, strict=True)]
        frame = frame.drop(columns=[prefix + suffix for suffix, _ in _PAYLOAD_FIELDS if suffix])
    if per_instance:
        frame = _explode(frame)
    return frame


def _explode(frame: Any) -> Any:
    import pandas as pd

    rows = []
    for record in frame.to_dict("records"):
        n = record["n_instances"] or 0
        inputs, predictions = record["inputs"], record["predictions"]
        for i in range(n):
            rows.append({**record, "instance": i,
                         "inputs": inputs[i] if inputs is not None and len(inputs) == n else None,
                         "predictions": predictions[i] if predictions is not None and len(predictions) == n
                         else None})
    columns = [*frame.columns, "instance"]
    return pd.DataFrame(rows, columns=columns)
