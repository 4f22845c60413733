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
