import os
import socket
import subprocess
import sys

from jhops.experiments.records import ExperimentState, TrialState
from jhops.project import Project


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_experiments_of_a_driver_that_died_are_closed_as_killed(project):
    store = project.experiments
    here = socket.gethostname()
    orphan = store.create_experiment(name="orphan", kind="experiment", executor="local", workers=1, num_trials=2,
                                     direction="max", driver={"pid": _dead_pid(), "host": here})
    store.create_trials(orphan.id, [{"x": 1}, {"x": 2}])
    first = store.get_trials(orphan.id)[0]
    store.update_trial(first.id, state=TrialState.FINISHED, metrics={"m": 1.0})
    alive = store.create_experiment(name="alive", kind="experiment", executor="local", workers=1, num_trials=1,
                                    direction="max", driver={"pid": os.getpid(), "host": here})
    elsewhere = store.create_experiment(name="remote", kind="experiment", executor="local", workers=1, num_trials=1,
                                        direction="max", driver={"pid": _dead_pid(), "host": "another-host"})

    reopened = Project(project.path).experiments  # what a new kernel or the CLI does
    closed = reopened.get_experiment(orphan.id)
    assert closed.state is ExperimentState.KILLED
    assert "driver process" in closed.error and "ended before the experiment did" in closed.error
    assert [t.state for t in closed.trials] == [TrialState.FINISHED, TrialState.KILLED]
    assert reopened.get_experiment(alive.id).state is ExperimentState.RUNNING
    assert reopened.get_experiment(elsewhere.id).state is ExperimentState.RUNNING  # cannot tell from here
