"""load_predictor: from the folder alone, per framework; shape checks, dtype casts and the batch contract."""

import json
import os
import shutil

import numpy as np
import pytest

from jhops.models import (
    ArtifactNotFoundError,
    PredictionError,
    Predictor,
    SignatureMismatchError,
    load_predictor,
)
from jhops.models.signature import check_inputs, infer_signature, tensor_spec


def _exported_folder(mv, tmp_path):
    """A copy of the version's folder somewhere else: the predictor needs nothing but it."""
    target = tmp_path / "served"
    shutil.copytree(mv.path, target)
    return os.fspath(target)


def test_sklearn_predictor_from_a_copied_folder(registry, classifier, data, tmp_path):
    x, _ = data
    folder = _exported_folder(registry.export(classifier, "iceberg-sk", input_example=x[:2]), tmp_path)
    predictor = load_predictor(folder)
    assert isinstance(predictor, Predictor)
    assert predictor.signature["inputs"][0]["shape"] == [None, 4]
    np.testing.assert_allclose(predictor.predict(x[:5]), classifier.predict_proba(x[:5]), rtol=1e-6)
    np.testing.assert_allclose(predictor.predict(x[:2].tolist()), classifier.predict_proba(x[:2]), rtol=1e-6)
    with pytest.raises(ValueError, match=r"expects input 'input' of shape \[None, 4\].*received shape \[3, 5\]"):
        predictor.predict(np.zeros((3, 5)))
    with pytest.raises(SignatureMismatchError, match="It looks like one instance: wrap it in a list"):
        predictor.predict(x[0])
    with pytest.raises(SignatureMismatchError, match="cannot be read as float32"):
        predictor.predict([["a", "b", "c", "d"]])
    assert repr(predictor) == "ModelPredictor('iceberg-sk', version=1, framework='sklearn', inputs=[input: " \
                              "float32[None, 4]])"


def test_a_regressor_predicts_values_and_an_unscored_classifier_labels(registry, data):
    linear_model = pytest.importorskip("sklearn.linear_model")
    svm = pytest.importorskip("sklearn.svm")
    x, y = data
    regressor = linear_model.LinearRegression().fit(x, x[:, 0] * 2)
    mv = registry.export(regressor, "iceberg-reg")
    assert mv.signature["outputs"] == [{"name": "output", "dtype": "float64", "shape": [None]}]
    np.testing.assert_allclose(mv.predictor().predict(x[:3]), regressor.predict(x[:3]))
    labels = svm.SVC().fit(x, y)  # no predict_proba without probability=True: predict is used
    np.testing.assert_array_equal(registry.export(labels, "iceberg-svc").predictor().predict(x), labels.predict(x))


def test_onnx_predictor_wrong_shape(registry, onnx_file, data):
    path, _ = onnx_file
    predictor = load_predictor(registry.export(path, "iceberg-onnx").path)
    with pytest.raises(ValueError, match=r"expects input 'X' of shape \[None, 4\].*received shape \[2, 2\]"):
        predictor.predict(np.zeros((2, 2), "float32"))
    with pytest.raises(SignatureMismatchError, match=r"has one input, 'X'; received inputs named \['Y'\]"):
        predictor.predict({"Y": np.zeros((2, 4))})
    assert predictor.predict({"X": np.zeros((2, 4))})["label"].shape == (2,)


@pytest.mark.filterwarnings(r"ignore:`torch\.jit:DeprecationWarning")
def test_torch_predictor_wrong_shape(registry, data):
    torch = pytest.importorskip("torch")
    x, _ = data
    net = torch.nn.Sequential(torch.nn.Linear(4, 2))
    predictor = load_predictor(registry.export(net, "iceberg-torch", input_example=x[:2]).path)
    with torch.no_grad():
        np.testing.assert_allclose(predictor.predict(x.astype("float64")), net(torch.from_numpy(x)).numpy(),
                                   rtol=1e-6)
    with pytest.raises(ValueError, match=r"expects input 'input' of shape \[None, 4\].*received shape \[2, 4, 1\]"):
        predictor.predict(np.zeros((2, 4, 1)))


def test_python_predictor_checks_its_declared_shape_and_its_batch_length(registry, tmp_path, data):
    x, _ = data
    (tmp_path / "short.py").write_text(
        "class Short:\n"
        "    def predict(self, inputs):\n"
        "        return [0] * len(inputs) if len(inputs) < 3 else [0]\n")
    predictor = load_predictor(registry.export(tmp_path / "short.py", "short", input_example=x[:2]).path)
    assert predictor.predict(x[:2].tolist()) == [0, 0]
    with pytest.raises(ValueError, match=r"shape \[None, 4\].*received shape \[2, 3\]"):
        predictor.predict(x[:2, :3].tolist())
    with pytest.raises(PredictionError, match="returned 1 predictions for a batch of 3"):
        predictor.predict(x[:3])
    # without an example nothing is declared, so anything goes to the user's class
    free = load_predictor(registry.export(tmp_path / "short.py", "short").path)
    assert free.signature == {"inputs": [], "outputs": []}
    assert free.predict(["any", "thing"]) == [0, 0]


def test_a_folder_without_model_json(tmp_path, registry, classifier):
    with pytest.raises(ArtifactNotFoundError, match=r"holds no model\.json"):
        load_predictor(os.fspath(tmp_path))
    mv = registry.export(classifier, "iceberg-sk")
    folder = _exported_folder(mv, tmp_path)
    os.remove(os.path.join(folder, "model.joblib"))
    with pytest.raises(ArtifactNotFoundError, match=r"'model\.joblib' named by .*model\.json is missing"):
        load_predictor(folder)
    with open(os.path.join(folder, "model.json"), "w") as handle:
        json.dump({"name": "x"}, handle)
    with pytest.raises(ValueError, match="lacks the keys"):
        load_predictor(folder)


def test_signature_helpers():
    assert tensor_spec("chips", np.zeros((8, 75, 75, 3), "float32")) == {
        "name": "chips", "dtype": "float32", "shape": [None, 75, 75, 3]}
    assert tensor_spec("text", ["a", "bc"])["dtype"] == "string"
    assert tensor_spec("ragged", [[1], [1, 2]]) == {"name": "ragged", "dtype": "object", "shape": [None]}
    signature = infer_signature({"a": np.zeros((2, 3)), "b": np.zeros((2,), "int64")}, (np.zeros(2), np.zeros(2)))
    assert [s["name"] for s in signature["inputs"]] == ["a", "b"]
    assert [s["name"] for s in signature["outputs"]] == ["output_0", "output_1"]
    checked = check_inputs(signature, {"a": [[1, 2, 3]], "b": [7.0]})
    assert checked["a"].dtype == np.float64 and checked["b"].dtype == np.int64
    with pytest.raises(SignatureMismatchError, match=r"has the inputs \['a', 'b'\]; send a dict"):
        check_inputs(signature, np.zeros((1, 3)))
    with pytest.raises(SignatureMismatchError, match="batches of different lengths"):
        check_inputs(signature, {"a": np.zeros((2, 3)), "b": np.zeros(3)})
