"""The Kafka sink through the sink interface, with a stand-in producer.

No Kafka broker can run here, and no wire-protocol test double is written yet: the real kafka-python producer
path is untested. This checks what the sink sends and that the logger drives it beside the Parquet sink.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from jhops.serving.inference_log import InferenceLogger, InferenceRecord, ParquetSink, read_log
from jhops.serving.kafka_sink import KafkaSink


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []
        self.flushed = self.closed = False

    def send(self, topic: str, key: bytes, value: bytes) -> None:
        self.sent.append((topic, key, value))

    def flush(self) -> None:
        self.flushed = True

    def close(self) -> None:
        self.closed = True


def test_records_go_to_kafka_and_to_parquet(tmp_path: Any) -> None:
    producer = FakeProducer()
    logger = InferenceLogger([ParquetSink(str(tmp_path)), KafkaSink("unused:9092", "jhops-inference-d", producer)])
    for i in range(5):
        logger.log(InferenceRecord(f"r{i}", time.time(), 2.0, "d", "m", 3, "v2", 200, None, 1,
                                   np.full((1, 2), i, "float32"), np.array([[0.5]])))
    logger.close()
    assert producer.flushed and producer.closed and len(read_log(str(tmp_path))) == 5
    topic, key, value = producer.sent[3]
    message = json.loads(value)
    assert (topic, key) == ("jhops-inference-d", b"r3")
    assert message["inputs"] == [[3.0, 3.0]] and message["predictions"] == [[0.5]]
    assert message["model_version"] == 3 and message["timestamp"].endswith("+00:00")


def test_a_failing_sink_does_not_stop_the_file_log(tmp_path: Any) -> None:
    class Broken(FakeProducer):
        def send(self, topic: str, key: bytes, value: bytes) -> None:
            raise ConnectionError("no broker")

    logger = InferenceLogger([KafkaSink("x:1", "t", Broken()), ParquetSink(str(tmp_path))])
    logger.log(InferenceRecord("r", time.time(), 1.0, "d", "m", 1, "v1", 200, None, 1, [[1]], [[2]]))
    logger.close()
    assert len(read_log(str(tmp_path))) == 1
