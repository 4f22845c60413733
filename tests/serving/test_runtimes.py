"""Each framework the registry stores, served and called over V1 and V2: the same numbers as in-process."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import requests

from jhops import models, serving

X = np.random.default_rng(1).random((6, 4)).astype("float32")


def _check(d: serving.Deployment, key_headers: dict[str, str], expected: np.ndarray) -> None:
    got = d.predict(X)  # V2 binary
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    response = requests.post(f"{d.url}/v1/models/{d.name}:predict", json={"instances": X.tolist()},
                             headers=key_headers)
    assert response.status_code == 200, response.text
    np.testing.assert_allclose(np.asarray(response.json()["predictions"]), expected, rtol=1e-5)
    bad = requests.post(f"{d.url}/v1/models/{d.name}:predict", json={"instances": [[1.0, 2.0]]},
                        headers=key_headers)
    assert bad.status_code == 400 and "shape" in bad.json()["error"]


def test_sklearn(deploy: Callable[..., serving.Deployment], root: str, key_headers: dict[str, str]) -> None:
    from sklearn.linear_model import LogisticRegression

    y = (X[:, 0] > 0.5).astype(int)
    model = LogisticRegression().fit(X, y)
    models.export(model, "iris-lr", input_example=X[:2], project=root)
    d = deploy("iris", "iris-lr")
    assert d.runtime == "sklearn"
    _check(d, key_headers, model.predict_proba(X.astype("float64")))


def test_torch(deploy: Callable[..., serving.Deployment], root: str, key_headers: dict[str, str]) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Softmax(dim=1)).eval()
    models.export(net, "tiny-torch", input_example=X[:2], project=root)
    d = deploy("torchy", "tiny-torch")
    assert d.runtime == "pytorch"
    with torch.no_grad():
        _check(d, key_headers, net(torch.from_numpy(X)).numpy())


def test_onnx(deploy: Callable[..., serving.Deployment], root: str, key_headers: dict[str, str],
              tmp_path: object) -> None:
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(X, X.sum(axis=1))
    onx = skl2onnx.convert_sklearn(model, initial_types=[("input", FloatTensorType([None, 4]))])
    models.export(onx, "tiny-onnx", input_example=X[:2], project=root)
    d = deploy("onnxy", "tiny-onnx")
    assert d.runtime == "onnx"
    _check(d, key_headers, model.predict(X).reshape(-1, 1).astype("float32"))


@pytest.mark.tensorflow
def test_keras(deploy: Callable[..., serving.Deployment], root: str, key_headers: dict[str, str],
               tmp_path: object) -> None:
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, activation="softmax")])
    path = f"{tmp_path}/tiny.keras"
    model.save(path)
    models.export(path, "tiny-keras", input_example=X[:2], project=root)
    d = deploy("kerasy", "tiny-keras")
    assert d.runtime == "tensorflow"
    _check(d, key_headers, model(X).numpy())
