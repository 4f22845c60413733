"""jhops: the Hopsworks experience for ML pipelines in any JupyterLab.

Light on import: heavy modules (Spark, TensorFlow, the server) load only when used.

Example::

    import jhops
    exp = jhops.experiment.launch(train, {"lr": [0.1, 0.01]})
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    from jhops._version import __version__
except ImportError:  # a source tree that was never built
    __version__ = "0.0.0.dev0"

__all__ = ["Project", "Searchspace", "__version__", "datasets", "experiment", "featurestore",
           "load_ipython_extension", "models", "serving"]

_LAZY = {"experiment": "jhops.experiment", "datasets": "jhops.datasets", "Project": "jhops.project",
         "Searchspace": "jhops.experiments.searchspace", "featurestore": "jhops.featurestore",
         "models": "jhops.models", "serving": "jhops.serving"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = getattr(module, name) if name[0].isupper() else module
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jhops' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jhops``: register the ``%hops`` / ``%%hops`` magics."""
    from jhops.magics import HopsMagics

    ipython.register_magics(HopsMagics)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jhops"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jhops"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    from jhops.server import load_extension

    load_extension(server_app)
