"""Names of feature groups, training datasets and features: what the offline store and SQL accept."""

from __future__ import annotations

import re

from jhops.featurestore.errors import FeatureStoreError

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_name(name: str, what: str = "feature group") -> str:
    """Return ``name`` if it is a valid lowercase identifier, else raise with an example of a good one.

    Example: ``check_name("iceberg")`` returns ``"iceberg"``; ``check_name("Ice Berg")`` raises.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise FeatureStoreError(
            f"Invalid {what} name {name!r}: use lowercase letters, digits and underscores, starting with a "
            f"letter, at most 63 characters (for example 'iceberg' or 'sar_chips_2026')."
        )
    return name


def table_name(name: str, version: int) -> str:
    """The SQL name of a feature group version, as in Hopsworks: ``iceberg_1``."""
    return f"{name}_{version}"
