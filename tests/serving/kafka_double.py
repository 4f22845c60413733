"""A Kafka broker test double on 127.0.0.1: enough of the wire protocol (ApiVersions, Metadata, Produce with
record batches) for the real kafka-python producer to produce to it, keeping what it receives in memory.

Requests and responses are framed, versioned Kafka messages, encoded and decoded with kafka-python's
protocol classes (generated from Kafka's own message schemas); one partition per topic, auto-created.

Example::

    with KafkaDouble() as broker:
        KafkaProducer(bootstrap_servers=broker.bootstrap).send("t", b"v").get(timeout=10)
        broker.messages["t"]       # [(None, b"v")]
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import defaultdict
from typing import Any

from kafka.protocol.metadata import ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse
from kafka.protocol.producer import ProduceRequest, ProduceResponse
from kafka.record import MemoryRecords

# What the double speaks: up to the last non-flexible versions of Metadata and Produce, so no topic ids.
VERSIONS = {ApiVersionsRequest.API_KEY: (0, 4), MetadataRequest.API_KEY: (0, 8), ProduceRequest.API_KEY: (3, 8)}


def _read_exactly(conn: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = conn.recv(n)
        if not chunk:
            raise ConnectionError("closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class KafkaDouble:
    """A one-node broker on a free loopback port; ``messages[topic]`` lists the (key, value) pairs produced."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.messages: dict[str, list[tuple[bytes | None, bytes | None]]] = defaultdict(list)
        self.requests: list[tuple[int, int]] = []  # (api key, version) of every request, in order
        self._lock = threading.Lock()
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> KafkaDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        self._sock.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                while True:
                    (size,) = struct.unpack(">i", _read_exactly(conn, 4))
                    payload = _read_exactly(conn, size)
                    response = self._handle(payload)
                    if response is not None:
                        conn.sendall(response)
            except (ConnectionError, OSError):
                return

    def _handle(self, payload: bytes) -> bytes | None:
        api_key, version = struct.unpack(">hh", payload[:4])
        with self._lock:
            self.requests.append((api_key, version))
        handlers = {ApiVersionsRequest.API_KEY: self._api_versions, MetadataRequest.API_KEY: self._metadata,
                    ProduceRequest.API_KEY: self._produce}
        if api_key not in handlers:
            raise ConnectionError(f"the double does not speak api key {api_key}")
        return handlers[api_key](payload, version)

    @staticmethod
    def _reply(response: Any, request: Any, version: int) -> bytes:
        response.API_VERSION = version  # before the header: a response header has no version of its own
        response.with_header(correlation_id=request.header.correlation_id)
        return bytes(response.encode(header=True, framed=True))

    def _api_versions(self, payload: bytes, version: int) -> bytes:
        request = ApiVersionsRequest.decode(payload, version=version, header=True)
        keys = [ApiVersionsResponse.ApiVersion(api_key=k, min_version=lo, max_version=hi)
                for k, (lo, hi) in VERSIONS.items()]
        response = ApiVersionsResponse(error_code=0, api_keys=keys, throttle_time_ms=0, supported_features=[],
                                       finalized_features_epoch=-1, finalized_features=[],
                                       zk_migration_ready=False)
        return self._reply(response, request, version)

    def _metadata(self, payload: bytes, version: int) -> bytes:
        request = MetadataRequest.decode(payload, version=version, header=True)
        names = [t.name for t in request.topics] if request.topics else sorted(self.messages)
        topics = [MetadataResponse.MetadataResponseTopic(
            error_code=0, name=name, is_internal=False, authorized_operations=set(),
            partitions=[MetadataResponse.MetadataResponseTopic.MetadataResponsePartition(
                error_code=0, partition_index=0, leader_id=0, leader_epoch=0, replica_nodes=[0], isr_nodes=[0],
                offline_replicas=[])]) for name in names]
        response = MetadataResponse(
            throttle_time_ms=0, cluster_id="jhops-test", controller_id=0, authorized_operations=set(),
            brokers=[MetadataResponse.MetadataResponseBroker(node_id=0, host="127.0.0.1", port=self.port, rack=None)],
            topics=topics)
        return self._reply(response, request, version)

    def _produce(self, payload: bytes, version: int) -> bytes | None:
        request = ProduceRequest.decode(payload, version=version, header=True)
        responses = []
        for topic in request.topic_data:
            partitions = []
            for part in topic.partition_data:
                with self._lock:
                    base = len(self.messages[topic.name])
                    records = MemoryRecords(bytes(part.records))
                    while (batch := records.next_batch()) is not None:
                        for record in batch:
                            self.messages[topic.name].append((record.key, record.value))
                partitions.append(ProduceResponse.TopicProduceResponse.PartitionProduceResponse(
                    index=part.index, error_code=0, base_offset=base, log_append_time_ms=-1, log_start_offset=0,
                    record_errors=[], error_message=None))
            responses.append(ProduceResponse.TopicProduceResponse(name=topic.name, partition_responses=partitions))
        if request.acks == 0:
            return None
        return self._reply(ProduceResponse(responses=responses, throttle_time_ms=0), request, version)
