"""Model names: what a folder, a URL path segment and a KServe InferenceService name all accept.

The feature store's names are SQL identifiers (no hyphens); model names follow Kubernetes instead, where
``iceberg-cnn`` is the usual spelling, so the two rules differ on purpose.
"""

from __future__ import annotations

import re

from jhops.models.errors import ModelRegistryError

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def check_model_name(name: object) -> str:
    """Return ``name`` if it is a valid model name, else raise with an example of a good one.

    Example: ``check_model_name("iceberg-cnn")`` returns ``"iceberg-cnn"``; ``check_model_name("Ice CNN")`` raises.
    """
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith(("-", "_")):
        raise ModelRegistryError(
            f"Invalid model name {name!r}: use lowercase letters, digits, '-' and '_', starting with a letter "
            "and not ending with '-' or '_', at most 63 characters (for example 'iceberg-cnn' or 'ship_classifier')."
        )
    return name


def check_version(version: object) -> int:
    """Return ``version`` if it is a positive integer, else raise.

    Example: ``check_version(2)`` returns ``2``; ``check_version("2")`` raises.
    """
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelRegistryError(f"A model version is a positive integer such as 1 or 2, got {version!r}.")
    return version
