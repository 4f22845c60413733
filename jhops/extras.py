"""The optional parts of jhops and the packages they need: ``pip install 'jhops[serving]'`` and so on.

A plain ``pip install jhops`` runs experiments on local workers, the magics and the sidebar. Each extra brings
what its features import; a feature whose extra is missing raises :class:`MissingExtraError` (an
``ImportError``) that names the extra and the command that installs it, instead of a bare
``No module named 'orjson'`` from deep inside.

Example::

    from jhops.extras import require_extra
    require_extra("featurestore", "the feature store")   # MissingExtraError without deltalake, duckdb, ...
"""

from __future__ import annotations

import importlib.util

#: extra -> the top-level modules its features import (what ``pyproject.toml``'s extra installs)
EXTRAS: dict[str, tuple[str, ...]] = {
    "spark": ("pyspark",),
    "tensorflow": ("tensorflow",),
    "torch": ("torch",),
    "serving": ("uvicorn", "starlette", "orjson", "pyarrow", "scipy", "yaml"),
    "featurestore": ("pyarrow", "deltalake", "duckdb", "great_expectations", "yaml"),
    "models": ("sklearn", "joblib", "onnx", "onnxruntime"),
    "tpe": ("optuna",),
}


class MissingExtraError(ImportError):
    """A feature whose optional packages are not installed; the message says which extra brings them.

    ``extra`` is the extra's name, ``missing`` the modules that could not be found.
    """

    #: what the REST layer answers for it: the server lacks a part, the request is not at fault
    http_status = 501

    def __init__(self, extra: str, feature: str, missing: list[str]) -> None:
        self.extra, self.feature, self.missing = extra, feature, list(missing)
        super().__init__(f"{feature} needs the '{extra}' extra of jhops ({', '.join(missing)} not installed): "
                         f"pip install 'jhops[{extra}]'", name=missing[0] if missing else None)


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that this environment lacks (empty when the extra is installed).

    Example: ``missing_modules("spark")`` is ``[]`` where pyspark is installed, ``["pyspark"]`` elsewhere.
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; the extras are {', '.join(sorted(EXTRAS))}")
    return [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]


def require_extra(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtraError` when ``extra``'s packages are not all installed.

    Example: ``require_extra("serving", "model serving")``
    """
    missing = missing_modules(extra)
    if missing:
        raise MissingExtraError(extra, feature, missing)


def installed_extras() -> dict[str, bool]:
    """Which extras are fully installed, for status pages.

    Example: ``installed_extras()["featurestore"]`` is True after ``pip install 'jhops[featurestore]'``.
    """
    return {extra: not missing_modules(extra) for extra in EXTRAS}


__all__ = ["EXTRAS", "MissingExtraError", "installed_extras", "missing_modules", "require_extra"]
