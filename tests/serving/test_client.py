"""The jhops model client: shared between threads, keep-alive reused, stale connections replaced, clear errors."""

from __future__ import annotations

import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from jhops import serving
from jhops.serving.client import UNREACHABLE, ModelClient
from jhops.serving.errors import InferenceRequestError


def _client(d: serving.Deployment, root: str, **options: float) -> ModelClient:
    return ModelClient(d.url, d.name, serving.api_key(root), **options)


def test_threads_share_one_client_and_its_connections_are_kept(deploy: Callable[..., serving.Deployment],
                                                               root: str) -> None:
    client = _client(deploy("client-doubler", "doubler"), root)
    for i in range(20):  # one caller at a time: one connection, kept alive
        np.testing.assert_array_equal(client.infer(np.full((1, 3), i, "float32")), np.full((1, 3), 2 * i))
    assert len(client._idle) == 1

    def call(i: int) -> bool:
        batch = np.full((2, 3), i, "float32")
        return bool((client.infer(batch) == 2 * batch).all()) and client.predict(batch.tolist()) == (2 * batch).tolist()

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(call, range(200)))
    assert 1 <= len(client._idle) <= 8
    client.close()
    assert client._idle == []


def test_a_connection_the_server_closed_is_replaced(deploy: Callable[..., serving.Deployment], root: str) -> None:
    d = deploy("client-restart", "doubler")
    client = _client(d, root)
    assert client.predict([[1, 2, 3]]) == [[2, 4, 6]]
    port = d.status().port
    d.stop()
    d.start(timeout=60)  # the same port when it is free: the pooled connection now points at a closed socket
    assert d.status().port == port
    assert client.predict([[1, 1, 1]]) == [[2, 2, 2]]


def test_errors_say_what_happened_and_the_client_goes_on(deploy: Callable[..., serving.Deployment],
                                                         root: str) -> None:
    d = deploy("client-fussy", "fussy")
    client = _client(d, root)
    with pytest.raises(InferenceRequestError, match=r"answered 500: .*negative values break this model") as error:
        client.predict([[-1, 0, 0]])
    assert error.value.status_code == 500
    assert client.predict([[1, 2, 3]]) == [6.0]
    d.stop()
    with pytest.raises(InferenceRequestError, match=r"no answer from the model server .* is the deployment running"
                       ) as error:
        client.predict([[1, 2, 3]])
    assert error.value.status_code == UNREACHABLE
    assert client.get("/v2/health/live") is None


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        client = ModelClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "m", "k", timeout=0.3)
        with pytest.raises(InferenceRequestError, match=r"did not answer within 0.3 s") as error:
            client.infer(np.zeros((1, 3), "float32"))
    assert error.value.status_code == UNREACHABLE
