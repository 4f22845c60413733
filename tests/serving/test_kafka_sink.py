"""The Kafka sink: the real kafka-python producer against a broker double that speaks the Kafka wire protocol
(ApiVersions, Metadata, Produce), directly and from a served deployment; and a failing sink."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from jhops import serving
from jhops.serving.inference_log import InferenceLogger, InferenceRecord, ParquetSink, read_log
from jhops.serving.kafka_sink import KafkaSink

pytest.importorskip("kafka")
with warnings.catch_warnings():  # kafka-python reads its message schemas with deprecated importlib.resources calls
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka_double import KafkaDouble  # beside this file (pytest puts the test's folder on sys.path)


@pytest.fixture
def broker() -> Iterator[KafkaDouble]:
    with KafkaDouble() as double:
        yield double


def _record(i: int) -> InferenceRecord:
    return InferenceRecord(f"r{i}", time.time(), 2.0, "d", "m", 3, "v2", 200, None, 1,
                           np.full((1, 2), i, "float32"), np.array([[0.5]]))


def test_records_reach_kafka_and_parquet(broker: KafkaDouble, tmp_path: Any) -> None:
    logger = InferenceLogger([ParquetSink(str(tmp_path)), KafkaSink(broker.bootstrap, "jhops-inference-d")])
    for i in range(5):
        logger.log(_record(i))
    logger.close()
    assert len(read_log(str(tmp_path))) == 5
    messages = broker.messages["jhops-inference-d"]
    assert [key for key, _ in messages] == [b"r0", b"r1", b"r2", b"r3", b"r4"]
    value = json.loads(messages[3][1])
    assert value["inputs"] == [[3.0, 3.0]] and value["predictions"] == [[0.5]]
    assert value["model_version"] == 3 and value["timestamp"].endswith("+00:00")
    assert (0, 8) in broker.requests  # a Produce request, version 8, on the wire


def test_a_deployment_logs_to_kafka(broker: KafkaDouble, deploy: Callable[..., serving.Deployment], root: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JHOPS_KAFKA_BOOTSTRAP", broker.bootstrap)
    d = deploy("kafka", "doubler", inference_logging="PREDICTIONS")
    for i in range(10):
        d.predict(np.full((1, 3), i, "float32"))
    d.stop()
    messages = broker.messages["jhops-inference-kafka"]
    assert len(messages) == 10 == len(serving.read_inference_log("kafka", project=root))
    values = [json.loads(v) for _, v in messages]
    assert sorted(v["predictions"][0][0] for v in values) == [2.0 * i for i in range(10)]
    assert all(v["inputs"] is None and v["deployment"] == "kafka" for v in values)


def test_a_failing_sink_does_not_stop_the_file_log(tmp_path: Any) -> None:
    class Broken:
        def send(self, topic: str, key: bytes, value: bytes) -> None:
            raise ConnectionError("no broker")

        def flush(self) -> None: ...

        def close(self) -> None: ...

    logger = InferenceLogger([KafkaSink("x:1", "t", Broken()), ParquetSink(str(tmp_path))])
    logger.log(_record(0))
    logger.close()
    assert len(read_log(str(tmp_path))) == 1


def test_an_unreachable_broker_leaves_the_parquet_log(deploy: Callable[..., serving.Deployment], root: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("JHOPS_KAFKA_BOOTSTRAP", f"127.0.0.1:{port}")
    d = deploy("nokafka", "doubler")
    d.predict(np.ones((1, 3), "float32"))
    d.stop()
    assert len(serving.read_inference_log("nokafka", project=root)) == 1
    with open(f"{d.folder}/server.log") as f:
        assert "no Kafka inference log: cannot reach" in f.read()
