"""The model server's HTTP app: KServe V1 and Open Inference Protocol V2 over REST, behind the API key.

Routes (every one needs ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; a 401 otherwise):

- ``GET /v1/models/{name}``, ``POST /v1/models/{name}:predict`` (``{"instances": [...]}`` -> ``{"predictions"}``)
- ``GET /v2``, ``GET /v2/health/live``, ``GET /v2/health/ready``
- ``GET /v2/models/{name}[/versions/{v}]``, ``GET /v2/models/{name}[/versions/{v}]/ready``
- ``POST /v2/models/{name}[/versions/{v}]/infer``: JSON tensors, or the binary tensor data extension
  (``Inference-Header-Content-Length`` header, raw little-endian bytes after the JSON header)
- ``POST /jhops/inference-log/flush[?timeout=5]`` (jhops only): write every request answered so far to the
  inference log now; ``{"flushed": true}``, or a 503 when the writer did not finish within ``timeout`` s

``name`` is the deployment's name or its model's name; others get a 404. Errors are ``{"error": "..."}``: 400
for a payload the model cannot take, 500 when the predictor raises; the server stays up either way.

Example::

    app = ModelServer(info, predictor, BatchingConfig(), logger, key).app()
    uvicorn.run(app, host="127.0.0.1", port=8080)
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from jhops.serving.batching import BatchingConfig, PredictorRunner
from jhops.serving.client import FLUSH_PATH
from jhops.serving.errors import InvalidInputError, PayloadTooLargeError
from jhops.serving.inference_log import InferenceLogger, InferenceRecord, to_json
from jhops.serving.tensors import Tensor, conform, datatype_of, decode_v2_inputs, encode_v2_outputs, signature_dtype
from jhops.serving.tensors import as_batch as v1_batch

HEADER_LENGTH = "inference-header-content-length"
MAX_BODY_BYTES = 512 * 1024 * 1024
"""The largest request body a server reads (a 413 above it): about 7800 iceberg chips as binary tensors."""
MAX_FLUSH_TIMEOUT_S = 60.0

_PLATFORMS = {"keras": "tensorflow_keras", "tensorflow": "tensorflow_savedmodel", "sklearn": "sklearn",
              "torch": "pytorch_torchscript", "onnx": "onnx", "python": "python"}


@dataclass
class _Exchange:
    """One request as it is served: its id, and the batch and result once there are any (for the log)."""

    request_id: str
    batch: Any = None
    result: Any = None


@dataclass(frozen=True)
class ModelInfo:
    """What the server serves: the deployment, its model version and signature."""

    deployment: str
    model_name: str
    model_version: int | None
    framework: str
    signature: Mapping[str, Any] = field(default_factory=dict)


def json_response(content: Any, status_code: int = 200) -> Response:
    """A JSON response encoded with orjson (numpy arrays included).

    Example: ``json_response({"error": "no such model"}, 404)``
    """
    return Response(to_json(content), status_code=status_code, media_type="application/json")


class ApiKeyMiddleware:
    """Refuses every HTTP request without the API key (a plain ASGI wrapper: no per-request task or copy)."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            response = Response(to_json({"error": "missing or wrong API key: send 'Authorization: Bearer <key>' "
                                                  "or 'X-API-Key: <key>' (jhops.serving.api_key() gives it)"}),
                                status_code=401, media_type="application/json",
                                headers={"WWW-Authenticate": 'Bearer realm="jhops-serving"'})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                return hmac.compare_digest(value[7:].strip(), self.key)
            if name == b"x-api-key":
                return hmac.compare_digest(value.strip(), self.key)
        return False


def _loads(body: bytes, what: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError(f"the {what} is not valid JSON: {exc}") from None


def _v1_predictions(result: Any) -> Any:
    if isinstance(result, Mapping):  # several outputs: one object per instance, as TF Serving's row format
        columns = {k: np.asarray(v) for k, v in result.items()}
        n = len(next(iter(columns.values())))
        return [{k: v[i] for k, v in columns.items()} for i in range(n)]
    return result


class ModelServer:
    """The app of one deployment: its routes, predictor runner and inference logger."""

    def __init__(self, info: ModelInfo, predict: Callable[[Any], Any], batching: BatchingConfig,
                 logger: InferenceLogger, key: str,
                 on_ready: Callable[[], Awaitable[None]] | None = None,
                 on_stopped: Callable[[], Awaitable[None]] | None = None) -> None:
        self.info = info
        self.runner = PredictorRunner(predict, batching)
        self.logger = logger
        self.key = key
        self.ready = False
        self._on_ready = on_ready
        self._on_stopped = on_stopped
        # Request ids: a random prefix per server run and a counter, unique like uuid4 hex without its
        # urandom call per request (about 12 us on these VMs).
        self._id_prefix = os.urandom(8).hex()
        self._ids = itertools.count()

    def app(self) -> ASGIApp:
        """The ASGI app, authenticated."""
        routes = [  # the inference routes first: Starlette tries them in order on every request
            Route("/v2/models/{name}/infer", self.v2_infer, methods=["POST"]),
            Route("/v1/models/{name}:predict", self.v1_predict, methods=["POST"]),
            Route("/v1/models/{name}", self.v1_ready, methods=["GET"]),
            Route("/v2", self.server_metadata, methods=["GET"]),
            Route("/v2/health/live", self.live, methods=["GET"]),
            Route("/v2/health/ready", self.server_ready, methods=["GET"]),
            Route("/v2/models/{name}", self.model_metadata, methods=["GET"]),
            Route("/v2/models/{name}/versions/{version}", self.model_metadata, methods=["GET"]),
            Route("/v2/models/{name}/ready", self.model_ready, methods=["GET"]),
            Route("/v2/models/{name}/versions/{version}/ready", self.model_ready, methods=["GET"]),
            Route("/v2/models/{name}/versions/{version}/infer", self.v2_infer, methods=["POST"]),
            Route(FLUSH_PATH, self.flush_log, methods=["POST"]),
        ]
        app = Starlette(routes=routes, lifespan=self._lifespan,
                        exception_handlers={HTTPException: self._http_error})
        return ApiKeyMiddleware(app, self.key)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.runner.start()
        self.ready = True
        if self._on_ready is not None:
            await self._on_ready()
        yield
        # uvicorn has let the in-flight requests finish by now; what they logged is flushed before exit.
        self.ready = False
        await self.runner.stop()
        await asyncio.to_thread(self.logger.close)
        if self._on_stopped is not None:
            await self._on_stopped()

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
        if status == 404:
            detail = (f"no route {request.method} {request.url.path}: use /v1/models/{self.info.deployment}:predict "
                      f"or /v2/models/{self.info.deployment}/infer")
        return json_response({"error": detail}, status)

    def _check_model(self, request: Request) -> Response | None:
        name = request.path_params["name"]
        version = request.path_params.get("version")
        if name not in (self.info.deployment, self.info.model_name):
            return json_response({"error": f"model {name!r} is not served here; this server serves "
                                           f"{self.info.deployment!r} (model {self.info.model_name!r} version "
                                           f"{self.info.model_version})"}, 404)
        if version is not None and version != str(self.info.model_version):
            return json_response({"error": f"version {version!r} of {name!r} is not served here; this server "
                                           f"serves version {self.info.model_version}"}, 404)
        return None

    # Health and metadata

    async def live(self, request: Request) -> Response:
        return json_response({"live": True})

    async def server_ready(self, request: Request) -> Response:
        return json_response({"ready": self.ready}, 200 if self.ready else 503)

    async def server_metadata(self, request: Request) -> Response:
        from jhops import __version__

        return json_response({"name": "jhops", "version": __version__, "extensions": ["binary_tensor_data"]})

    async def v1_ready(self, request: Request) -> Response:
        return self._check_model(request) or json_response({"name": request.path_params["name"],
                                                            "ready": self.ready})

    async def model_ready(self, request: Request) -> Response:
        return self._check_model(request) or json_response(
            {"name": request.path_params["name"], "ready": self.ready}, 200 if self.ready else 503)

    async def model_metadata(self, request: Request) -> Response:
        missing = self._check_model(request)
        if missing is not None:
            return missing

        def specs(kind: str) -> list[dict[str, Any]]:
            out = []
            for spec in (self.info.signature or {}).get(kind) or []:
                dtype = signature_dtype(spec.get("dtype"))
                shape = [-1 if d is None or d < 0 else d for d in spec.get("shape") or []]
                out.append({"name": spec.get("name"), "datatype": datatype_of(dtype) if dtype is not None
                            else str(spec.get("dtype")), "shape": shape})
            return out

        return json_response({"name": request.path_params["name"], "versions": [str(self.info.model_version)],
                              "platform": _PLATFORMS.get(self.info.framework, self.info.framework),
                              "inputs": specs("inputs"), "outputs": specs("outputs")})

    async def flush_log(self, request: Request) -> Response:
        """Write every request answered so far to the inference log (each is logged before its response goes)."""
        raw = request.query_params.get("timeout", "5")
        try:
            timeout = float(raw)
        except ValueError:
            timeout = float("nan")
        if not 0 < timeout <= MAX_FLUSH_TIMEOUT_S:
            return json_response({"error": f"timeout={raw!r}: pass the seconds to wait for the inference log's "
                                           f"writer, more than 0 and at most {MAX_FLUSH_TIMEOUT_S:g}"}, 400)
        # In a thread: the wait must not hold up the event loop, and with it the requests being served.
        if await asyncio.to_thread(self.logger.flush, timeout):
            return json_response({"flushed": True})
        return json_response({"error": f"the inference log's writer did not finish within {timeout:g} s"}, 503)

    # Inference

    def _log(self, protocol: str, request_id: str, arrival: float, started: float, status: int,
             error: str | None, inputs: Any, predictions: Any) -> None:
        n = None
        with contextlib.suppress(TypeError):
            n = len(next(iter(inputs.values()))) if isinstance(inputs, Mapping) else len(inputs)
        self.logger.log(InferenceRecord(
            request_id=request_id, timestamp=arrival, latency_ms=(time.perf_counter() - started) * 1000.0,
            deployment=self.info.deployment, model_name=self.info.model_name,
            model_version=self.info.model_version, protocol=protocol, status_code=status, error=error,
            n_instances=n, inputs=inputs, predictions=predictions))

    @staticmethod
    async def _body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"the request body has {declared} bytes; the server takes at most "
                                       f"{MAX_BODY_BYTES} (send fewer instances per request)")
        return await request.body()

    def _conform(self, batch: Any) -> Any:
        return batch if isinstance(batch, Mapping) else conform(batch, self.info.signature)

    @staticmethod
    def _error(exc: Exception) -> tuple[int, str]:
        if isinstance(exc, PayloadTooLargeError):
            return 413, str(exc)
        if isinstance(exc, (InvalidInputError, ValueError)):
            return 400, str(exc)
        return 500, f"the predictor raised {type(exc).__name__}: {exc}"

    async def _answer(self, request: Request, protocol: str,
                      run: Callable[[Request, _Exchange], Awaitable[Response]]) -> Response:
        """Check the model name, run the protocol's ``run``, and log the exchange whatever its outcome: an error
        becomes ``{"error": ...}`` with its status (400, 413 or 500) and the server goes on."""
        started, arrival = time.perf_counter(), time.time()
        missing = self._check_model(request)
        if missing is not None:
            return missing
        exchange = _Exchange(request.headers.get("x-request-id") or f"{self._id_prefix}{next(self._ids):016x}")
        try:
            response = await run(request, exchange)
        except Exception as exc:
            status, message = self._error(exc)
            self._log(protocol, exchange.request_id, arrival, started, status, message, exchange.batch, None)
            return json_response({"error": message}, status)
        self._log(protocol, exchange.request_id, arrival, started, 200, None, exchange.batch, exchange.result)
        return response

    async def v1_predict(self, request: Request) -> Response:
        return await self._answer(request, "v1", self._v1_predict)

    async def _v1_predict(self, request: Request, exchange: _Exchange) -> Response:
        payload = _loads(await self._body(request), "request body")
        if not isinstance(payload, dict) or "instances" not in payload:
            raise InvalidInputError('a V1 predict request is a JSON object {"instances": [...]} with one '
                                    "entry per instance")
        exchange.batch = self._conform(v1_batch(payload["instances"]))
        exchange.result = await self.runner.predict(exchange.batch)
        return json_response({"predictions": _v1_predictions(exchange.result)})

    async def v2_infer(self, request: Request) -> Response:
        return await self._answer(request, "v2", self._v2_infer)

    async def _v2_infer(self, request: Request, exchange: _Exchange) -> Response:
        body = await self._body(request)
        header_length = request.headers.get(HEADER_LENGTH)
        if header_length is not None:
            if not header_length.isdigit() or int(header_length) > len(body):
                raise InvalidInputError(f"the {HEADER_LENGTH} header ({header_length!r}) must be the length "
                                        f"of the JSON header in bytes, at most the body's {len(body)}")
            split = int(header_length)
            header, binary = _loads(body[:split], "JSON header"), memoryview(body)[split:]
        else:
            header, binary = _loads(body, "request body"), memoryview(b"")
        tensors = decode_v2_inputs(header, binary)
        if isinstance(header.get("id"), str) and header["id"]:
            exchange.request_id = header["id"]
        exchange.batch = self._conform(tensors[0].array if len(tensors) == 1 else {t.name: t.array for t in tensors})
        exchange.result = await self.runner.predict(exchange.batch)
        return self._v2_response(header, exchange.request_id, exchange.result)

    def _v2_response(self, header: Mapping[str, Any], request_id: str, result: Any) -> Response:
        params = header.get("parameters") or {}
        binary_all = bool(isinstance(params, Mapping) and params.get("binary_data_output"))
        wanted = {o.get("name"): bool((o.get("parameters") or {}).get("binary_data"))
                  for o in header.get("outputs") or [] if isinstance(o, Mapping)}
        if isinstance(result, Mapping):
            named = [(str(k), v) for k, v in result.items() if not wanted or k in wanted]
        else:
            specs = (self.info.signature or {}).get("outputs") or []
            named = [(specs[0].get("name") if specs else "output-0", result)]
        outputs = []
        for name, value in named:
            array = np.asarray(value)
            outputs.append(Tensor(name, array, binary=binary_all or wanted.get(name, False)))
        objs, chunks = encode_v2_outputs(outputs)
        content = {"model_name": self.info.deployment, "model_version": str(self.info.model_version),
                   "id": request_id, "outputs": objs}
        head = to_json(content)
        if not chunks:
            return Response(head, media_type="application/json")
        return Response(head + b"".join(chunks), media_type="application/octet-stream",
                        headers={"Inference-Header-Content-Length": str(len(head))})
