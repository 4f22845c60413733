import multiprocessing
import os

import pytest
import sqlalchemy as sa

from jhops import metadb
from jhops.project import Project


def test_default_root_comes_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JHOPS_PROJECT", str(tmp_path / "p"))
    project = Project()
    assert project.path == str(tmp_path / "p")
    assert os.path.exists(tmp_path / "p" / "jhops.db")
    assert project.db_url.startswith("sqlite:///")


def test_default_root_is_jhops_project_in_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("JHOPS_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Project().path == str(tmp_path / "jhops-project")


def test_schema_is_created_and_migration_is_idempotent(project):
    with project.engine.begin() as conn:
        assert metadb.current_version(conn) == len(metadb.MIGRATIONS)
        tables = set(sa.inspect(conn).get_table_names())
    assert {"experiments", "trials", "metric_points", "schema_version"} <= tables
    assert metadb.migrate(project.engine) == len(metadb.MIGRATIONS)


def test_database_from_a_newer_jhops_is_refused(project):
    with project.engine.begin() as conn:
        conn.execute(metadb.schema_version.update().values(version=len(metadb.MIGRATIONS) + 1))
    with pytest.raises(RuntimeError, match="newer than this jhops"):
        Project(project.path)


def test_remote_root_needs_a_database_url():
    with pytest.raises(ValueError, match="Pass a SQLAlchemy URL"):
        Project("memory://jhops-test-root")


def test_remote_root_with_database_url(tmp_path):
    project = Project("memory://jhops-remote", db_url=f"sqlite:///{tmp_path}/meta.db")
    assert project.url == "memory:///jhops-remote"  # fsspec's canonical form
    assert not project.is_local
    assert project.experiments.list_experiments() == []


def _writer(root: str, prefix: str, count: int) -> None:
    store = Project(root).experiments
    for i in range(count):
        exp = store.create_experiment(name=f"{prefix}-{i}", kind="experiment", executor="local", workers=1,
                                      num_trials=1, direction="max")
        store.create_trials(exp.id, [{"i": i}])
        store.update_experiment(exp.id, state="FINISHED")


def test_two_processes_write_at_once_without_losing_anything(tmp_path):
    root = str(tmp_path / "shared")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(root, name, 40)) for name in ("a", "b")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    experiments = Project(root).experiments.list_experiments()
    assert len(experiments) == 80
    assert {e.name for e in experiments} == {f"{p}-{i}" for p in "ab" for i in range(40)}
    assert all(e.state.value == "FINISHED" for e in experiments)
