"""Keras models and TensorFlow SavedModels: export, signature from the input layers, load, tf.function predictions."""

import os

import numpy as np
import pytest

from jhops.models import ModelRegistryError, SignatureMismatchError

pytestmark = pytest.mark.tensorflow
keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def cnn():
    """A two-band 8x8 chip classifier: the iceberg CNN's shape, a few hundred weights."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(8, 8, 2), name="chips")
    hidden = keras.layers.Conv2D(2, 3, activation="relu")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(hidden))
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def chips():
    return np.random.default_rng(0).normal(size=(5, 8, 8, 2)).astype("float32")


def test_keras_model_object_and_file(registry, cnn, chips, tmp_path):
    expected = cnn(chips, training=False).numpy()
    mv = registry.export(cnn, "iceberg-cnn", metrics={"accuracy": 0.5}, input_example=chips[:2])
    assert (mv.framework, mv.artifact) == ("keras", "model.keras")
    assert mv.signature == {"inputs": [{"name": "chips", "dtype": "float32", "shape": [None, 8, 8, 2]}],
                            "outputs": [{"name": "output", "dtype": "float32", "shape": [None, 1]}]}
    model = mv.load()
    assert isinstance(model, keras.Model)
    np.testing.assert_allclose(model(chips, training=False).numpy(), expected, rtol=1e-6)
    predictor = mv.predictor()
    np.testing.assert_allclose(predictor.predict(chips), expected, rtol=1e-6)
    np.testing.assert_allclose(predictor.predict(chips[:1].astype("float64")), expected[:1], rtol=1e-6)  # cast
    with pytest.raises(SignatureMismatchError, match=r"shape \[None, 8, 8, 2\].*received shape \[2, 8, 8\]"):
        predictor.predict(chips[:2, :, :, 0])

    cnn.save(tmp_path / "cnn.keras")
    from_file = registry.export(tmp_path / "cnn.keras", "iceberg-cnn")  # the signature from the input layer alone
    assert (from_file.version, from_file.artifact, from_file.signature) == (2, "cnn.keras", mv.signature)
    np.testing.assert_allclose(from_file.predictor().predict(chips), expected, rtol=1e-6)


def test_saved_model_folder_and_keras_as_saved_model(registry, cnn, chips, tmp_path):
    expected = cnn(chips, training=False).numpy()
    cnn.export(os.fspath(tmp_path / "export"), format="tf_saved_model", verbose=False)
    mv = registry.export(tmp_path / "export", "iceberg-tf")
    assert (mv.framework, mv.artifact) == ("tensorflow", "export")
    assert [s["shape"] for s in mv.signature["inputs"]] == [[None, 8, 8, 2]]
    assert [s["shape"] for s in mv.signature["outputs"]] == [[None, 1]]
    assert "serving_default" in mv.load().signatures
    np.testing.assert_allclose(mv.predictor().predict(chips), expected, rtol=1e-6)

    converted = registry.export(cnn, "iceberg-tf", framework="tensorflow", input_example=chips[:2])
    assert (converted.framework, converted.artifact) == ("tensorflow", "saved_model")
    np.testing.assert_allclose(converted.predictor().predict(chips), expected, rtol=1e-6)


def test_a_variable_axis_stays_open_and_several_inputs_and_outputs_have_names(registry):
    sequence = keras.Input(shape=(None, 3), name="sequence")
    angle = keras.Input(shape=(1,), name="angle")
    pooled = keras.layers.Concatenate()([keras.layers.GlobalAveragePooling1D()(sequence), angle])
    ship = keras.layers.Dense(1, activation="sigmoid", name="ship")(pooled)
    size = keras.layers.Dense(2, name="size")(pooled)
    model = keras.Model({"sequence": sequence, "angle": angle}, [ship, size])
    rng = np.random.default_rng(1)
    example = {"sequence": rng.normal(size=(2, 5, 3)).astype("float32"), "angle": np.ones((2, 1), "float32")}
    mv = registry.export(model, "iceberg-multi", input_example=example)
    by_name = {s["name"]: s["shape"] for s in mv.signature["inputs"]}
    assert by_name == {"sequence": [None, None, 3], "angle": [None, 1]}  # the example's length 5 is not fixed
    assert [(s["name"], s["shape"]) for s in mv.signature["outputs"]] == [("ship", [None, 1]), ("size", [None, 2])]
    predictor = mv.predictor()
    longer = {"sequence": rng.normal(size=(3, 7, 3)), "angle": np.zeros((3, 1))}
    out = predictor.predict(longer)
    expected = model({k: v.astype("float32") for k, v in longer.items()}, training=False)
    np.testing.assert_allclose(out["ship"], expected[0].numpy(), rtol=1e-5)
    np.testing.assert_allclose(out["size"], expected[1].numpy(), rtol=1e-5)
    with pytest.raises(SignatureMismatchError, match="send a dict with one batch for each"):
        predictor.predict(longer["sequence"])


def test_a_model_never_built_is_refused(registry, leftovers):
    with pytest.raises(ModelRegistryError, match="was never built"):
        registry.export(keras.Sequential([keras.layers.Dense(1)]), "iceberg-cnn")
    assert leftovers() == []
