"""What every framework adapter does: recognise its models, save them, load them back and run a batch."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from jhops.models.signature import Signature

Runner = Callable[[Any], Any]


def class_modules(obj: Any) -> list[str]:
    """The modules of the classes ``obj`` is an instance of, so a framework is recognised without importing it."""
    return [getattr(cls, "__module__", "") or "" for cls in type(obj).__mro__]


def comes_from(obj: Any, *packages: str) -> bool:
    """Whether one of ``obj``'s classes is defined in one of ``packages`` (``"sklearn"`` matches ``sklearn.svm``)."""
    return any(module == p or module.startswith(p + ".") for module in class_modules(obj) for p in packages)


def to_numpy(value: Any) -> Any:
    """A tensor (TensorFlow, torch) as a numpy array; other values unchanged."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy"):
        return value.numpy()
    return value


def named_outputs(value: Any, signature: Signature) -> Any:
    """A model's raw result as one array (one output) or a dict of arrays by the signature's output names."""
    if isinstance(value, Mapping):
        items = {str(k): to_numpy(v) for k, v in value.items()}
        return next(iter(items.values())) if len(items) == 1 else items
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and not isinstance(value, np.ndarray):
        names = [o["name"] for o in signature.get("outputs") or []]
        if len(value) == 1:
            return to_numpy(value[0])
        if len(names) != len(value):
            names = [f"output_{i}" for i in range(len(value))]
        return {name: to_numpy(v) for name, v in zip(names, value, strict=True)}
    return to_numpy(value)


class Framework:
    """One framework's adapter. Subclasses import their library inside methods, never at module import."""

    #: the name stored in ``model.json`` ("keras", "sklearn", ...)
    name: str = ""
    #: the file suffixes of artifacts this framework reads, for telling a path's framework
    suffixes: tuple[str, ...] = ()
    #: the artifact name an exported object is saved under
    artifact_name: str = "model"
    #: whether ``native_signature`` is what the model declares (graph inputs, input layers) rather than a guess:
    #: a declared signature wins over one inferred from an input example, a guessed one only stands in for it
    declares_signature: bool = False

    def owns(self, model: Any) -> bool:
        """Whether ``model`` (an object, not a path) is one of this framework's models."""
        return False

    def owns_path(self, path: str) -> bool:
        """Whether the file or folder at ``path`` is one of this framework's artifacts."""
        return path.lower().endswith(self.suffixes)

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        """Write ``model`` into ``folder``; return the artifact's path relative to it."""
        raise NotImplementedError

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        """The native model object stored at ``artifact`` (an absolute path), given its ``model.json``."""
        raise NotImplementedError

    def native_signature(self, model: Any) -> Signature | None:
        """The signature the model itself declares (input layers, graph inputs), or None if it declares none."""
        return None

    def runner(self, model: Any, signature: Signature) -> Runner:
        """A function from a checked batch to the model's outputs (numpy arrays, or a dict of them)."""
        raise NotImplementedError
