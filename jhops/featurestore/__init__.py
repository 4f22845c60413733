"""The feature store: validated, versioned, searchable feature groups, training datasets and online lookups.

Example::

    import jhops
    fs = jhops.featurestore()
    fg = fs.get_or_create_feature_group("iceberg", primary_key=["id"], online_enabled=True,
                                        expectations=[Expectation("label", ["is_iceberg"],
                                                                  [Rule("HAS_MIN", min=0), Rule("HAS_MAX", max=1)])])
    fg.insert(df)
"""

import sys
import types
from typing import Any

from jhops.extras import require_extra

# Before the submodules: without deltalake & co. the user reads which extra to install, not a bare import error.
require_extra("featurestore", "the feature store")

from jhops.featurestore.errors import (
    EmptyInsertWarning,
    FeatureStoreError,
    NotFoundError,
    SchemaMismatchError,
    ValidationFailedError,
)
from jhops.featurestore.feature_group import Commit, FeatureGroup
from jhops.featurestore.feature_store import FeatureStore
from jhops.featurestore.query import Feature, Filter, Query
from jhops.featurestore.rules import Expectation, Rule
from jhops.featurestore.search import SearchHit
from jhops.featurestore.training_dataset import TrainingDataset
from jhops.featurestore.validation import ValidationReport

__all__ = [
    "Commit",
    "EmptyInsertWarning",
    "Expectation",
    "Feature",
    "FeatureGroup",
    "FeatureStore",
    "FeatureStoreError",
    "Filter",
    "NotFoundError",
    "Query",
    "Rule",
    "SchemaMismatchError",
    "SearchHit",
    "TrainingDataset",
    "ValidationFailedError",
    "ValidationReport",
    "connect",
]


def connect(project: Any = None) -> FeatureStore:
    """The feature store of ``project`` (a ``Project``, a root path, or None for the default project).

    Example: ``fs = jhops.featurestore.connect("/data/iceberg")``, or simply ``jhops.featurestore()``.
    """
    from jhops.project import Project

    return (project if isinstance(project, Project) else Project(project)).get_feature_store()


class _CallableModule(types.ModuleType):
    """Lets ``jhops.featurestore()`` open the default project's feature store while staying a package."""

    def __call__(self, project: Any = None) -> FeatureStore:
        return connect(project)


sys.modules[__name__].__class__ = _CallableModule
