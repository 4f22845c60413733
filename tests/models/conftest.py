"""Model registry fixtures: a registry in a fresh project, tiny data and tiny models."""

from __future__ import annotations

import os
import textwrap
from typing import Any

import numpy as np
import pytest

PREDICTOR_SOURCE = textwrap.dedent('''
    import os

    import numpy as np


    class IcebergPredictor:
        """Scores a chip by its mean, scaled by the number in scale.txt beside this file (when there is one)."""

        def load(self, model_dir):
            path = os.path.join(model_dir, "scale.txt")
            self.scale = float(open(path).read()) if os.path.exists(path) else 1.0

        def predict(self, inputs):
            return [float(np.mean(row)) * self.scale for row in inputs]


    class Helper:
        """Not a predictor: it has no predict method."""
''')


@pytest.fixture
def registry(project: Any) -> Any:
    return project.get_model_registry()


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    """40 rows of 4 float32 features and a 0/1 label that depends on the first one."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    return x, (x[:, 0] + 0.3 * x[:, 1] > 0).astype("int64")


@pytest.fixture
def classifier(data: tuple[np.ndarray, np.ndarray]) -> Any:
    linear_model = pytest.importorskip("sklearn.linear_model")
    x, y = data
    return linear_model.LogisticRegression().fit(x, y)


@pytest.fixture
def predictor_file(tmp_path: Any) -> str:
    folder = tmp_path / "custom"
    folder.mkdir()
    path = folder / "predictor.py"
    path.write_text(PREDICTOR_SOURCE)
    return os.fspath(path)


@pytest.fixture
def leftovers(project: Any) -> Any:
    """``leftovers()``: everything under <project>/models; after a failed export, nothing."""

    def find() -> list[str]:
        root = os.path.join(project.path, "models")
        found = []
        for base, dirs, files in os.walk(root):
            found += [os.path.relpath(os.path.join(base, n), root) for n in dirs + files]
        return found

    return find


@pytest.fixture(scope="session")
def onnx_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any]:
    """A logistic regression converted by skl2onnx (probabilities as a tensor, no ZipMap), and the estimator."""
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 4)).astype("float32")
    clf = LogisticRegression().fit(x, (x[:, 0] > 0).astype("int64"))
    proto = skl2onnx.to_onnx(clf, x[:1], options={"zipmap": False})
    path = tmp_path_factory.mktemp("onnx") / "clf.onnx"
    path.write_bytes(proto.SerializeToString())
    return os.fspath(path), clf
