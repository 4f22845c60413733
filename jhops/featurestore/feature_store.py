"""The feature store of a project: feature groups, SQL, online lookups, training datasets, search."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jhops.featurestore.catalog import Catalog
from jhops.featurestore.errors import FeatureStoreError, NotFoundError
from jhops.featurestore.expectation_specs import ExpectationsSource
from jhops.featurestore.feature_group import FeatureGroup, check_expectations, check_policy
from jhops.featurestore.naming import check_name
from jhops.featurestore.online_store import OnlineStore, open_online_store
from jhops.featurestore.query import Query
from jhops.featurestore.search import SearchHit, search_catalog

if TYPE_CHECKING:
    import pandas as pd

    from jhops.featurestore.training_dataset import TrainingDataset
    from jhops.project import Project

FOLDER = "featurestore"


class FeatureStore:
    """Feature groups and training datasets of a project, named as in the Hopsworks client (hsfs).

    Example::

        fs = jhops.Project().get_feature_store()
        fg = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True)
        fg.insert(df)
        fs.get_feature_vector(fg, {"id": "dfd5f913"})
    """

    def __init__(self, project: Project, online_store_url: str | None = None) -> None:
        if not project.is_local:
            raise FeatureStoreError(
                f"The feature store needs a project on a local or mounted disk; {project.url} is not one. Mount "
                "the bucket (e.g. with s3fs or gcsfuse) and open the project at the mount point.")
        self.project = project
        self.catalog = Catalog(project.engine)
        self._online_url = online_store_url

    @cached_property
    def online(self) -> OnlineStore:
        if not self.project.is_local and self._online_url is None:
            import os

            if not os.environ.get("JHOPS_ONLINE_STORE"):
                raise FeatureStoreError("A remote project needs JHOPS_ONLINE_STORE (redis://...) for online lookups")
        return open_online_store(self.project.path, self._online_url)

    # --- feature groups ----------------------------------------------------------------------------
    def create_feature_group(self, name: str, version: int | None = None, primary_key: Sequence[str] = (),
                             event_time: str | None = None, description: str = "", online_enabled: bool = False,
                             expectations: ExpectationsSource = None, validation: str = "STRICT",
                             statistics: bool = True, tags: dict[str, Any] | None = None) -> FeatureGroup:
        """Register a new feature group version (the next one unless ``version`` is given); data comes with insert.

        ``expectations``: ``Expectation`` objects, Great Expectations suites, rules written as dicts, or the path
        of a YAML/JSON file of them (see :mod:`jhops.featurestore.expectation_specs`).
        Example: ``fs.create_feature_group("iceberg", primary_key=["id"], expectations="rules.yaml")``
        """
        check_name(name)
        if isinstance(primary_key, str):
            primary_key = [primary_key]
        if not primary_key:
            raise FeatureStoreError(f"Feature group {name!r} needs a primary key, e.g. primary_key=['id']")
        for key in [*primary_key, *([event_time] if event_time else [])]:
            check_name(key, "feature")
        stored = check_expectations(expectations)
        row = self.catalog.create_group(
            name=name, version=version, description=description, primary_key=list(primary_key),
            event_time=event_time, online_enabled=bool(online_enabled), validation=check_policy(validation),
            statistics=bool(statistics), expectations=stored, features=None, tags=dict(tags or {}),
            location="")
        location = f"{FOLDER}/feature_groups/{name}_{row['version']}"
        self.catalog.update_group(row["id"], location=location)
        row["location"] = location
        return FeatureGroup(self, row)

    def get_feature_group(self, name: str, version: int | None = None) -> FeatureGroup:
        """A feature group version (the newest when ``version`` is None)."""
        return FeatureGroup(self, self.catalog.get_group(name, version))

    def get_or_create_feature_group(self, name: str, version: int | None = None, **options: Any) -> FeatureGroup:
        """The group if it exists (the version asked for, or the newest), else a new one with ``options``."""
        try:
            return self.get_feature_group(name, version)
        except NotFoundError:
            return self.create_feature_group(name, version=version, **options)

    def get_feature_groups(self, name: str | None = None) -> list[FeatureGroup]:
        """Every version of the group ``name`` (every group when None), oldest first."""
        groups = [FeatureGroup(self, row) for row in self.catalog.list_groups(name)]
        if name is not None and not groups:
            self.catalog.get_group(name)  # raises NotFoundError with the known names
        return groups

    # --- reading across groups ---------------------------------------------------------------------
    def sql(self, query: str, dataframe_type: str = "pandas") -> Any:
        """Run SQL over the offline store with DuckDB. Every group version is a table ``<name>_<version>``,
        and ``<name>`` is its newest version.

        Example: ``fs.sql("SELECT is_iceberg, avg(inc_angle) FROM iceberg GROUP BY 1")``
        """
        import duckdb

        con = duckdb.connect()
        try:
            newest: dict[str, FeatureGroup] = {}
            tables: set[str] = set()
            for group in self.get_feature_groups():
                if not group.offline.exists():
                    continue
                group.offline.register(con, group.table_name)
                tables.add(group.table_name)
                newest[group.name] = group
            for name, group in newest.items():
                if name not in tables:  # a group named "a_1" must not hide version 1 of group "a"
                    group.offline.register(con, name)
            try:
                result = con.sql(query).to_arrow_table()
            except duckdb.Error as exc:
                names = sorted(tables | set(newest))
                raise FeatureStoreError(f"SQL failed: {exc}. The tables are: {', '.join(names) or 'none yet'}.") \
                    from exc
        finally:
            con.close()
        assert result is not None
        if dataframe_type == "arrow":
            return result
        if dataframe_type == "pandas":
            return result.to_pandas()
        raise FeatureStoreError(f"dataframe_type must be pandas or arrow, got {dataframe_type!r}")

    def get_feature_vector(self, feature_group: FeatureGroup | str, key: dict[str, Any]) -> dict[str, Any] | None:
        """The latest row of ``key`` from the online store (None if the key is unknown).

        Example: ``fs.get_feature_vector(fg, {"id": "dfd5f913"})``
        """
        return self.get_feature_vectors(feature_group, [key])[0]

    def get_feature_vectors(self, feature_group: FeatureGroup | str,
                            keys: Sequence[dict[str, Any]]) -> list[dict[str, Any] | None]:
        group = self.get_feature_group(feature_group) if isinstance(feature_group, str) else feature_group
        return group.get_feature_vectors(keys)

    # --- training datasets -------------------------------------------------------------------------
    def create_training_dataset(self, name: str, query_or_fg: Query | FeatureGroup, version: int | None = None,
                                splits: dict[str, float] | None = None, seed: int = 42,
                                data_format: str = "parquet", label: Sequence[str] = (),
                                description: str = "", progress: bool | None = None) -> TrainingDataset:
        """Materialise a query (or a whole group) into versioned, reproducible splits.

        A call that runs past two seconds shows its steps (read, write each split) in a progress bar;
        ``progress=False`` (or ``JHOPS_PROGRESS=0``) hides it.

        Example::

            fs.create_training_dataset("iceberg_td", fg, splits={"train": 0.8, "test": 0.2}, label=["is_iceberg"])
        """
        from jhops.featurestore.training_dataset import create_training_dataset

        return create_training_dataset(self, name, query_or_fg, version, splits, seed, data_format, label,
                                       description, progress)

    def get_training_dataset(self, name: str, version: int | None = None) -> TrainingDataset:
        from jhops.featurestore.training_dataset import TrainingDataset

        return TrainingDataset(self, self.catalog.get_training_dataset(name, version))

    def get_training_datasets(self, name: str | None = None) -> list[TrainingDataset]:
        from jhops.featurestore.training_dataset import TrainingDataset

        return [TrainingDataset(self, row) for row in self.catalog.list_training_datasets(name)]

    # --- search ------------------------------------------------------------------------------------
    def search(self, text: str) -> list[SearchHit]:
        """Free-text search over group and dataset names, descriptions, feature names and tags.

        Example: ``fs.search("sentinel band")``
        """
        return search_catalog(self.catalog, text)

    def search_frame(self, text: str) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([hit.to_dict() for hit in self.search(text)])
