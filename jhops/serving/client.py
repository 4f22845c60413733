"""An HTTP client for jhops model servers (any V1/V2 server with the same API key scheme).

Numeric arrays go as V2 binary tensors (no JSON for the data), anything else as a V1 ``instances`` list.
It keeps a pool of keep-alive ``http.client`` connections, one per concurrent caller: ``requests`` cost about
4 ms more per call on a 2-core machine and urllib3 0.15 ms more, which on a small model is much of what the
server adds. A pooled connection the server has closed meanwhile is replaced and the request sent again once.

Example::

    client = ModelClient("http://127.0.0.1:8080", "iceberg", key)
    client.infer(np.zeros((1, 75, 75, 3), "float32"))       # array([[0.51]], dtype=float32)
    client.predict([[5.1, 3.5, 1.4, 0.2]])                   # [0]
"""

from __future__ import annotations

import http.client
import socket
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import orjson

from jhops.serving.errors import InferenceRequestError
from jhops.serving.inference_log import to_json
from jhops.serving.tensors import Tensor, datatype_of, decode_v2_inputs

FLUSH_PATH = "/jhops/inference-log/flush"
"""The jhops model server's route that writes its inference log now (not part of KServe's protocols)."""
UNREACHABLE = 503
"""The ``status_code`` of the ``InferenceRequestError`` raised when no answer came (refused, reset, timed out)."""

# A kept-alive connection the server closed since its last use fails with one of these before any byte of
# the request reaches a handler: sending the request again on a new connection is safe.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class _Connection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        # http.client sends a large body apart from its headers: without TCP_NODELAY the body could wait for
        # the headers' delayed ACK (urllib3 sets it too).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass(frozen=True)
class Answer:
    """One HTTP response, read in full."""

    status: int
    headers: http.client.HTTPMessage
    data: bytes


def v2_binary_request(array: np.ndarray, name: str = "input-0", binary_output: bool = True) -> tuple[bytes, int]:
    """The body of a V2 request carrying ``array`` as binary tensor data, and its JSON header's length.

    Example::

        body, n = v2_binary_request(np.zeros((1, 3), "float32"))
        requests.post(url, data=body, headers={"Inference-Header-Content-Length": str(n), ...})
    """
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    raw = array.tobytes()
    header = to_json({"inputs": [{"name": name, "shape": list(array.shape), "datatype": datatype_of(array.dtype),
                                  "parameters": {"binary_data_size": len(raw)}}],
                      "parameters": {"binary_data_output": binary_output}})
    return header + raw, len(header)


def v2_outputs(body: bytes, header_length: str | None) -> list[Tensor]:
    """The output tensors of a V2 response body (JSON, or JSON header + binary data).

    Example: ``v2_outputs(response.content, response.headers.get("Inference-Header-Content-Length"))[0].array``
    """
    split = int(header_length) if header_length else len(body)
    header = orjson.loads(body[:split])
    return decode_v2_inputs({"inputs": header.get("outputs") or []}, memoryview(body)[split:])


class ModelClient:
    """Calls one model on one server with the API key; safe to share between threads."""

    def __init__(self, url: str, model: str, key: str, timeout: float = 60.0, connections: int = 32) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.headers = {"Authorization": f"Bearer {key}"}
        self.timeout = timeout
        self.connections = connections
        parts = urlsplit(self.url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Answer:
        headers = {**self.headers, **(headers or {})}
        for attempt in (0, 1):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = _Connection(self._host, self._port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                answer = Answer(response.status, response.headers, response.read())
            except _STALE as exc:
                conn.close()
                if reused and attempt == 0:
                    continue
                raise self._unreachable(exc) from None
            except (OSError, http.client.HTTPException) as exc:  # refused, timed out, a garbled answer
                conn.close()
                raise self._unreachable(exc) from None
            if response.will_close:
                conn.close()
            else:
                with self._lock:
                    if len(self._idle) < self.connections:
                        self._idle.append(conn)
                        conn = None
                if conn is not None:
                    conn.close()
            return answer
        raise AssertionError("unreachable")  # the loop returns or raises

    def _unreachable(self, exc: BaseException) -> InferenceRequestError:
        if isinstance(exc, TimeoutError):
            return InferenceRequestError(f"the model server at {self.url} did not answer within {self.timeout:g} s",
                                         UNREACHABLE)
        return InferenceRequestError(f"no answer from the model server at {self.url} ({type(exc).__name__}: {exc}); "
                                     "is the deployment running? serving.status(name) tells", UNREACHABLE)

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        response = self._request("POST", path, body, headers)
        if response.status != 200:
            try:
                message = str(orjson.loads(response.data).get("error", response.data))
            except (orjson.JSONDecodeError, AttributeError):
                message = response.data.decode(errors="replace")
            raise InferenceRequestError(f"the model server answered {response.status}: {message}", response.status)
        return response

    def get(self, path: str) -> int | None:
        """The HTTP status of ``GET path`` (e.g. ``/v2/health/ready``), or None when the server does not answer."""
        try:
            return self._request("GET", path).status
        except InferenceRequestError:
            return None

    def flush_inference_log(self, timeout: float) -> bool:
        """Have a jhops model server write every request it has answered to its inference log, waiting up to
        ``timeout`` s; whether it did (False when it answers otherwise, or not at all).

        Example: ``ModelClient(url, "iceberg", key, timeout=6).flush_inference_log(5.0)`` -> ``True``
        """
        try:
            answer = self._request("POST", f"{FLUSH_PATH}?timeout={timeout:g}", b"")
        except InferenceRequestError:
            return False
        return answer.status == 200

    def close(self) -> None:
        """Close the pooled connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def predict(self, instances: Any) -> Any:
        """V1 ``:predict``: the ``predictions`` list for ``instances`` (a list or array, first axis = instances)."""
        response = self._post(f"/v1/models/{self.model}:predict", to_json({"instances": instances}),
                              {"Content-Type": "application/json"})
        return orjson.loads(response.data)["predictions"]

    def infer(self, array: np.ndarray) -> np.ndarray:
        """V2 ``/infer`` with binary tensor data both ways: the first output as an array."""
        body, header_length = v2_binary_request(np.asarray(array))
        response = self._post(f"/v2/models/{self.model}/infer", body,
                              {"Inference-Header-Content-Length": str(header_length),
                               "Content-Type": "application/octet-stream"})
        return v2_outputs(response.data, response.headers.get("Inference-Header-Content-Length"))[0].array
