"""Trials inside real Spark tasks on a local[2] SparkSession."""

import os

import pytest

from jhops import experiment
from jhops.compute import SparkExecutor
from jhops.experiments.records import ExperimentState, TrialState

pytestmark = pytest.mark.spark


def _train(lr, reporter):
    from pyspark import TaskContext

    context = TaskContext.get()
    for step in range(2):
        reporter.broadcast(lr * (step + 1), step=step)
    return {"score": lr * 10, "partition": context.partitionId(), "pid": os.getpid()}


def test_trials_run_inside_spark_tasks(project, spark):
    exp = experiment.launch(_train, {"lr": [0.1, 0.2, 0.3, 0.4]}, metric_key="score", executor="spark",
                            workers=2, project=project, spark=spark, listeners=[])
    assert exp.state is ExperimentState.FINISHED
    assert exp.executor == "spark(local[2])"
    assert [t.state for t in exp.trials] == [TrialState.FINISHED] * 4
    assert exp.best_params == {"lr": 0.4}
    for trial in project.experiments.get_experiment(exp.id).trials:
        # the trial recorded the Spark task it ran in, and the function saw the same task
        assert trial.worker["kind"] == "spark-task"
        assert trial.worker["partition_id"] == trial.metrics["partition"]
        assert trial.worker["pid"] == trial.metrics["pid"] != os.getpid()
        assert "task_attempt_id" in trial.worker and "stage_id" in trial.worker
        assert len(trial.history["score"]) == 2
        # worker i is the task of partition i of its job
        assert trial.worker["partition_id"] == trial.worker["index"]
    # long-running workers: at most two Python processes served all four trials
    assert len({t.worker["pid"] for t in exp.trials}) <= 2


def test_a_crashing_task_fails_only_its_trial(project, spark):
    def crash(x):
        if x == 1:
            os._exit(3)
        return x

    exp = experiment.launch(crash, {"x": [0, 1, 2, 3]}, executor=SparkExecutor(spark=spark), workers=2,
                            project=project, listeners=[])
    by_x = {t.params["x"]: t for t in exp.trials}
    assert by_x[1].state is TrialState.FAILED
    assert "Spark task failed" in by_x[1].error
    assert all(by_x[x].state is TrialState.FINISHED for x in (0, 2, 3))


def test_raising_function_on_spark(project, spark):
    def fails(x):
        raise KeyError(f"missing {x}")

    exp = experiment.launch(fails, {"x": ["a", "b"]}, executor="spark", spark=spark, workers=2, project=project,
                            listeners=[])
    assert exp.state is ExperimentState.FAILED
    assert all("KeyError: 'missing" in t.error for t in exp.trials)


def test_interrupting_a_spark_launch_kills_it(project, spark, interrupt_after, slow_trial):
    import time

    from jhops.experiments.driver import DriverSettings
    interrupt_after(6.0)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        experiment.launch(slow_trial, {"x": [1, 2]}, executor="spark", spark=spark, workers=2, project=project,
                          listeners=[], settings=DriverSettings(hb_interval=0.2))
    assert time.monotonic() - started < 40
    exp = project.experiments.get_experiment(project.experiments.list_experiments()[0].id)
    assert exp.state is ExperimentState.KILLED
    assert all(t.state is TrialState.KILLED for t in exp.trials)
    # the Spark jobs of the workers were cancelled: nothing of ours is left running
    assert spark.sparkContext.statusTracker().getActiveJobsIds() == []


CONNECT_SCRIPT = """
import json, sys
from jhops import experiment
from jhops.project import Project

def train(lr, reporter):
    import os
    from pyspark import TaskContext
    reporter.broadcast(lr, step=0)
    return {"score": lr * 10, "partition": TaskContext.get().partitionId(), "pid": os.getpid()}

exp = experiment.launch(train, {"lr": [0.1, 0.2, 0.3]}, metric_key="score", executor=sys.argv[1], workers=2,
                        project=Project(sys.argv[2]), listeners=[])
print(json.dumps({"id": exp.id, "state": exp.state.value, "executor": exp.executor}))
"""


def test_launch_over_spark_connect(project, spark_connect_url):
    import json
    import subprocess
    import sys

    # Its own process, as a notebook would be: PySpark allows no Connect session beside a classic one.
    out = subprocess.run([sys.executable, "-c", CONNECT_SCRIPT, spark_connect_url, project.path],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["state"] == "FINISHED"
    assert summary["executor"] == f"spark({spark_connect_url})"
    exp = project.experiments.get_experiment(summary["id"])
    assert exp.best_params == {"lr": 0.3}
    for trial in exp.trials:
        assert trial.worker["kind"] == "spark-task"
        assert trial.worker["partition_id"] == trial.metrics["partition"] == trial.worker["index"]
        assert trial.worker["pid"] == trial.metrics["pid"]


def test_connect_beside_a_classic_session_is_a_clear_error(project, spark):
    with pytest.raises(ValueError, match="a classic SparkSession is already running"):
        experiment.launch(_train, {"lr": [0.1]}, executor="sc://127.0.0.1:1", project=project, listeners=[])
    assert project.experiments.list_experiments() == []


def _climb(x, reporter):
    import time

    for step in range(8):
        reporter.broadcast(x * (step + 1) / 8, step=step)
        time.sleep(0.2)
    return x


def test_a_search_on_spark_stops_poor_trials_early(project, spark):
    from jhops.experiments.early_stopping import MedianRule
    from jhops.experiments.search import search
    from jhops.experiments.searchspace import Searchspace

    space = Searchspace(x=("DISCRETE", [0.9, 0.8, 0.05, 0.04, 0.03, 0.02]))
    # One finished trial is enough to judge; two values before judging keep 0.8 safe however late it starts.
    rule = MedianRule(min_finished=1, warmup_steps=2)
    from jhops.experiments.driver import DriverSettings

    # Stops travel on heartbeats: beat often enough that every trial sees several.
    exp = search(_climb, space, optimizer="gridsearch", num_trials=None, early_stop=rule, es_interval=0.1,
                 executor="spark", spark=spark, workers=2, project=project, listeners=[],
                 settings=DriverSettings(hb_interval=0.1))
    states = {t.params["x"]: t.state for t in exp.trials}
    # the grid runs in order: the small ones start once a large one has finished, and fall below it
    assert states[0.9] is TrialState.FINISHED and states[0.8] is TrialState.FINISHED
    assert all(states[x] is TrialState.EARLY_STOPPED for x in (0.05, 0.04, 0.03, 0.02))
    stopped = project.experiments.get_experiment(exp.id).trials[2]
    assert stopped.worker["kind"] == "spark-task" and 0 < len(stopped.history["metric"]) < 8
    assert exp.best_params == {"x": 0.9}


def _noisy_task(x):
    import os as _os
    import sys as _sys

    _os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on (raw, from C++)\n")
    print("W absl: a warning on sys.stderr", file=_sys.stderr)
    return x


def test_raw_output_of_a_spark_task_goes_to_its_worker_log_not_the_console(project, spark, capfd):
    exp = experiment.launch(_noisy_task, {"x": [1]}, executor="spark", workers=1, project=project, spark=spark,
                            listeners=[])
    trial = exp.trials[0]
    assert trial.state is TrialState.FINISHED and "a warning on sys.stderr" in trial.stderr
    log_file = project.artifact_path("experiments", str(exp.id), "workers", "worker-0.log")
    assert trial.worker["log_file"] == log_file
    with open(log_file) as f:
        raw = f.read()
    assert "oneDNN custom operations are on (raw, from C++)" in raw and "a warning on sys.stderr" in raw
    out, err = capfd.readouterr()
    assert "oneDNN" not in out + err


SESSION = """
import sys
from jhops.compute.spark import get_or_create_session
spark = get_or_create_session("local[1]", memory_per_worker="1g", output_log=sys.argv[1])
conf = spark.sparkContext.getConf()
print(conf.get("spark.executor.memory"), conf.get("spark.executor.pyspark.memory", "unset"))
print(spark.range(3).count())
spark.stop()
"""


def test_a_session_jhops_creates_is_quiet_from_its_first_line_and_carries_the_memory_per_worker(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "spark.log"
    done = subprocess.run([sys.executable, "-c", SESSION, str(log)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    # local[N] runs executors in the driver's JVM: the executor memory is recorded, the Python workers' address
    # space is left unlimited (Spark's pyspark memory is an RLIMIT_AS, which TensorFlow cannot run under)
    assert done.stdout.split() == ["1g", "unset", "3"]
    # Nothing of the JVM's start-up (incubator modules, log4j profile, native-hadoop warning) on the console
    assert done.stderr == ""
    # The JVM's own output went to the log, and log4j kept to errors from the start: no level change announced
    kept = log.read_text()
    assert "Using incubator modules" in kept
    assert "log level" not in kept and "log4j profile" not in kept and " WARN " not in kept, kept


def test_session_settings_for_a_cluster_limit_the_python_workers_too():
    from jhops.compute.spark import LOG4J2_PROPERTIES, session_conf

    conf = session_conf("spark://head:7077", "4g")
    assert conf["spark.executor.memory"] == conf["spark.executor.pyspark.memory"] == "4g"
    assert conf["spark.driver.extraJavaOptions"] == f"-Dlog4j2.configurationFile=file:{LOG4J2_PROPERTIES}"
    assert os.path.exists(LOG4J2_PROPERTIES)
    assert "spark.executor.pyspark.memory" not in session_conf("local[2]", "4g")
    with pytest.raises(ValueError, match="must look like 512m or 4g, got '4 GB'"):
        session_conf("local[2]", "4 GB")
