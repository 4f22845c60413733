import io

from jhops.experiments.driver import Progress
from jhops.experiments.progress import ConsoleProgress
from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState


def test_console_progress_prints_each_change_once_and_counts_up():
    trials = [Trial(1, 1, 0, {"lr": 0.1}, TrialState.RUNNING, worker={"index": 0}),
              Trial(2, 1, 1, {"lr": 0.2}, TrialState.PENDING)]
    exp = Experiment(1, "grid", "experiment", ExperimentState.RUNNING, "acc", "max", "local", 1, 2, 0.0,
                     trials=trials)
    out = io.StringIO()
    progress = ConsoleProgress(out)
    progress(Progress(exp, [], 1))
    progress(Progress(exp, [], 1))
    trials[0].state, trials[0].metrics = TrialState.FINISHED, {"acc": 0.9}
    trials[0].start_time, trials[0].end_time = 0, 2
    trials[1].state, trials[1].error = TrialState.FAILED, "Traceback\nValueError: bad"
    exp.state, exp.end_time, exp.best_metric = ExperimentState.FINISHED, 3.0, 0.9
    progress(Progress(exp, [], 0, final=True))
    lines = out.getvalue().splitlines()
    assert lines == [
        "[jhops grid #1] 0/2 trial 0 started (lr=0.1) on worker 0",
        "[jhops grid #1] 1/2 trial 0 finished in 2.0s: acc=0.9",
        "[jhops grid #1] 2/2 trial 1 FAILED: ValueError: bad",
        "[jhops grid #1] FINISHED in 3.0s, best acc=0.9",
    ]


def test_console_counts_against_the_planned_trials_and_says_why_a_trial_stopped_early():
    trials = [Trial(1, 1, 0, {"x": 0.1}, TrialState.RUNNING, worker={"index": 0})]
    # A search plans 4 trials and creates them as workers free up.
    exp = Experiment(1, "search", "parallel", ExperimentState.RUNNING, "accuracy", "max", "local", 1, 4, 0.0,
                     trials=trials)
    out = io.StringIO()
    progress = ConsoleProgress(out)
    progress(Progress(exp, [], 1))
    trials[0].state = TrialState.EARLY_STOPPED
    trials[0].error = "at step 3 its best accuracy 0.612 was below the median 0.701 of the running averages of 5 " \
                      "finished trials"
    trials.append(Trial(2, 1, 1, {"x": 0.9}, TrialState.RUNNING, worker={"index": 0}))
    progress(Progress(exp, [], 1))
    assert out.getvalue().splitlines() == [
        "[jhops search #1] 0/4 trial 0 started (x=0.1) on worker 0",
        "[jhops search #1] 1/4 trial 0 EARLY_STOPPED: at step 3 its best accuracy 0.612 was below the median 0.701 "
        "of the running averages of 5 finished trials",
        "[jhops search #1] 1/4 trial 1 started (x=0.9) on worker 0",
    ]


def test_progress_summary_counts_planned_trials_and_picks_the_best_finished_one():
    from jhops.experiments.progress_summary import ProgressSummary, best_trial

    trials = [Trial(1, 1, 0, {"x": 1}, TrialState.FINISHED, metrics={"loss": 0.5}),
              Trial(2, 1, 1, {"x": 2}, TrialState.FINISHED, metrics={"loss": 0.2}),
              Trial(3, 1, 2, {"x": 3}, TrialState.EARLY_STOPPED, metrics={"loss": 0.1}),
              Trial(4, 1, 3, {"x": 4}, TrialState.ERROR, error="boom"),
              Trial(5, 1, 4, {"x": 5}, TrialState.RUNNING)]
    exp = Experiment(1, "s", "parallel", ExperimentState.RUNNING, None, "min", "local", 2, 8, 0.0, trials=trials,
                     live={"workers_alive": 2, "updated": 5.0, "logs": [{"text": str(i)} for i in range(30)]})
    assert best_trial(trials, "loss", "min")[1] is trials[1]  # an early-stopped trial is not a result
    assert best_trial(trials, "accuracy", "max") == ("accuracy", None)
    summary = ProgressSummary.of(exp)
    assert summary.to_dict() == {
        "done": 4, "total": 8, "counts": {"FINISHED": 2, "EARLY_STOPPED": 1, "ERROR": 1, "RUNNING": 1},
        "early_stopped": 1, "failed": 1, "best": {"trial": 1, "params": {"x": 2}, "metric": 0.2},
        "workers_alive": 2, "updated": 5.0, "logs": [{"text": str(i)} for i in range(10, 30)],
    }
    assert summary.counts_text() == "1 early_stopped, 1 error, 2 finished, 1 running"
