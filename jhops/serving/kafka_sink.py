"""A Kafka sink for the inference log, used when ``$JHOPS_KAFKA_BOOTSTRAP`` is set (``$JHOPS_KAFKA_TOPIC``
names the topic, default ``jhops-inference-<deployment>``), beside the Parquet files, which stay the record.
Tested against ``tests/serving/kafka_double.py``, a broker double that speaks the Kafka wire protocol.

Each record is one message: key = the request id, value = JSON with the record's fields, ``timestamp`` in ISO
8601 UTC, and ``inputs`` / ``predictions`` as nested lists (``null`` when the logging mode leaves them out).
Sends are asynchronous (kafka-python batches them); ``close`` flushes. A broker that cannot be reached when
the server starts is reported in ``server.log`` and the server runs with the Parquet log alone.

Example::

    sink = KafkaSink("localhost:9092", "jhops-inference-iceberg")
    sink.write(records)
    sink.close()
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from jhops.serving.inference_log import InferenceRecord, to_json


def message_value(record: InferenceRecord) -> bytes:
    """The JSON value of the Kafka message for ``record``.

    Example: ``json.loads(message_value(record))["model_name"]`` -> ``"iceberg-cnn"``
    """
    stamp = datetime.datetime.fromtimestamp(record.timestamp, tz=datetime.timezone.utc)
    return to_json({
        "request_id": record.request_id, "timestamp": stamp.isoformat(), "latency_ms": record.latency_ms,
        "deployment": record.deployment, "model_name": record.model_name, "model_version": record.model_version,
        "protocol": record.protocol, "status_code": record.status_code, "error": record.error,
        "n_instances": record.n_instances, "inputs": record.inputs, "predictions": record.predictions,
    })


class KafkaSink:
    """Produces inference log records to a Kafka topic with kafka-python (``producer`` may be given instead)."""

    def __init__(self, bootstrap: str, topic: str, producer: Any = None) -> None:
        self.topic = topic
        if producer is None:
            from kafka import KafkaProducer

            # 16 MB messages: a V1 request of a few hundred iceberg chips as nested JSON lists is several MB.
            # acks=1 without idempotence: the Parquet log is the record, Kafka a feed, so a rare duplicate
            # after a retry is cheaper than waiting on every replica.
            # Short blocking limits: the writer thread also writes the Parquet log, which a broker outage must
            # not hold up for long (a failing send abandons the rest of its flush for Kafka only).
            producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks=1, enable_idempotence=False,
                                     linger_ms=5, max_request_size=16 * 1024 * 1024, client_id="jhops-serving",
                                     bootstrap_timeout_ms=5000, max_block_ms=2000)
        self.producer = producer

    def write(self, records: Sequence[InferenceRecord]) -> None:
        for record in records:
            self.producer.send(self.topic, key=record.request_id.encode(), value=message_value(record))

    def close(self) -> None:
        self.producer.flush()
        self.producer.close()
