"""Keras models (``.keras`` files) and TensorFlow SavedModel folders.

Both run through a ``tf.function``: Keras ``model.predict`` costs ~56 ms a call on the iceberg CNN, a traced
call ~4 ms, and its input signature keeps one trace for every batch size.
"""

from __future__ import annotations

import os
from typing import Any

from jhops.compute.raw_output import import_quietly
from jhops.extras import require_extra
from jhops.models.errors import ModelRegistryError
from jhops.models.frameworks.base import Framework, Runner, comes_from, named_outputs
from jhops.models.signature import Signature, dtype_name


def _shape(shape: Any) -> list[int | None]:
    dims = list(shape.as_list() if hasattr(shape, "as_list") else shape)
    return [None, *(None if d is None else int(d) for d in dims[1:])] if dims else []


def _keras_spec(tensor: Any, default: str) -> dict[str, Any]:
    name = str(getattr(tensor, "name", "") or default)
    # Keras 3 names unnamed inputs "keras_tensor_12": an accident of creation order, not a name to serve by
    if name.startswith("keras_tensor"):
        name = default
    return {"name": name, "dtype": dtype_name(str(tensor.dtype)), "shape": _shape(tensor.shape)}


def _specs(tensors: list[Any], default: str) -> list[dict[str, Any]]:
    if len(tensors) == 1:
        return [_keras_spec(tensors[0], default)]
    return [_keras_spec(t, f"{default}_{i}") for i, t in enumerate(tensors)]


def _tensor_specs(signature: Signature) -> list[Any] | None:
    import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
    import tensorflow as tf

    specs = signature.get("inputs") or []
    if not specs or any(s["dtype"] == "object" for s in specs):
        return None
    tensors = {s["name"]: tf.TensorSpec(s["shape"], tf.dtypes.as_dtype(s["dtype"])) for s in specs}
    return [next(iter(tensors.values()))] if len(tensors) == 1 else [tensors]


def check_built(model: Any) -> None:
    """Refuse a Keras model that was never built: it has no weights yet, so there is nothing to serve."""
    if not getattr(model, "built", True):
        raise ModelRegistryError(
            f"The Keras model {getattr(model, 'name', '')!r} was never built, so it has no weights to store; give it "
            "an input (keras.Input(shape=(75, 75, 3)) as its first layer) or call it on data, then export it.")


class KerasFramework(Framework):
    name = "keras"
    suffixes = (".keras", ".h5")
    artifact_name = "model.keras"
    declares_signature = True

    def owns(self, model: Any) -> bool:
        return comes_from(model, "keras", "tf_keras") and any(cls.__name__ == "Model" for cls in type(model).__mro__)

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        check_built(model)
        model.save(os.path.join(folder, self.artifact_name))
        return self.artifact_name

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        require_extra("tensorflow", "loading a Keras model")
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import keras

        return keras.saving.load_model(artifact, compile=False)

    def native_signature(self, model: Any) -> Signature | None:
        try:
            inputs, outputs = list(model.inputs), list(model.outputs)
        except (AttributeError, ValueError):  # a subclassed or never-built model declares no inputs
            return None
        if not inputs:
            return None
        output_specs = _specs(outputs, "output")
        names = list(getattr(model, "output_names", None) or [])
        if len(output_specs) > 1 and len(names) == len(output_specs):  # the output layers' names, as Keras reports
            for spec, name in zip(output_specs, names, strict=True):
                spec["name"] = str(name)
        return {"inputs": _specs(inputs, "input"), "outputs": output_specs}

    def runner(self, model: Any, signature: Signature) -> Runner:
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import keras

        if keras.backend.backend() != "tensorflow":
            return lambda batch: named_outputs(model(batch, training=False), signature)
        import tensorflow as tf

        specs = _tensor_specs(signature)
        if specs is not None:
            call = tf.function(lambda x: model(x, training=False), input_signature=specs)
        else:
            call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        return lambda batch: named_outputs(call(batch), signature)


class TensorFlowFramework(Framework):
    """A SavedModel folder, served by its ``serving_default`` signature (a graph function already)."""

    name = "tensorflow"
    artifact_name = "saved_model"
    declares_signature = True

    def owns_path(self, path: str) -> bool:
        return os.path.isdir(path) and os.path.isfile(os.path.join(path, "saved_model.pb"))

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        target = os.path.join(folder, self.artifact_name)
        if KerasFramework().owns(model) and hasattr(model, "export"):
            check_built(model)
            try:
                model.export(target, format="tf_saved_model", verbose=False)
            except TypeError:  # older Keras 3 releases have no verbose argument
                model.export(target, format="tf_saved_model")
            return self.artifact_name
        if comes_from(model, "tensorflow"):
            import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
            import tensorflow as tf

            tf.saved_model.save(model, target)
            return self.artifact_name
        raise ModelRegistryError(f"framework='tensorflow' stores a Keras model or a tf.Module as a SavedModel, "
                                 f"or takes a SavedModel folder; got a {type(model).__name__}.")

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        require_extra("tensorflow", "loading a TensorFlow SavedModel")
        import_quietly("tensorflow")  # its C++ banners go to a file, not the cell
        import tensorflow as tf

        loaded = tf.saved_model.load(artifact)
        if "serving_default" not in loaded.signatures:
            raise ModelRegistryError(
                f"The SavedModel at {artifact} has no 'serving_default' signature, so jhops cannot tell how to call "
                "it. Save it with one: tf.saved_model.save(module, path, signatures=module.__call__."
                "get_concrete_function(tf.TensorSpec([None, 4], tf.float32))), or model.export(path) for Keras.")
        return loaded

    def native_signature(self, model: Any) -> Signature | None:
        function = model.signatures["serving_default"]
        _args, kwargs = function.structured_input_signature
        outputs = function.structured_outputs
        return {
            "inputs": [{"name": k, "dtype": dtype_name(v.dtype.as_numpy_dtype), "shape": _shape(v.shape)}
                       for k, v in sorted(kwargs.items())],
            "outputs": [{"name": k, "dtype": dtype_name(v.dtype.as_numpy_dtype), "shape": _shape(v.shape)}
                        for k, v in sorted(outputs.items())],
        }

    def runner(self, model: Any, signature: Signature) -> Runner:
        function = model.signatures["serving_default"]
        _args, kwargs = function.structured_input_signature
        names = sorted(kwargs)

        def run(batch: Any) -> Any:
            feeds = dict(batch) if isinstance(batch, dict) else {names[0]: batch}
            return named_outputs(function(**feeds), signature)

        return run
