"""V2 tensors on the wire and the checks against a signature, without a server."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from jhops.serving.errors import InvalidInputError
from jhops.serving.tensors import Tensor, as_batch, conform, datatype_of, decode_v2_inputs, encode_v2_outputs

SIGNATURE = {"inputs": [{"name": "chip", "dtype": "float32", "shape": [None, 75, 75, 3]}]}


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", "int32", "int64", "float16", "float32", "float64"])
def test_binary_round_trip(dtype: str) -> None:
    array = (np.arange(24).reshape(2, 3, 4) % 2).astype(dtype)
    objs, chunks = encode_v2_outputs([Tensor("x", array, binary=True)])
    header = {"inputs": objs}
    (tensor,) = decode_v2_inputs(header, b"".join(chunks))
    assert tensor.array.dtype == array.dtype and tensor.binary
    np.testing.assert_array_equal(tensor.array, array)


def test_json_round_trip_and_nested_data() -> None:
    objs, chunks = encode_v2_outputs([Tensor("y", np.array([[1.5, 2.5]], "float32"))])
    assert chunks == [] and objs[0]["datatype"] == "FP32" and list(objs[0]["data"]) == [1.5, 2.5]
    nested = {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "INT32", "data": [[1, 2], [3, 4]]}]}
    assert decode_v2_inputs(nested)[0].array.tolist() == [[1, 2], [3, 4]]


def test_bytes_tensors() -> None:
    raw = b"".join(struct.pack("<I", len(v)) + v for v in (b"ship", b"iceberg"))
    header = {"inputs": [{"name": "s", "shape": [2], "datatype": "BYTES",
                          "parameters": {"binary_data_size": len(raw)}}]}
    assert decode_v2_inputs(header, raw)[0].array.tolist() == [b"ship", b"iceberg"]
    as_json = {"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "data": ["ship"]}]}
    assert decode_v2_inputs(as_json)[0].array.tolist() == [b"ship"]
    objs, chunks = encode_v2_outputs([Tensor("o", np.array(["a", "bc"]), binary=True)])
    assert objs[0]["datatype"] == "BYTES" and chunks == [b"\x01\x00\x00\x00a\x02\x00\x00\x00bc"]
    short = {"inputs": [{**header["inputs"][0], "parameters": {"binary_data_size": len(raw) - 2}}]}
    with pytest.raises(InvalidInputError, match="runs past"):
        decode_v2_inputs(short, raw[:-2])


def test_several_binary_inputs_in_order() -> None:
    a, b = np.ones((1, 2), "<f4"), np.arange(3, dtype="<i8").reshape(1, 3)
    header = {"inputs": [{"name": "a", "shape": [1, 2], "datatype": "FP32", "parameters": {"binary_data_size": 8}},
                         {"name": "j", "shape": [1], "datatype": "INT64", "data": [7]},
                         {"name": "b", "shape": [1, 3], "datatype": "INT64", "parameters": {"binary_data_size": 24}}]}
    tensors = decode_v2_inputs(header, a.tobytes() + b.tobytes())
    assert [t.name for t in tensors] == ["a", "j", "b"] and tensors[2].array.tolist() == [[0, 1, 2]]


def test_conform_to_a_signature() -> None:
    chips = np.zeros((2, 75, 75, 3))
    assert conform(chips, SIGNATURE).dtype == np.float32
    with pytest.raises(InvalidInputError, match=r"\[N, 75, 75, 3\]"):
        conform(np.zeros((2, 75, 75)), SIGNATURE)
    with pytest.raises(InvalidInputError, match="float32 inputs, got complex128"):
        conform(np.zeros((1, 75, 75, 3), complex), SIGNATURE)
    without_batch_axis = {"inputs": [{"name": "x", "dtype": "int64", "shape": [4]}]}
    assert conform(np.zeros((3, 4), "int32"), without_batch_axis).dtype == np.int64
    with pytest.raises(InvalidInputError, match="int64 inputs, got float64"):
        conform(np.zeros((3, 4)), without_batch_axis)
    assert conform(np.zeros((1, 9)), {"inputs": []}).shape == (1, 9)  # no signature: no checks
    assert conform(["free", "text"], SIGNATURE) == ["free", "text"]  # lists go to a custom predictor as sent


def test_v1_instances() -> None:
    assert as_batch([[1, 2], [3, 4]]).dtype.kind == "i"
    assert as_batch([[1, 2], [3]]) == [[1, 2], [3]]  # ragged: kept as a list
    assert as_batch(["a", "b"]) == ["a", "b"]
    for bad in ([], {"a": 1}, "text", None):
        with pytest.raises(InvalidInputError):
            as_batch(bad)


def test_datatypes() -> None:
    assert datatype_of(np.dtype(">f4")) == "FP32" and datatype_of(np.dtype("bool")) == "BOOL"
    assert datatype_of(np.dtype("<U3")) == "BYTES"
    with pytest.raises(InvalidInputError):
        datatype_of(np.dtype("complex64"))
