"""TensorBoard HParams data for a trial, so TensorBoard's HParams dashboard (parallel coordinates, scatter
plots) can compare the trials of a search.

It writes the event file with TensorBoard's own protobufs and record writer, without importing TensorFlow:
a trial that does not use TensorFlow does not pay for loading it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from typing import Any


def write_hparams(logdir: str, params: Mapping[str, Any], metrics: Mapping[str, float]) -> str | None:
    """Write the trial's hyperparameters and final metrics under ``logdir``; return the file, or ``None``
    when the ``tensorboard`` package is not installed.

    Example: ``write_hparams("trial/tensorboard", {"lr": 0.01}, {"accuracy": 0.91})``
    """
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.hparams import summary_v2
        from tensorboard.summary.writer.record_writer import RecordWriter
    except ImportError:
        return None
    os.makedirs(logdir, exist_ok=True)
    now = time.time()
    path = os.path.join(logdir, f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}.hparams")
    # HParams values must be bool, int, float or str.
    hparams = {k: v if isinstance(v, (bool, int, float, str)) else str(v) for k, v in params.items()}
    events = [
        event_pb2.Event(wall_time=now, file_version="brain.Event:2"),
        event_pb2.Event(wall_time=now, step=0, summary=summary_v2.hparams_pb(hparams)),
    ]
    for key, value in metrics.items():
        value_pb = summary_pb2.Summary.Value(tag=key, simple_value=float(value))
        events.append(event_pb2.Event(wall_time=now, step=0, summary=summary_pb2.Summary(value=[value_pb])))
    with open(path, "wb") as stream:
        writer = RecordWriter(stream)
        for event in events:
            writer.write(event.SerializeToString())
    return path
