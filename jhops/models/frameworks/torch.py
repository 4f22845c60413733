"""PyTorch modules, stored as TorchScript so that serving needs neither the model's code nor its class."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

from jhops.extras import require_extra
from jhops.models.errors import InputExampleError
from jhops.models.frameworks.base import Framework, Runner, comes_from, named_outputs
from jhops.models.signature import Signature, as_batch


def _tensors(batch: Any, signature: Signature | None = None) -> list[Any]:
    """The forward arguments: one tensor, or one per input in the signature's order for a dict of batches."""
    import torch

    if isinstance(batch, dict):
        names = [s["name"] for s in (signature or {}).get("inputs") or []] or list(batch)
        return [torch.as_tensor(as_batch(batch[name])) for name in names]
    return [torch.as_tensor(as_batch(batch))]


@contextlib.contextmanager
def _quiet_jit() -> Iterator[None]:
    # torch 2.13 deprecates torch.jit in favour of torch.export, and warns on every call; TorchScript stays the
    # stored format (serving loads it without the model's Python code) until the registry moves to .pt2
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*torch\.jit")
        yield


class TorchFramework(Framework):
    name = "torch"
    #: TorchScript files, and ``.pt2`` programs saved with ``torch.export.save``
    suffixes = (".pt", ".pth", ".torchscript", ".pt2")
    artifact_name = "model.pt"

    def owns(self, model: Any) -> bool:
        return comes_from(model, "torch") and any(
            cls.__name__ == "Module" and cls.__module__.startswith("torch.nn") for cls in type(model).__mro__)

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        training = model.training
        model.eval()  # dropout and batch-norm statistics as served; the caller's model gets its mode back
        try:
            with _quiet_jit():
                return self._save(model, folder, input_example)
        finally:
            model.train(training)

    def _save(self, model: Any, folder: str, input_example: Any) -> str:
        import torch

        if isinstance(model, torch.jit.ScriptModule):
            compiled = model
        else:
            try:
                # scripting keeps data-dependent control flow, which tracing would freeze
                compiled = torch.jit.script(model)
            except Exception as exc:  # scripting fails on much valid Python; tracing then needs an example
                if input_example is None:
                    raise InputExampleError(
                        f"TorchScript cannot compile this {type(model).__name__} ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''}), and tracing it needs an example: pass "
                        "input_example=x[:2], e.g. export(net, 'iceberg-torch', input_example=x_train[:2])."
                    ) from exc
                jit: Any = torch.jit  # untyped in torch's stubs
                with torch.no_grad():
                    compiled = jit.trace(model, tuple(_tensors(input_example)))
        torch.jit.save(compiled, os.path.join(folder, self.artifact_name))
        return self.artifact_name

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        require_extra("torch", "loading a PyTorch model")
        import torch

        if artifact.endswith(".pt2"):
            return torch.export.load(artifact).module()
        jit: Any = torch.jit
        with _quiet_jit():
            return jit.load(artifact, map_location="cpu").eval()

    def runner(self, model: Any, signature: Signature) -> Runner:
        import torch

        def run(batch: Any) -> Any:
            with torch.inference_mode():
                return named_outputs(model(*_tensors(batch, signature)), signature)

        return run
