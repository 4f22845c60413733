"""Custom Python predictors: a class with ``predict(self, inputs)`` and, optionally, ``load(self, model_dir)``.

The class's source file (or a folder holding it and the files it reads) is stored with the model; serving
imports that file, makes one instance and calls ``load`` with the folder the file is in.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import os
import shutil
import sys
from typing import Any

from jhops.models.errors import ArtifactNotFoundError, ModelRegistryError
from jhops.models.frameworks.base import Framework, Runner
from jhops.models.signature import Signature

EXAMPLE = ('export("predictor.py", "iceberg-custom", framework="python", predictor_class="IcebergPredictor"), where '
           'predictor.py defines class IcebergPredictor with predict(self, inputs)')


def predictor_classes(path: str) -> list[str]:
    """The top-level classes of the Python file at ``path`` that define a ``predict`` method.

    Example: ``predictor_classes("predictor.py")`` is ``["IcebergPredictor"]``.
    """
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef) and any(
        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "predict" for item in node.body)]


def find_predictor(path: str, predictor_class: str | None) -> tuple[str, str]:
    """The Python file (relative to ``path`` when it is a folder) and the class to serve from ``path``."""
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(path, f) for f in os.listdir(path) if f.endswith(".py"))
    found = {f: predictor_classes(f) for f in files}
    matches = [(f, c) for f, classes in found.items() for c in classes
               if predictor_class is None or c == predictor_class]
    if len(matches) == 1:
        file, cls = matches[0]
        return (os.path.basename(file) if os.path.isfile(path) else os.path.relpath(file, path)), cls
    listed = ", ".join(f"{os.path.basename(f)}: {c}" for f, cs in found.items() for c in cs) or "none"
    if not matches:
        wanted = f"class {predictor_class!r}" if predictor_class else "a class with a predict method"
        raise ModelRegistryError(f"{path} has no top-level {wanted} (classes with predict: {listed}). {EXAMPLE}.")
    raise ModelRegistryError(f"{path} has several predictor classes ({listed}); name one with predictor_class=...")


def _source_file(cls: type) -> str:
    if "." in cls.__qualname__:
        raise ModelRegistryError(f"{cls.__qualname__} is defined inside another class or function; serving imports "
                                 f"it from its file, so define it at the top level of a .py file. {EXAMPLE}.")
    try:
        path = inspect.getsourcefile(cls)
    except TypeError:
        path = None
    if path is None or not os.path.isfile(path):
        raise ArtifactNotFoundError(
            f"The source file of {cls.__name__} cannot be found (a class typed into a notebook cell has none); put "
            f"it in a .py file and export that file. {EXAMPLE}.")
    return path


class PythonFramework(Framework):
    name = "python"
    suffixes = (".py",)

    def owns(self, model: Any) -> bool:
        return isinstance(model, type) and callable(getattr(model, "predict", None))

    def save(self, model: Any, folder: str, input_example: Any) -> str:
        source = _source_file(model)
        shutil.copy2(source, os.path.join(folder, os.path.basename(source)))
        return os.path.basename(source)

    def class_name(self, model: Any) -> str:
        return str(model.__name__)

    def load(self, artifact: str, meta: dict[str, Any]) -> Any:
        name = meta.get("predictor_class")
        if not name:
            raise ModelRegistryError(f"model.json of {meta.get('name')!r} names no predictor_class for {artifact}.")
        # a name of its own per file, so two models whose files are both predictor.py do not clash
        digest = hashlib.sha1(os.path.abspath(artifact).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(f"jhops_predictor_{digest}", artifact)
        if spec is None or spec.loader is None:
            raise ArtifactNotFoundError(f"Cannot import the predictor file {artifact}.")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses and pickling look classes up by module name
        spec.loader.exec_module(module)
        cls = getattr(module, name, None)
        if not isinstance(cls, type):
            raise ModelRegistryError(f"{artifact} defines no class {name!r}. {EXAMPLE}.")
        instance = cls()
        if callable(getattr(instance, "load", None)):
            instance.load(os.path.dirname(artifact))
        return instance

    def runner(self, model: Any, signature: Signature) -> Runner:
        # the user's predict gets the batch as sent and its result goes back as it is (a list stays a list)
        return model.predict  # type: ignore[no-any-return]
