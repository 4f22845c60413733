"""The bridge through the project store: a stop asked from another process ends a running experiment, and the
driver's live state (logs, workers) can be read there while it runs."""

import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from jhops import metadb
from jhops.experiments.driver import STOPPED_FROM_OUTSIDE
from jhops.experiments.records import ExperimentState, TrialState
from jhops.experiments.store import ExperimentNotRunning
from jhops.project import Project

DRIVER = """
import sys, time
from jhops import experiment
from jhops.project import Project

def slow(x):
    for i in range(600):
        print("step", i, flush=True)
        time.sleep(0.1)
    return x

exp = experiment.launch(slow, {"x": [1, 2, 3]}, workers=2, project=Project(sys.argv[1]), listeners=[])
print("RESULT", exp.state.value, flush=True)
"""


def test_a_stop_from_another_process_kills_the_running_experiment(project):
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, project.path], stdout=subprocess.PIPE, text=True)
    try:
        store = Project(project.path).experiments
        deadline = time.monotonic() + 60
        live = None
        while time.monotonic() < deadline:
            running = store.list_experiments_in_state(ExperimentState.RUNNING)
            if running and running[0].live.get("logs"):
                live = running[0]
                break
            time.sleep(0.2)
        assert live is not None, "the driver published no live state"
        assert live.live["workers_alive"] == 2 and any("step" in line["text"] for line in live.live["logs"])
        asked = store.request_stop(live.id)
        assert asked.stop_requested is not None
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "RESULT KILLED" in out
    exp = store.get_experiment(live.id)
    assert exp.state is ExperimentState.KILLED and exp.error == STOPPED_FROM_OUTSIDE
    assert {t.state for t in exp.trials} == {TrialState.KILLED}
    with pytest.raises(ExperimentNotRunning, match="is KILLED, not RUNNING"):
        store.request_stop(live.id)


def test_a_database_from_before_the_bridge_gains_its_columns(tmp_path):
    engine = metadb.create_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:  # what the first jhops created: migration 1 with the old experiments table
        conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO schema_version VALUES (1)"))
        conn.execute(sa.text("CREATE TABLE experiments (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, "
                             "kind VARCHAR(40) NOT NULL, state VARCHAR(20) NOT NULL, metric_key VARCHAR(200), "
                             "direction VARCHAR(3) NOT NULL, executor VARCHAR(200) NOT NULL, workers INTEGER NOT NULL, "
                             "num_trials INTEGER NOT NULL, args JSON, code TEXT, environment JSON, driver JSON, "
                             "start_time FLOAT NOT NULL, end_time FLOAT, best_trial_id INTEGER, best_metric FLOAT, "
                             "error TEXT)"))
    assert metadb.migrate(engine) == len(metadb.MIGRATIONS)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("experiments")}
    assert {"stop_requested", "live"} <= columns
