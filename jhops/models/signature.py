"""Model signatures: the names, dtypes and shapes of a model's inputs and outputs, and checks against them.

A signature is plain JSON, as stored in ``model.json``::

    {"inputs": [{"name": "input", "dtype": "float32", "shape": [None, 75, 75, 3]}],
     "outputs": [{"name": "output", "dtype": "float32", "shape": [None, 1]}]}

``None`` in a shape is an axis of any length; the first axis is always the batch. Dtypes are numpy names
(``float32``, ``int64``, ``bool``), or ``string`` / ``object`` for text and other Python values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from jhops.models.errors import SignatureMismatchError

Signature = dict[str, list[dict[str, Any]]]


def empty_signature() -> Signature:
    """The signature of a model jhops knows nothing about: no checks are made on its inputs."""
    return {"inputs": [], "outputs": []}


def dtype_name(dtype: Any) -> str:
    """The signature's name for a numpy (or numpy-convertible) dtype.

    Example: ``dtype_name(np.float32)`` is ``"float32"``; ``dtype_name(np.dtype("<U5"))`` is ``"string"``.
    """
    kind = np.dtype(dtype)
    if kind.kind in "US":
        return "string"
    if kind.kind == "O":
        return "object"
    return str(kind.name)


def format_shape(shape: Sequence[int | None]) -> str:
    """A shape as people read it: ``[None, 4]``."""
    return "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"


def as_batch(value: Any) -> np.ndarray:
    """``value`` (an array, a list of instances, a DataFrame, a tensor) as a numpy array of instances.

    Example: ``as_batch([[1, 2], [3, 4]]).shape`` is ``(2, 2)``.
    """
    if hasattr(value, "to_numpy"):  # pandas
        value = value.to_numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # torch and TensorFlow tensors
        value = value.detach().cpu().numpy() if hasattr(value, "detach") else value.numpy()
    try:
        return np.asarray(value)
    except ValueError:  # ragged lists: keep the instances as Python objects
        batch = np.empty(len(value), dtype=object)
        batch[:] = list(value)
        return batch


def tensor_spec(name: str, value: Any) -> dict[str, Any]:
    """The signature entry of one batch: its name, dtype and shape with ``None`` for the batch axis.

    Example: ``tensor_spec("input", np.zeros((8, 4), "float32"))`` is
    ``{"name": "input", "dtype": "float32", "shape": [None, 4]}``.
    """
    batch = as_batch(value)
    shape: list[int | None] = [None, *(int(d) for d in batch.shape[1:])]
    return {"name": name, "dtype": dtype_name(batch.dtype), "shape": shape}


def _specs(value: Any, default: str) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        return [tensor_spec(str(key), item) for key, item in value.items()]
    if isinstance(value, tuple):  # several outputs (a list would be one batch of instances)
        return [tensor_spec(f"{default}_{i}", item) for i, item in enumerate(value)]
    return [tensor_spec(default, value)]


def infer_signature(inputs: Any, outputs: Any) -> Signature:
    """The signature of a model that turned the batch ``inputs`` into ``outputs``.

    A dict gives one entry per key (a multi-input or multi-output model), a tuple one entry per element.
    Example: ``infer_signature(np.zeros((2, 4)), np.zeros((2, 3)))["outputs"][0]["shape"]`` is ``[None, 3]``.
    """
    return {"inputs": _specs(inputs, "input"), "outputs": _specs(outputs, "output")}


def _cast(batch: np.ndarray, spec: dict[str, Any], model: str) -> np.ndarray:
    dtype = spec["dtype"]
    if dtype in ("string", "object") or batch.dtype == np.dtype(dtype):
        return batch
    try:
        return batch.astype(dtype)
    except (TypeError, ValueError):
        raise SignatureMismatchError(
            f"Model {model!r} expects input {spec['name']!r} as {dtype}, and the values received "
            f"({batch.dtype}) cannot be read as {dtype}; send numbers, e.g. [[0.5, 1.0, ...], ...]."
        ) from None


def _check_shape(batch: np.ndarray, spec: dict[str, Any], model: str) -> None:
    expected = spec["shape"]
    fits = batch.ndim == len(expected) and all(e is None or e == r for e, r in zip(expected, batch.shape, strict=False))
    if fits:
        return
    hint = ""
    if batch.ndim == len(expected) - 1 and all(e is None or e == r for e, r in zip(expected[1:], batch.shape,
                                                                                    strict=False)):
        hint = " It looks like one instance: wrap it in a list to send a batch of one."
    example = tuple(2 if d is None else d for d in expected)
    raise SignatureMismatchError(
        f"Model {model!r} expects input {spec['name']!r} of shape {format_shape(expected)} (None: any size, the "
        f"first axis is the batch), received shape {format_shape(batch.shape)}.{hint} For example, a batch of 2 "
        f"has shape {format_shape(example)}."
    )


def check_inputs(signature: Signature, inputs: Any, model: str = "model", cast: bool = True) -> Any:
    """Check a batch against the signature's inputs and return it ready for the model.

    One input: an array (cast to the signature's dtype when ``cast``); several: a dict of arrays by input name.
    A signature without inputs checks nothing and returns ``inputs`` as they are. Raises
    :class:`SignatureMismatchError` saying the expected and received shapes.
    Example: ``check_inputs(sig, [[5.1, 3.5, 1.4, 0.2]], "iris")`` is a ``(1, 4)`` float array.
    """
    specs = signature.get("inputs") or []
    if not specs:
        return inputs
    if len(specs) == 1:
        value = inputs
        if isinstance(inputs, Mapping):
            if specs[0]["name"] not in inputs or len(inputs) != 1:
                raise SignatureMismatchError(
                    f"Model {model!r} has one input, {specs[0]['name']!r}; received inputs named {sorted(inputs)}. "
                    f"Send the batch itself, or {{{specs[0]['name']!r}: batch}}.")
            value = inputs[specs[0]["name"]]
        batch = as_batch(value)
        _check_shape(batch, specs[0], model)
        return _cast(batch, specs[0], model) if cast else batch
    names = [s["name"] for s in specs]
    if not isinstance(inputs, Mapping) or sorted(inputs) != sorted(names):
        got = sorted(inputs) if isinstance(inputs, Mapping) else f"one {type(inputs).__name__}"
        raise SignatureMismatchError(
            f"Model {model!r} has the inputs {names}; send a dict with one batch for each, e.g. "
            f"{{{', '.join(repr(n) + ': [...]' for n in names)}}}, received {got}.")
    batches: dict[str, np.ndarray] = {}
    for spec in specs:
        batch = as_batch(inputs[spec["name"]])
        _check_shape(batch, spec, model)
        batches[spec["name"]] = _cast(batch, spec, model) if cast else batch
    sizes = {name: len(b) for name, b in batches.items()}
    if len(set(sizes.values())) > 1:
        raise SignatureMismatchError(f"Model {model!r} received batches of different lengths per input: {sizes}; "
                                     "every input needs one row per instance.")
    return batches


def batch_length(value: Any) -> int | None:
    """How many instances a batch (an array, a list, a dict of arrays) holds, or None when it has no length."""
    if isinstance(value, Mapping):
        lengths = {batch_length(v) for v in value.values()}
        return lengths.pop() if len(lengths) == 1 else None
    try:
        return len(value)
    except TypeError:
        return None
