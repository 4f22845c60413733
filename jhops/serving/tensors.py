"""Tensors on the wire: Open Inference Protocol V2 (JSON and the binary tensor data extension) and KServe V1.

Decoding checks everything a client can get wrong (fields, datatypes, element counts, the model signature) and
raises ``InvalidInputError`` with a message that says what was wrong, so the server answers 400 and stays up.

Example::

    header = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}
    tensors = decode_v2_inputs(header, np.ones(2, "<f4").tobytes())
    tensors[0].array          # array([[1., 1.]], dtype=float32)
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jhops.serving.errors import InvalidInputError

V2_DATATYPES: dict[str, np.dtype[Any]] = {
    "BOOL": np.dtype("bool"),
    "UINT8": np.dtype("<u1"),
    "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"),
    "INT8": np.dtype("<i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"),
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
    "BYTES": np.dtype("O"),
}
_DATATYPE_OF_KIND = {np.dtype(v).str: k for k, v in V2_DATATYPES.items() if k != "BYTES"}


@dataclass
class Tensor:
    """One named input or output tensor."""

    name: str
    array: np.ndarray
    binary: bool = False


def datatype_of(dtype: np.dtype[Any]) -> str:
    """The V2 datatype name of a numpy dtype (strings and objects are ``BYTES``).

    Example: ``datatype_of(np.dtype("float32"))`` -> ``"FP32"``
    """
    if dtype.kind in "OUS":
        return "BYTES"
    name = _DATATYPE_OF_KIND.get(dtype.newbyteorder("<").str if dtype.kind != "b" else "|b1")
    if name is None:
        raise InvalidInputError(f"the dtype {dtype} has no V2 datatype")
    return name


def signature_dtype(spec: Any) -> np.dtype[Any] | None:
    """The numpy dtype a signature entry names (``"float32"``, ``"FP32"``, ``"tf.float32"``), or None if it names none.

    Example: ``signature_dtype("FP32")`` -> ``dtype('float32')``
    """
    if spec is None:
        return None
    text = str(spec).removeprefix("tf.").removeprefix("torch.")
    if text.upper() in V2_DATATYPES:
        return V2_DATATYPES[text.upper()]
    if text in ("string", "str", "object", "bytes"):
        return np.dtype("O")
    try:
        return np.dtype(text)
    except TypeError:
        return None


def _shape(value: Any, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                              for d in value):
        raise InvalidInputError(f"{where} needs a 'shape' that is a list of non-negative integers, got {value!r}")
    return tuple(value)


def _count(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64)) if shape else 1


def _decode_bytes_elements(raw: memoryview, count: int, name: str) -> np.ndarray:
    # The binary form of BYTES: each element is a 4-byte little-endian length, then that many bytes.
    out = np.empty(count, dtype=object)
    offset = 0
    for i in range(count):
        if offset + 4 > len(raw):
            raise InvalidInputError(f"input {name!r}: the BYTES binary data ends after {i} of {count} elements")
        (length,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        if offset + length > len(raw):
            raise InvalidInputError(f"input {name!r}: BYTES element {i} runs past the binary data")
        out[i] = bytes(raw[offset:offset + length])
        offset += length
    if offset != len(raw):
        raise InvalidInputError(f"input {name!r}: {len(raw) - offset} bytes left after {count} BYTES elements")
    return out


def decode_v2_inputs(header: Any, binary: bytes | memoryview = b"") -> list[Tensor]:
    """The input tensors of a V2 inference request: its JSON ``header`` and the raw bytes that follow it.

    Inputs with ``parameters.binary_data_size`` take their data from ``binary``, in order (little-endian,
    row-major); the others from their JSON ``data`` (flat or nested, row-major).

    Example::

        decode_v2_inputs({"inputs": [{"name": "x", "shape": [2], "datatype": "INT64", "data": [1, 2]}]})
    """
    if not isinstance(header, Mapping):
        raise InvalidInputError("a V2 inference request is a JSON object with an 'inputs' list")
    inputs = header.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise InvalidInputError("a V2 inference request needs a non-empty 'inputs' list of "
                                "{'name', 'shape', 'datatype', 'data'} tensors")
    view = memoryview(binary)
    offset = 0
    tensors: list[Tensor] = []
    for i, spec in enumerate(inputs):
        where = f"input {i}"
        if not isinstance(spec, Mapping):
            raise InvalidInputError(f"{where} must be an object with 'name', 'shape', 'datatype' and 'data'")
        name = spec.get("name")
        if not isinstance(name, str):
            raise InvalidInputError(f"{where} needs a 'name' string")
        where = f"input {name!r}"
        shape = _shape(spec.get("shape"), where)
        datatype = spec.get("datatype")
        if datatype not in V2_DATATYPES:
            raise InvalidInputError(f"{where} has datatype {datatype!r}; use one of {', '.join(V2_DATATYPES)}")
        dtype = V2_DATATYPES[datatype]
        count = _count(shape)
        params = spec.get("parameters") or {}
        size = params.get("binary_data_size") if isinstance(params, Mapping) else None
        if size is not None:
            if not isinstance(size, int) or size < 0:
                raise InvalidInputError(f"{where}: 'binary_data_size' must be a non-negative integer")
            if offset + size > len(view):
                raise InvalidInputError(f"{where}: binary_data_size {size} runs past the {len(view)} bytes of "
                                        "binary data after the JSON header")
            raw = view[offset:offset + size]
            offset += size
            if datatype == "BYTES":
                array = _decode_bytes_elements(raw, count, name)
            else:
                if size != count * dtype.itemsize:
                    raise InvalidInputError(f"{where}: shape {list(shape)} of {datatype} needs "
                                            f"{count * dtype.itemsize} bytes, got binary_data_size {size}")
                array = np.frombuffer(raw, dtype=dtype)
            tensors.append(Tensor(name, array.reshape(shape), binary=True))
            continue
        if "data" not in spec:
            raise InvalidInputError(f"{where} needs 'data' (or 'parameters': {{'binary_data_size': N}} with "
                                    "the raw bytes after the JSON header)")
        if not isinstance(spec["data"], list):
            raise InvalidInputError(f"{where}: 'data' must be a list of values (flat or nested, row-major)")
        try:
            array = np.asarray(spec["data"], dtype=dtype if datatype != "BYTES" else object)
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"{where}: its data is not {datatype}: {exc}") from None
        if datatype == "BYTES":
            array = np.array([v.encode() if isinstance(v, str) else v for v in array.ravel()], dtype=object)
        if array.size != count:
            raise InvalidInputError(f"{where} has {array.size} elements but shape {list(shape)} needs {count}")
        tensors.append(Tensor(name, array.reshape(shape)))
    if offset != len(view):
        raise InvalidInputError(f"{len(view) - offset} bytes of binary data after the JSON header belong to no "
                                "input: check each input's binary_data_size")
    return tensors


def encode_v2_outputs(outputs: Sequence[Tensor]) -> tuple[list[dict[str, Any]], list[bytes]]:
    """V2 output objects and the binary chunks (for outputs with ``binary`` set) that follow the JSON header.

    Example::

        objs, chunks = encode_v2_outputs([Tensor("y", np.zeros((1, 1), "float32"), binary=True)])
        objs[0]["parameters"]     # {'binary_data_size': 4}
    """
    objs: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    for tensor in outputs:
        array = tensor.array
        datatype = datatype_of(array.dtype)
        obj: dict[str, Any] = {"name": tensor.name, "datatype": datatype, "shape": list(array.shape)}
        if datatype == "BYTES":
            items = [v if isinstance(v, bytes) else str(v).encode() for v in array.ravel()]
            if tensor.binary:
                chunk = b"".join(struct.pack("<I", len(v)) + v for v in items)
                obj["parameters"] = {"binary_data_size": len(chunk)}
                chunks.append(chunk)
            else:
                obj["data"] = [v.decode(errors="replace") for v in items]
        elif tensor.binary:
            chunk = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
            obj["parameters"] = {"binary_data_size": len(chunk)}
            chunks.append(chunk)
        else:
            obj["data"] = np.ascontiguousarray(array).ravel()
        objs.append(obj)
    return objs, chunks


def as_batch(instances: Any) -> np.ndarray | list[Any]:
    """A V1 ``instances`` list as the predictor's batch: a numeric array when it is one, else the list as it is.

    Example: ``as_batch([[1, 2], [3, 4]]).shape`` -> ``(2, 2)``; ``as_batch([{"a": 1}])`` -> ``[{'a': 1}]``
    """
    if not isinstance(instances, list) or not instances:
        raise InvalidInputError("'instances' must be a non-empty list with one entry per instance")
    try:
        array = np.asarray(instances)
    except ValueError:
        return instances  # ragged: a custom predictor may take it
    if array.dtype.kind in "biuf":
        return array
    return instances


def conform(batch: np.ndarray | list[Any], signature: Mapping[str, Any] | None) -> np.ndarray | list[Any]:
    """``batch`` checked against the first input of the model ``signature`` and cast to its dtype.

    The signature's shape may include the batch axis (``[-1, 75, 75, 3]``, ``[None, 4]``) or not (``[4]``);
    ``-1`` and ``None`` match any size. Casts within a kind (float64 to float32, int to float) are done; others,
    and shape mismatches, raise ``InvalidInputError``.

    Example::

        conform(np.zeros((2, 4)), {"inputs": [{"name": "x", "dtype": "float32", "shape": [-1, 4]}]}).dtype
        # dtype('float32')
    """
    inputs = (signature or {}).get("inputs") or []
    if not inputs or not isinstance(batch, np.ndarray):
        return batch
    spec = inputs[0] if isinstance(inputs[0], Mapping) else {}
    shape = spec.get("shape")
    if isinstance(shape, (list, tuple)):
        expected = [None if d is None or (isinstance(d, int) and d < 0) else d for d in shape]
        if expected and (expected[0] is None or len(expected) == batch.ndim):
            expected = expected[1:]  # the batch axis (the registry's shapes always start with it)
        got = list(batch.shape[1:])
        if len(expected) != len(got) or any(e is not None and e != g for e, g in zip(expected, got, strict=True)):
            want = ", ".join(["N", *("?" if e is None else str(e) for e in expected)])
            raise InvalidInputError(f"the model takes inputs of shape [{want}] (N instances), got "
                                    f"{list(batch.shape)}")
    dtype = signature_dtype(spec.get("dtype"))
    if dtype is None or dtype.kind == "O" or batch.dtype == dtype:
        return batch
    if not np.can_cast(batch.dtype, dtype, casting="same_kind"):
        raise InvalidInputError(f"the model takes {dtype} inputs, got {batch.dtype}")
    return batch.astype(dtype)
