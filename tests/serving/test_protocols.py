"""KServe V1 and Open Inference Protocol V2 (JSON and binary) against real deployment processes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import orjson
import pytest
import requests

from jhops import serving
from jhops.serving.client import v2_binary_request, v2_outputs


@pytest.fixture(scope="module")
def doubler(deploy: Callable[..., serving.Deployment]) -> serving.Deployment:
    return deploy("doubler", "doubler")


def test_v1_ready_and_predict(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    url, auth = doubler.url, key_headers
    assert requests.get(f"{url}/v1/models/doubler", headers=auth).json() == {"name": "doubler", "ready": True}
    response = requests.post(f"{url}/v1/models/doubler:predict", json={"instances": [[1, 2, 3], [4, 5, 6]]},
                             headers=auth)
    assert response.status_code == 200
    assert response.json() == {"predictions": [[2, 4, 6], [8, 10, 12]]}


def test_v2_health_and_metadata(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    url, auth = doubler.url, key_headers
    assert requests.get(f"{url}/v2/health/live", headers=auth).json() == {"live": True}
    assert requests.get(f"{url}/v2/health/ready", headers=auth).json() == {"ready": True}
    assert requests.get(f"{url}/v2/models/doubler/ready", headers=auth).json()["ready"] is True
    assert "binary_tensor_data" in requests.get(f"{url}/v2", headers=auth).json()["extensions"]
    meta = requests.get(f"{url}/v2/models/doubler", headers=auth).json()
    assert meta["name"] == "doubler" and meta["versions"] == ["1"] and meta["platform"] == "python"
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 3]}]
    assert requests.get(f"{url}/v2/models/doubler/versions/1", headers=auth).status_code == 200
    assert requests.get(f"{url}/v2/models/doubler/versions/7", headers=auth).status_code == 404


def test_v2_json_tensors(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    body = {"id": "req-1", "inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32",
                                       "data": [1, 2, 3, 4, 5, 6]}]}
    response = requests.post(f"{doubler.url}/v2/models/doubler/infer", json=body, headers=key_headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["model_name"] == "doubler" and out["model_version"] == "1" and out["id"] == "req-1"
    assert out["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [2, 3],
                               "data": [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]}]


def test_v2_binary_tensors_both_ways(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    chip = np.random.default_rng(0).random((1, 3), dtype=np.float32)
    body, length = v2_binary_request(chip)
    response = requests.post(f"{doubler.url}/v2/models/doubler/infer", data=body,
                             headers={**key_headers, "Inference-Header-Content-Length": str(length)})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    head_length = int(response.headers["Inference-Header-Content-Length"])
    head = orjson.loads(response.content[:head_length])
    assert head["outputs"][0]["parameters"] == {"binary_data_size": 12}
    np.testing.assert_array_equal(v2_outputs(response.content, str(head_length))[0].array, chip * 2)


def test_v2_binary_input_json_output(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    raw = np.arange(6, dtype="<f4").tobytes()
    header = orjson.dumps({"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32",
                                       "parameters": {"binary_data_size": len(raw)}}]})
    response = requests.post(f"{doubler.url}/v2/models/doubler/infer", data=header + raw,
                             headers={**key_headers, "Inference-Header-Content-Length": str(len(header))})
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0]["data"] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]


def test_client_predict(doubler: serving.Deployment) -> None:
    array = serving.predict("doubler", np.ones((4, 3), dtype="float32"), project=doubler.root)
    assert isinstance(array, np.ndarray) and array.dtype == np.float32 and array.tolist() == [[2.0] * 3] * 4
    assert serving.predict("doubler", [[1, 1, 1]], project=doubler.root) == [[2.0, 2.0, 2.0]]


@pytest.mark.parametrize("auth", [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"},
                                  {"Authorization": "Basic abc"}])
def test_401_without_the_key(doubler: serving.Deployment, auth: dict[str, str]) -> None:
    for method, path in [("get", "/v2/health/ready"), ("post", "/v1/models/doubler:predict"),
                         ("post", "/v2/models/doubler/infer"), ("get", "/nowhere")]:
        response = requests.request(method, doubler.url + path, headers=auth, json={"instances": [[1, 2, 3]]})
        assert response.status_code == 401
        assert "API key" in response.json()["error"]


def test_flush_the_inference_log_behind_the_key(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    url = f"{doubler.url}/jhops/inference-log/flush"
    assert requests.post(url).status_code == 401
    doubler.predict(np.ones((1, 3), "float32"))
    response = requests.post(url, params={"timeout": "10"}, headers=key_headers)
    assert response.status_code == 200 and response.json() == {"flushed": True}
    for bad in ("soon", "0", "-1", "nan", "1000"):
        response = requests.post(url, params={"timeout": bad}, headers=key_headers)
        assert response.status_code == 400 and "timeout" in response.json()["error"]
    assert doubler.flush_inference_log() is True


def test_x_api_key_header(doubler: serving.Deployment) -> None:
    response = requests.get(f"{doubler.url}/v2/health/ready", headers={"X-API-Key": doubler.api_key})
    assert response.status_code == 200


def test_404s(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    auth = key_headers
    response = requests.post(f"{doubler.url}/v1/models/other:predict", json={"instances": [[1, 2, 3]]},
                             headers=auth)
    assert response.status_code == 404 and "'other' is not served here" in response.json()["error"]
    assert requests.post(f"{doubler.url}/v2/models/other/infer", json={}, headers=auth).status_code == 404
    assert requests.get(f"{doubler.url}/v2/models/other", headers=auth).status_code == 404
    response = requests.get(f"{doubler.url}/v3/whatever", headers=auth)
    assert response.status_code == 404 and "error" in response.json()


BAD_V1 = [
    (b"{not json", "not valid JSON"),
    (b'{"inputs": [[1, 2, 3]]}', "instances"),
    (b'{"instances": []}', "non-empty list"),
    (b'{"instances": [[1, 2]]}', "shape"),
    (b'{"instances": [[1, 2, 3, 4]]}', "shape"),
    (b'[1, 2, 3]', "instances"),
]


@pytest.mark.parametrize(("body", "message"), BAD_V1)
def test_v1_400_then_a_good_request(doubler: serving.Deployment, body: bytes, message: str, key_headers: dict[str,
                                    str]) -> None:
    url, auth = doubler.url, {**key_headers, "Content-Type": "application/json"}
    response = requests.post(f"{url}/v1/models/doubler:predict", data=body, headers=auth)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    good = requests.post(f"{url}/v1/models/doubler:predict", json={"instances": [[1, 2, 3]]}, headers=auth)
    assert good.status_code == 200


def _input(**fields: object) -> dict[str, object]:
    return {"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], **fields}]}


BAD_V2 = [
    ({}, "'inputs'"),
    ({"inputs": []}, "'inputs'"),
    ({"inputs": [{"shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}, "'name'"),
    (_input(shape="1x3"), "'shape'"),
    (_input(datatype="FLOAT"), "datatype"),
    (_input(shape=[1, 4]), "has 3 elements"),
    (_input(shape=[3, 1]), "shape"),
    (_input(data=None), "data"),
    (_input(data=["a", "b", "c"]), "not FP32"),
    ({"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32"}]}, "'data'"),
    (_input(parameters={"binary_data_size": 12}), "binary_data_size"),
]


@pytest.mark.parametrize(("body", "message"), BAD_V2)
def test_v2_400_then_a_good_request(doubler: serving.Deployment, body: dict[str, object], message: str,
                                    key_headers: dict[str, str]) -> None:
    url, auth = doubler.url, key_headers
    response = requests.post(f"{url}/v2/models/doubler/infer", json=body, headers=auth)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    assert requests.post(f"{url}/v2/models/doubler/infer", json=_input(), headers=auth).status_code == 200


def test_v2_wrong_dtype_and_binary_sizes(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    url, auth = doubler.url, key_headers
    ints = _input(datatype="INT64")
    response = requests.post(f"{url}/v2/models/doubler/infer", json=ints, headers=auth)
    assert response.status_code == 200  # int64 -> float32 is a cast within numbers
    text = _input(datatype="BYTES", data=["a", "b", "c"])
    response = requests.post(f"{url}/v2/models/doubler/infer", json=text, headers=auth)
    assert response.status_code == 400
    raw = np.zeros(3, "<f4").tobytes()
    header = orjson.dumps({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32",
                                       "parameters": {"binary_data_size": 8}}]})
    for length, extra in [(len(header), b""), (len(header) + 999, b""), (len(header), b"xx")]:
        response = requests.post(f"{url}/v2/models/doubler/infer", data=header + raw + extra,
                                 headers={**auth, "Inference-Header-Content-Length": str(length)})
        assert response.status_code == 400, response.text
    assert requests.post(f"{url}/v2/models/doubler/infer", json=_input(), headers=auth).status_code == 200


def test_a_raising_predictor_gives_500_and_the_server_stays_up(deploy: Callable[..., serving.Deployment],
                                                               key_headers: dict[str, str]) -> None:
    fussy = deploy("fussy", "fussy")
    url, auth = fussy.url, key_headers
    response = requests.post(f"{url}/v1/models/fussy:predict", json={"instances": [[-1, 2, 3]]}, headers=auth)
    assert response.status_code == 500
    assert "RuntimeError: negative values break this model" in response.json()["error"]
    response = requests.post(f"{url}/v2/models/fussy/infer", json=_input(data=[-1, 2, 3]), headers=auth)
    assert response.status_code == 500 and "negative" in response.json()["error"]
    response = requests.post(f"{url}/v1/models/fussy:predict", json={"instances": [[1, 2, 3]]}, headers=auth)
    assert response.json() == {"predictions": [6.0]}
    assert fussy.status().state == "RUNNING"


def test_json_objects_through_a_custom_predictor(deploy: Callable[..., serving.Deployment], key_headers: dict[str,
                                                 str]) -> None:
    greeter = deploy("greeter", "greeter")
    assert serving.predict("greeter", [{"name": "ship"}, {"name": "iceberg"}], project=greeter.root) == \
        ["hello ship", "hello iceberg"]
    response = requests.post(f"{greeter.url}/v2/models/greeter/infer", headers=key_headers,
                             json={"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": ["a"]}]})
    assert response.status_code == 500  # bytes have no ['name']: the predictor's own error


def test_an_oversized_body_is_refused_before_it_is_read(doubler: serving.Deployment,
                                                         key_headers: dict[str, str]) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", doubler.status().port, timeout=10)
    conn.putrequest("POST", "/v2/models/doubler/infer")
    for name, value in {**key_headers, "Content-Length": str(2**40)}.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413 and b"at most" in response.read()
    conn.close()
    assert requests.get(f"{doubler.url}/v2/health/ready", headers=key_headers).status_code == 200


def test_request_ids(doubler: serving.Deployment, key_headers: dict[str, str]) -> None:
    response = requests.post(f"{doubler.url}/v2/models/doubler/infer", json=_input(),
                             headers={**key_headers, "X-Request-Id": "from-header"})
    assert response.json()["id"] == "from-header"
    response = requests.post(f"{doubler.url}/v2/models/doubler/infer", json={**_input(), "id": "from-body"},
                             headers={**key_headers, "X-Request-Id": "from-header"})
    assert response.json()["id"] == "from-body"
    assert len(requests.post(f"{doubler.url}/v2/models/doubler/infer", json=_input(),
                             headers=key_headers).json()["id"]) == 32
