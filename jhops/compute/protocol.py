"""The driver <-> worker protocol: signed JSON messages over ZeroMQ.

The driver binds a ROUTER socket; each worker connects a DEALER and makes strict request/reply calls.
Every message body is JSON, signed with HMAC-SHA256 under a per-launch secret (as Jupyter signs kernel
messages), so a process that does not know the secret cannot register, fetch work or report results.
No pickle travels on this channel: the training function goes to a worker once, when it starts.

Requests (worker -> driver) and their replies:

=========  =============================================  ==========================================
request    body                                           reply
=========  =============================================  ==========================================
REG        worker info (index, host, pid, spark task...)  OK
GET        -                                              TASK {task} | WAIT | DONE
HB         task id or null, updates (metrics, logs)       OK | STOP (end the current task now)
FINAL      task id, result                                OK
=========  =============================================  ==========================================
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import zmq

REG, GET, HB, FINAL = "REG", "GET", "HB", "FINAL"
OK, TASK, WAIT, DONE, STOP = "OK", "TASK", "WAIT", "DONE", "STOP"


class ProtocolError(RuntimeError):
    """A message was malformed, unsigned, or the peer stopped answering."""


def new_secret() -> str:
    return secrets.token_hex(32)


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode()


def encode(secret: bytes, message: dict[str, Any]) -> list[bytes]:
    body = json.dumps(message, separators=(",", ":"), default=str).encode()
    return [_sign(secret, body), body]


def decode(secret: bytes, frames: list[bytes]) -> dict[str, Any]:
    if len(frames) != 2:
        raise ProtocolError(f"expected 2 frames (signature, body), got {len(frames)}")
    signature, body = frames
    if not hmac.compare_digest(signature, _sign(secret, body)):
        raise ProtocolError("bad signature: the sender does not hold this launch's secret")
    message = json.loads(body)
    if not isinstance(message, dict) or "type" not in message:
        raise ProtocolError("message without a type")
    return message


@dataclass
class Request:
    """A request received by the driver, with the routing identity needed to answer it."""

    identity: bytes
    message: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.message["type"])


class DriverChannel:
    """The driver's end: a bound ROUTER socket that receives signed requests and answers them.

    Example::

        channel = DriverChannel(secret, host="127.0.0.1")
        request = channel.receive(timeout=0.1)   # None when nothing arrived
        if request: channel.reply(request, {"type": "OK"})
    """

    def __init__(self, secret: str, host: str = "127.0.0.1") -> None:
        self._secret = secret.encode()
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.ROUTER)
        self._socket.setsockopt(zmq.LINGER, 0)
        port = self._socket.bind_to_random_port(f"tcp://{host}")
        self.address = f"tcp://{host}:{port}"
        self.rejected = 0

    def receive(self, timeout: float) -> Request | None:
        """Wait up to ``timeout`` seconds for one request; unsigned or malformed ones are dropped."""
        if not self._socket.poll(int(timeout * 1000), zmq.POLLIN):
            return None
        identity, *frames = self._socket.recv_multipart()
        try:
            return Request(identity, decode(self._secret, frames))
        except (ProtocolError, ValueError):
            self.rejected += 1
            return None

    def reply(self, request: Request, message: dict[str, Any]) -> None:
        self._socket.send_multipart([request.identity, *encode(self._secret, message)])

    def close(self) -> None:
        self._socket.close(linger=0)
        self._context.term()


class WorkerChannel:
    """The worker's end: request/reply calls, safe to use from several threads.

    ``timeout`` bounds how long a call waits for the driver; when it passes, ``ProtocolError`` is
    raised so an orphaned worker ends instead of waiting forever.
    """

    def __init__(self, address: str, secret: str, timeout: float = 60.0) -> None:
        self._secret = secret.encode()
        self._timeout_ms = int(timeout * 1000)
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.DEALER)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.connect(address)
        self._lock = threading.Lock()

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._socket.send_multipart(encode(self._secret, message))
            if not self._socket.poll(self._timeout_ms, zmq.POLLIN):
                raise ProtocolError(
                    f"the driver did not answer a {message['type']} within {self._timeout_ms / 1000:.0f}s"
                )
            return decode(self._secret, self._socket.recv_multipart())

    def close(self) -> None:
        self._socket.close(linger=0)
        self._context.term()
