"""The model server process of one deployment: ``python -m jhops.serving.server <deployment folder>``.

It reads ``deployment.json``, loads the predictor, binds 127.0.0.1 (the previous port when free, else any),
records itself RUNNING and serves with uvicorn. SIGTERM stops it gracefully: no new connections, in-flight
requests finish, the batcher drains, the inference log is flushed and merged, and it records itself STOPPED.
A model that fails to load is recorded FAILED with the error; the traceback goes to ``server.log``.

Example (what ``jhops.serving.start`` runs)::

    python -m jhops.serving.server jhops-project/serving/iceberg
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
import traceback
from typing import Any

from jhops.serving.api_key import api_key
from jhops.serving.app import ModelInfo, ModelServer
from jhops.serving.batching import BatchingConfig
from jhops.serving.inference_log import DEFAULT_FLUSH_INTERVAL_S, InferenceLogger, InferenceLogSink, ParquetSink
from jhops.serving.model_source import DEFAULT_LOADER, load_predictor
from jhops.serving.store import INFERENCE_LOG_DIR, locked, read_record, update_record, write_record

GRACEFUL_TIMEOUT_S = 20
"""How long a stopping server lets in-flight requests run before it closes their connections."""
FLUSH_INTERVAL_ENV = "JHOPS_INFERENCE_LOG_FLUSH_S"
"""The environment variable that sets how often (seconds) the server writes its inference log; 1 s by default."""


def _bind(preferred: int | None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", preferred or 0))
    except OSError:
        sock.bind(("127.0.0.1", 0))  # the previous port is taken: any free one
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _sinks(folder: str, deployment: str) -> list[InferenceLogSink]:
    sinks: list[InferenceLogSink] = [ParquetSink(os.path.join(folder, INFERENCE_LOG_DIR))]
    bootstrap = os.environ.get("JHOPS_KAFKA_BOOTSTRAP")
    if bootstrap:
        from jhops.serving.kafka_sink import KafkaSink

        topic = os.environ.get("JHOPS_KAFKA_TOPIC") or f"jhops-inference-{deployment}"
        try:
            sinks.append(KafkaSink(bootstrap, topic))
        except Exception as exc:  # serve with the Parquet log rather than not at all
            print(f"jhops serving: no Kafka inference log: cannot reach {bootstrap} ({type(exc).__name__}: {exc})",
                  file=sys.stderr, flush=True)
    return sinks


def _flush_interval() -> float:
    raw = os.environ.get(FLUSH_INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_FLUSH_INTERVAL_S
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        print(f"jhops serving: {FLUSH_INTERVAL_ENV}={raw!r} is not a positive number of seconds; writing the "
              f"inference log every {DEFAULT_FLUSH_INTERVAL_S:g} s", file=sys.stderr, flush=True)
        return DEFAULT_FLUSH_INTERVAL_S
    return value


def _record_failure(folder: str, message: str) -> None:
    with locked(folder):
        record = read_record(folder)
        if record.get("pid") == os.getpid():
            write_record(folder, {**record, "state": "FAILED", "error": message, "pid": None})


def serve(folder: str) -> int:
    """Serve the deployment in ``folder`` until SIGTERM; the exit status (1 when the model failed to load).

    Example: ``serve("/proj/serving/iceberg")`` (blocks; ``jhops.serving.start`` runs it in a process)
    """
    record = read_record(folder)
    name = record["name"]
    try:
        predictor: Any = load_predictor(record["model_path"], record.get("loader") or DEFAULT_LOADER)
    except Exception as exc:
        traceback.print_exc()
        _record_failure(folder, f"could not load model {record['model_name']!r} version {record['model_version']} "
                                f"from {record['model_path']}: {type(exc).__name__}: {exc}")
        return 1
    signature = getattr(predictor, "signature", None) or record.get("signature") or {}
    info = ModelInfo(deployment=name, model_name=record["model_name"], model_version=record.get("model_version"),
                     framework=record["framework"], signature=signature)
    sock = _bind(record.get("port"))
    port = int(sock.getsockname()[1])
    logger = InferenceLogger(_sinks(folder, name), record.get("inference_logging", "ALL"),
                             flush_interval_s=_flush_interval())

    async def on_ready() -> None:
        await asyncio.to_thread(update_record, folder, state="RUNNING", pid=os.getpid(), port=port,
                                url=f"http://127.0.0.1:{port}", started=time.time(), error=None)

    async def on_stopped() -> None:
        def mark() -> None:
            with locked(folder):
                current = read_record(folder)
                if current.get("pid") == os.getpid():
                    write_record(folder, {**current, "state": "STOPPED", "pid": None, "stopped": time.time()})

        await asyncio.to_thread(mark)

    import uvicorn

    server = ModelServer(info, predictor.predict, BatchingConfig(**record.get("batching", {})), logger,
                         api_key(record["project"]), on_ready=on_ready, on_stopped=on_stopped)
    # No proxy sits in front of a loopback model server: uvicorn's X-Forwarded-* middleware would only cost time.
    config = uvicorn.Config(server.app(), lifespan="on", access_log=False, log_level="warning", proxy_headers=False,
                            timeout_graceful_shutdown=GRACEFUL_TIMEOUT_S, timeout_keep_alive=60)
    print(f"jhops serving {name!r}: model {info.model_name!r} version {info.model_version} "
          f"({info.framework}) on http://127.0.0.1:{port}, pid {os.getpid()}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    with contextlib.suppress(OSError):
        sock.close()
    print(f"jhops serving {name!r}: stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line: one argument, the deployment folder.

    Example: ``main(["/proj/serving/iceberg"])``
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jhops.serving.server <project>/serving/<name>", file=sys.stderr)
        return 2
    return serve(os.path.abspath(args[0]))


if __name__ == "__main__":
    sys.exit(main())
