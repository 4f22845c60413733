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
