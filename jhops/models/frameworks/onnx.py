"""ONNX models, run with onnxruntime on the CPU."""

from __future__ import annotations

import os
from typing import Any

from jhops.models.frameworks.base import Framework, Runner, comes_from
from jhops.models.signature import Signature

# onnxruntime's type strings, as signature dtypes
_DTYPES = {
    "tensor(float)": "float32", "tensor(double)": "float64", "tensor(float16)": "float16",
    "tensor(int8)": "int8", "tensor(int16)": "int16", "tensor(int32)": "int32", "tensor(int64)": "int64",
    "tensor(uint8)": "uint8", "tensor(uint16)": "uint16", "tensor(uint32)": "uint32", "tensor(uint64)": "uint64",
    "tensor(bool)": "bool", "tensor(string)": "string",
}


def _spec(arg: Any) -> dict[str, Any]:
    dims = list(arg.shape) if isinstance(arg.shape, (list, tuple)) else []
    # symbolic dimensions ("batch", "N") and unknown ones are any size; a fixed first axis is kept, because
    # such a graph only accepts batches of that size
    shape = [d if isinstance(d, int) and d > 0 else None for d in dims]
    if not dims and not str(arg.type).startswith("tensor("):
        shape = [None]  # a sequence or map output (skl2onnx's ZipMap): one Python value per instance
    return {"name": str(arg.name), "dtype": _DTYPES.get(str(arg.type), "object"), "shape": shape}


class OnnxFramework(Framework):
    name = "onnx"
    suffixes = (".onnx",)
    artifact_name = "model.onnx"
    declares_signature = True

    def owns(self, model: Any) -> bool:
        return comes_from(model, "onnx") and type(model).__name__ == "ModelProto"

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        import onnx

        onnx.save(model, os.path.join(folder, self.artifact_name))
        return self.artifact_name

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        import onnxruntime

        return onnxruntime.InferenceSession(artifact, providers=["CPUExecutionProvider"])

    def native_signature(self, model: Any) -> Signature | None:
        return {"inputs": [_spec(a) for a in model.get_inputs()], "outputs": [_spec(a) for a in model.get_outputs()]}

    def runner(self, model: Any, signature: Signature) -> Runner:
        inputs = [a.name for a in model.get_inputs()]
        outputs = [a.name for a in model.get_outputs()]

        def run(batch: Any) -> Any:
            feeds = dict(batch) if isinstance(batch, dict) else {inputs[0]: batch}
            results = model.run(None, feeds)
            return results[0] if len(results) == 1 else dict(zip(outputs, results, strict=True))

        return run
