"""Launching on local worker processes: records, failures, dying workers, interrupts."""

import json
import os
import subprocess
import sys
import time

import psutil
import pytest

from jhops import experiment
from jhops.experiments.driver import DriverSettings
from jhops.experiments.records import ExperimentState, TrialState
from jhops.project import Project


def train(lr, layers, reporter):
    import os as _os

    for step in range(3):
        reporter.broadcast({"accuracy": lr * layers + step / 100, "loss": 1 - lr}, step=step)
    print(f"trained lr={lr} layers={layers}")
    reporter.log("done training")
    with open("weights.txt", "w") as f:
        f.write("w")
    return {"accuracy": lr * layers, "pid": _os.getpid(), "note": object.__name__}


def test_multi_trial_launch_records_everything(project):
    exp = experiment.launch(train, {"lr": [0.1, 0.2, 0.3], "layers": [1, 2, 3]}, name="grid",
                            metric_key="accuracy", workers=2, project=project, listeners=[])
    assert exp.state is ExperimentState.FINISHED
    assert [t.state for t in exp.trials] == [TrialState.FINISHED] * 3
    assert exp.best_params == {"lr": 0.3, "layers": 3}
    assert exp.metrics["accuracy"] == pytest.approx(0.9)
    # two long-running workers served three trials: at most two worker processes, reused
    worker_pids = {t.worker["pid"] for t in exp.trials}
    assert len(worker_pids) <= 2
    assert {int(t.metrics["pid"]) for t in exp.trials} == worker_pids
    assert all(t.worker["pid"] != os.getpid() for t in exp.trials)

    stored = project.experiments.get_experiment(exp.id)
    trial = stored.trials[1]
    assert trial.params == {"lr": 0.2, "layers": 2}
    assert [s for s, _ in trial.history["accuracy"]] == [0, 1, 2]
    assert [v for _, v in trial.history["accuracy"]] == pytest.approx([0.4, 0.41, 0.42])
    assert "trained lr=0.2 layers=2" in trial.stdout and "done training" in trial.stdout
    assert trial.outputs == {"note": "'object'"}
    assert "weights.txt" in trial.artifacts
    assert os.path.exists(os.path.join(project.path, trial.folder, "weights.txt"))
    assert trial.duration is not None and trial.duration >= 0
    assert stored.code and "def train" in stored.code
    assert stored.environment["python"] == sys.version.split()[0]
    # each worker process's raw output is kept beside the experiment's trials
    assert os.path.exists(os.path.join(project.path, "experiments", str(exp.id), "workers", "worker-0.log"))
    assert "numpy" in stored.environment["packages"]


def test_hparams_dict_scalar_return_and_tensorboard_logdir(project):
    def fit(hparams):
        from jhops.experiment import tensorboard_logdir

        with open(os.path.join(tensorboard_logdir(), "events.txt"), "w") as f:
            f.write("x")
        return hparams["lr"] * 2

    exp = experiment.launch(fit, {"lr": [1.0, 2.0]}, direction="min", project=project, listeners=[])
    assert [t.metrics for t in exp.trials] == [{"metric": 2.0}, {"metric": 4.0}]
    assert exp.best_metric == 2.0
    assert all("tensorboard/events.txt" in t.artifacts for t in exp.trials)


def test_tensorboard_logdir_outside_a_trial_says_so():
    with pytest.raises(RuntimeError, match="Not inside a jhops trial"):
        experiment.tensorboard_logdir()


def test_raising_function_fails_its_trial_and_the_others_run(project):
    def flaky(x):
        if x == 2:
            raise ValueError("bad input x=2")
        return x

    exp = experiment.launch(flaky, {"x": [1, 2, 3]}, workers=1, project=project, listeners=[])
    states = [t.state for t in exp.trials]
    assert states == [TrialState.FINISHED, TrialState.ERROR, TrialState.FINISHED]
    failed = project.experiments.get_experiment(exp.id).trials[1]
    assert "ValueError: bad input x=2" in failed.error
    assert "Traceback" in failed.error and "ValueError" in failed.stderr
    assert exp.state is ExperimentState.FINISHED and exp.best_metric == 3


def test_all_trials_failing_fails_the_experiment(project):
    def broken():
        raise RuntimeError("no data")

    exp = experiment.launch(broken, project=project, listeners=[])
    assert exp.state is ExperimentState.FAILED
    assert "all 1 trials failed" in exp.error and "no data" in exp.error


def test_dying_worker_fails_its_trial_without_hanging(project):
    def crash(x):
        if x == 1:
            os._exit(13)
        return x

    start = time.monotonic()
    exp = experiment.launch(crash, {"x": [0, 1, 2, 3]}, workers=2, project=project, listeners=[])
    assert time.monotonic() - start < 60
    by_x = {t.params["x"]: t for t in exp.trials}
    assert by_x[1].state is TrialState.FAILED
    assert "exit code 13" in by_x[1].error
    assert all(by_x[x].state is TrialState.FINISHED for x in (0, 2, 3))


def test_silent_worker_is_detected_by_missing_heartbeats(project):
    def freeze(x):
        import signal

        if x == 1:
            os.kill(os.getpid(), signal.SIGSTOP)  # alive but silent: only the heartbeat can tell
        return x

    settings = DriverSettings(hb_interval=0.2, hb_timeout=2.0)
    start = time.monotonic()
    exp = experiment.launch(freeze, {"x": [0, 1, 2]}, workers=2, project=project, listeners=[], settings=settings)
    assert time.monotonic() - start < 60
    failed = [t for t in exp.trials if t.state is TrialState.FAILED]
    assert [t.params["x"] for t in failed] == [1]
    assert "no heartbeat" in failed[0].error
    assert {t.params["x"] for t in exp.trials if t.state is TrialState.FINISHED} == {0, 2}


def test_interrupt_kills_the_experiment_and_its_workers(project, interrupt_after, slow_trial):
    interrupt_after(3.0)
    with pytest.raises(KeyboardInterrupt):
        experiment.launch(slow_trial, {"x": [1, 2, 3]}, workers=2, project=project, listeners=[],
                          settings=DriverSettings(hb_interval=0.2))
    exp = project.experiments.get_experiment(project.experiments.list_experiments()[0].id)
    assert exp.state is ExperimentState.KILLED
    assert [t.state for t in exp.trials] == [TrialState.KILLED] * 3
    workers = {t.worker.get("pid") for t in exp.trials if t.worker}
    assert workers  # two trials had started
    time.sleep(0.5)
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                   for pid in workers)


def test_records_are_readable_from_a_second_process(project):
    exp = experiment.launch(train, {"lr": [0.5], "layers": [2]}, metric_key="accuracy", project=project,
                            listeners=[])
    out = subprocess.run(
        [sys.executable, "-m", "jhops.cli", "--project", project.path, "experiments", "show", str(exp.id), "--json"],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    assert data["state"] == "FINISHED"
    assert data["trials"][0]["metrics"]["accuracy"] == 1.0
    assert data["trials"][0]["history"]["accuracy"][0] == [0, 1.0]


def test_bad_launch_arguments_are_refused_before_anything_runs(project):
    with pytest.raises(ValueError, match="no parameter named lr"):
        experiment.launch(lambda: 1, {"lr": [0.1]}, project=project, listeners=[])
    with pytest.raises(ValueError, match="direction"):
        experiment.launch(train, {"lr": [0.1], "layers": [1]}, direction="up", project=project, listeners=[])
    with pytest.raises(ValueError, match="Unknown executor"):
        experiment.launch(train, {"lr": [0.1], "layers": [1]}, executor="cluster", project=project, listeners=[])
    assert project.experiments.list_experiments() == []


DRIVER_SCRIPT = """
import sys, time
from jhops import experiment
from jhops.experiments.driver import DriverSettings
from jhops.project import Project

def forever(x):
    time.sleep(600)

experiment.launch(forever, {"x": [1, 2]}, workers=2, project=Project(sys.argv[1]), listeners=[],
                  settings=DriverSettings(hb_interval=0.2, hb_timeout=2.0))
"""


def test_workers_of_a_dead_driver_exit_and_its_records_are_closed(project):
    driver = subprocess.Popen([sys.executable, "-c", DRIVER_SCRIPT, project.path])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = [t for e in project.experiments.list_experiments()
                       for t in project.experiments.get_trials(e.id) if t.state is TrialState.RUNNING]
            if len(running) == 2:
                break
            time.sleep(0.2)
        assert len(running) == 2, "the trials never started"
        workers = [t.worker["pid"] for t in running]
    finally:
        driver.kill()
        driver.wait()
    # orphans notice the silent driver within three heartbeat timeouts and end themselves
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
            psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in workers):
        time.sleep(0.5)
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in workers)
    exp = Project(project.path).experiments.list_experiments()[0]
    assert exp.state is ExperimentState.KILLED and "driver process" in exp.error


def test_a_trial_whose_worker_dies_once_is_retried_on_another_worker(project, tmp_path):
    marker = str(tmp_path / "died-once")

    def once(x, reporter):
        import os as _os

        reporter.broadcast(1.0, step=0)
        if x == 1 and not _os.path.exists(marker):
            open(marker, "w").close()
            _os._exit(4)
        reporter.broadcast(2.0, step=1)
        return {"pid": _os.getpid()}

    exp = experiment.launch(once, {"x": [0, 1, 2]}, workers=2, project=project, listeners=[])
    retried = project.experiments.get_experiment(exp.id).trials[1]
    assert retried.state is TrialState.FINISHED
    assert "running the trial again on another worker" in retried.stderr and "exit code 4" in retried.stderr
    assert retried.history["metric"] == [(0, 1.0), (1, 2.0)]  # the lost attempt's points are gone
    assert retried.worker["pid"] == retried.metrics["pid"]


def grow(megabytes):
    """Touch ``megabytes`` of memory, 20 MB at a time: resident, not merely reserved."""
    import time as _time

    held = []
    for _ in range(megabytes // 20):
        held.append(b"x" * (20 << 20))
        _time.sleep(0.02)
    return len(held)


def test_a_trial_over_the_memory_per_worker_fails_with_the_reason_and_the_next_trial_runs(project):
    exp = experiment.launch(grow, {"megabytes": [3000, 20]}, workers=1, memory_per_worker="400m", project=project,
                            listeners=[])
    hog, small = exp.trials
    assert hog.state is TrialState.FAILED
    assert hog.error is not None and hog.error.startswith("worker 0 used ")
    assert hog.error.endswith(", over memory_per_worker=400m")  # not run again: it would only fail again
    used = float(hog.error.split()[3])
    assert 400 <= used * (1024 if "GB" in hog.error else 1) < 3000
    assert small.state is TrialState.FINISHED and small.metrics == {"metric": 1.0}
    assert project.experiments.get_experiment(exp.id).trials[0].error == hog.error


def noisy():
    """Writes as TensorFlow and Python libraries do: C++ banners on fd 2, warnings on sys.stderr."""
    import os as _os
    import sys as _sys
    import warnings

    _os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
    print("I0000 port.cc:153] oneDNN custom operations are on.", file=_sys.stderr)
    warnings.warn("a library's deprecation warning", stacklevel=1)
    print("epoch 1: accuracy 0.5")
    return 0.5


@pytest.mark.parametrize("verbose", [False, True])
def test_library_noise_stays_in_the_logs_and_the_record_and_is_live_only_when_verbose(project, verbose):
    seen = []
    exp = experiment.launch(noisy, project=project, verbose=verbose, listeners=[lambda p: seen.extend(p.logs)])
    trial = exp.trials[0]
    assert trial.state is TrialState.FINISHED
    assert "oneDNN custom operations" in trial.stderr and "deprecation warning" in trial.stderr  # the record
    log_file = project.artifact_path("experiments", str(exp.id), "workers", "worker-0.log")
    with open(log_file) as f:
        raw = f.read()
    assert "absl::InitializeLog()" in raw and "oneDNN custom operations" in raw  # the worker's log file
    assert trial.worker["log_file"] == log_file
    live = "\n".join(line.text for line in seen)
    assert "epoch 1: accuracy 0.5" in live  # what the function prints is live
    assert ("oneDNN custom operations" in live) is verbose
    assert ("deprecation warning" in live) is verbose
    assert "absl" not in live  # raw output is never live: it is in the worker's log file


def test_the_last_live_lines_are_published_for_the_sidebar_when_the_experiment_ends(project):
    def fails_last(x):
        if x == 2:
            raise ValueError("the last trial fails")
        return x

    # One trial after another on one worker: the last line is the last trial's ending, written as the loop ends.
    exp = experiment.launch(fails_last, {"x": [1, 2]}, workers=1, project=project, listeners=[],
                            settings=DriverSettings(bridge_interval=60))
    live = project.experiments.get_experiment(exp.id).live
    assert live["logs"][-1] == {"trial": 1, "worker": -1, "stream": "jhops",
                                "text": "trial 1 ERROR: ValueError: the last trial fails"}
    assert live["workers_alive"] == 0
