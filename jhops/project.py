"""A jhops project: a folder for artifacts (any fsspec URL) and a metadata database (any SQLAlchemy URL)."""

from __future__ import annotations

import os
import posixpath
from functools import cached_property
from typing import TYPE_CHECKING

import fsspec
from fsspec.implementations.local import LocalFileSystem
from sqlalchemy.engine import Engine

from jhops import metadb

if TYPE_CHECKING:
    from jhops.experiments.store import ExperimentStore
    from jhops.featurestore.feature_store import FeatureStore
    from jhops.models.registry import ModelRegistry

DEFAULT_ROOT = "./jhops-project"
DB_FILENAME = "jhops.db"


class Project:
    """Where jhops keeps everything: artifacts under ``root``, records in the metadata database.

    ``root`` defaults to ``$JHOPS_PROJECT`` or ``./jhops-project``; ``db_url`` defaults to
    ``$JHOPS_DB_URL`` or a SQLite file inside a local root. The schema is created and upgraded on open.

    Example::

        project = Project("/data/iceberg")
        project.experiments.list_experiments()
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, db_url: str | None = None) -> None:
        root = os.fspath(root) if root is not None else os.environ.get("JHOPS_PROJECT", DEFAULT_ROOT)
        self.fs, path = fsspec.core.url_to_fs(root)
        self.is_local = isinstance(self.fs, LocalFileSystem)
        if self.is_local:
            path = os.path.abspath(path)
        self.path: str = path
        self.fs.makedirs(self.path, exist_ok=True)
        db_url = db_url or os.environ.get("JHOPS_DB_URL")
        if db_url is None:
            if not self.is_local:
                raise ValueError(
                    f"A project at {root!r} is not on the local disk, so its metadata database cannot be a "
                    "SQLite file inside it. Pass a SQLAlchemy URL, for example "
                    "Project('s3://bucket/proj', db_url='postgresql://user@host/jhops')."
                )
            db_url = "sqlite:///" + os.path.join(self.path, DB_FILENAME)
        self.db_url = db_url
        self.engine: Engine = metadb.create_engine(db_url)
        metadb.migrate(self.engine)

    @property
    def url(self) -> str:
        """The root as a URL that another process (a worker, a Spark task) can open with fsspec."""
        return str(self.fs.unstrip_protocol(self.path)) if not self.is_local else self.path

    def artifact_path(self, *parts: str) -> str:
        """The path of an artifact under the project root, in the root's filesystem."""
        return posixpath.join(self.path, *parts) if not self.is_local else os.path.join(self.path, *parts)

    @cached_property
    def experiments(self) -> ExperimentStore:
        """The experiment and trial records of this project (runs left RUNNING by a dead driver are closed)."""
        from jhops.experiments.store import ExperimentStore

        store = ExperimentStore(self.engine)
        store.close_orphans()
        return store

    def get_feature_store(self) -> FeatureStore:
        """The project's feature store (as ``hsfs``'s ``connection.get_feature_store()``).

        Example: ``Project().get_feature_store().get_feature_group("iceberg")``
        """
        from jhops.featurestore.feature_store import FeatureStore

        return FeatureStore(self)

    def get_model_registry(self) -> ModelRegistry:
        """The project's model registry (as ``hsml``'s ``connection.get_model_registry()``).

        Example: ``Project().get_model_registry().get_best_model("iceberg-cnn", "accuracy")``
        """
        from jhops.models.registry import ModelRegistry

        return ModelRegistry(self)

    def __repr__(self) -> str:
        return f"Project(root={self.url!r}, db_url={self.db_url!r})"
