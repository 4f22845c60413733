"""Asynchronous searches end to end on local workers: early stopping, ASHA, failures that do not stop them."""

import io
import os
import re
import time

import pytest

from jhops.experiments.driver import DriverSettings
from jhops.experiments.progress import ConsoleProgress
from jhops.experiments.records import ExperimentState, TrialState
from jhops.experiments.search import search
from jhops.experiments.searchspace import Searchspace


def climb(x, reporter):
    """A metric that grows with x at every step: trials with small x are the ones to stop."""
    import time as _time

    for step in range(8):
        reporter.broadcast(x * (step + 1) / 8, step=step)
        _time.sleep(0.15)
    return x


def test_random_search_with_the_median_rule_stops_poor_trials_early(project):
    space = Searchspace(x=("DOUBLE", [0.0, 1.0]))
    lines = io.StringIO()
    # Stops travel on heartbeats: beat often enough that every trial sees several.
    exp = search(climb, space, optimizer="randomsearch", num_trials=10, direction="max", early_stop="median",
                 es_min=2, es_interval=0.1, workers=2, seed=1, project=project, listeners=[ConsoleProgress(lines)],
                 settings=DriverSettings(hb_interval=0.1))
    assert exp.state is ExperimentState.FINISHED and exp.kind == "parallel"
    trials = project.experiments.get_experiment(exp.id).trials
    assert len(trials) == 10 and len({t.params["x"] for t in trials}) == 10
    stopped = [t for t in trials if t.state is TrialState.EARLY_STOPPED]
    finished = [t for t in trials if t.state is TrialState.FINISHED]
    assert stopped, "the median rule stopped no trial"
    assert len(stopped) + len(finished) == 10
    printed = lines.getvalue().splitlines()
    # The planned count is known from the first line, though a search creates its trials as it goes.
    assert all(re.match(r"\[jhops climb #\d+\] \d+/10 ", line) for line in printed[:-1]), printed
    for trial in stopped:
        assert len(trial.history["metric"]) < 8          # it ended before its last step
        assert trial.metrics["metric"] == trial.history["metric"][-1][1]  # with its metrics so far
        # Why it stopped: its best against the median at that step, in the record and in the live lines.
        assert re.fullmatch(r"at step \d+ its best metric [0-9.e-]+ was below the median [0-9.e-]+ of the "
                            r"running averages of \d+ finished trials", trial.error or ""), trial.error
        assert any(line.endswith(f"trial {trial.number} EARLY_STOPPED: {trial.error}") for line in printed)
    # every stopped trial had a smaller x than the best; the best is the largest finished x
    best_x = max(t.params["x"] for t in finished)
    assert exp.best_params == {"x": best_x} and exp.best_metric == pytest.approx(best_x)
    assert all(t.params["x"] < best_x for t in stopped)


def test_no_early_stop_runs_every_trial_to_the_end(project):
    exp = search(climb, Searchspace(x=("DISCRETE", [0.1, 0.5, 0.9])), optimizer="gridsearch", num_trials=None,
                 early_stop="none", workers=2, project=project, listeners=[])
    assert [t.state for t in exp.trials] == [TrialState.FINISHED] * 3
    assert exp.best_params == {"x": 0.9}


def staged(x, budget, reporter):
    for epoch in range(int(budget)):
        reporter.broadcast(x * (epoch + 1), step=epoch)
    return x * budget


def test_asha_promotes_the_best_configurations_with_larger_budgets(project):
    exp = search(staged, Searchspace(x=("DOUBLE", [0.0, 1.0])), optimizer="asha", num_trials=9,
                 optimizer_options={"reduction_factor": 3, "min_resource": 1, "max_resource": 9},
                 early_stop="none", workers=2, seed=0, project=project, listeners=[])
    trials = exp.trials
    assert all(t.state is TrialState.FINISHED for t in trials)
    by_budget: dict[float, list] = {}
    for trial in trials:
        by_budget.setdefault(trial.params["budget"], []).append(trial)
    assert len(by_budget[1]) == 9 and by_budget.get(3), "nothing was promoted to the second rung"
    bottom = sorted((t.params["x"] for t in by_budget[1]), reverse=True)
    second = {t.params["x"] for t in by_budget[3]}
    # Early promotions are made on the results in so far; by the end the top third has always gone up.
    assert second <= set(bottom) and set(bottom[:3]) <= second
    assert {t.params["x"] for t in by_budget[9]} == {max(second)}
    assert exp.best_trial.params == {"x": bottom[0], "budget": 9}


def test_a_raising_trial_and_a_dying_worker_do_not_stop_the_search(project):
    def fragile(x):
        if x == 2:
            raise ValueError("bad configuration")
        if x == 3:
            os._exit(9)
        time.sleep(0.1)
        return x

    exp = search(fragile, Searchspace(x=("DISCRETE", [1, 2, 3, 4, 5, 6])), optimizer="gridsearch", num_trials=None,
                 early_stop="none", workers=2, project=project, listeners=[])
    states = {t.params["x"]: t.state for t in exp.trials}
    assert states[2] is TrialState.ERROR and states[3] is TrialState.FAILED
    assert all(states[x] is TrialState.FINISHED for x in (1, 4, 5, 6))
    assert exp.state is ExperimentState.FINISHED and exp.best_params == {"x": 6}


def test_bad_search_arguments_are_refused_before_anything_runs(project):
    space = Searchspace(x=("DOUBLE", [0.0, 1.0]))
    with pytest.raises(ValueError, match="no parameter named x"):
        search(lambda y: y, space, project=project, listeners=[])
    with pytest.raises(ValueError, match="no parameter named budget"):
        search(lambda x: x, space, optimizer="asha", project=project, listeners=[])
    with pytest.raises(ValueError, match="Unknown optimizer"):
        search(climb, space, optimizer="bayes", project=project, listeners=[])
    with pytest.raises(ValueError, match="Unknown early-stopping rule"):
        search(climb, space, early_stop="mean", project=project, listeners=[])
    with pytest.raises(ValueError, match="searchspace is empty"):
        search(climb, Searchspace(), project=project, listeners=[])
    assert project.experiments.list_experiments() == []


def test_hyperband_and_tpe_searches_end_to_end(project):
    pytest.importorskip("optuna")
    hb = search(staged, Searchspace(x=("DOUBLE", [0.0, 1.0])), optimizer="hyperband", num_trials=6,
                optimizer_options={"reduction_factor": 3, "min_resource": 1, "max_resource": 3},
                early_stop="none", workers=2, seed=0, project=project, listeners=[])
    assert hb.state is ExperimentState.FINISHED
    assert {t.params["budget"] for t in hb.trials} == {1, 3} and len(hb.trials) > 6  # promotions ran too

    def bowl(x):
        return -((x - 0.3) ** 2)

    tpe = search(bowl, Searchspace(x=("DOUBLE", [0.0, 1.0])), optimizer="tpe", num_trials=12,
                 optimizer_options={"n_startup_trials": 4}, early_stop="none", workers=2, seed=0, project=project,
                 listeners=[])
    assert len(tpe.trials) == 12 and tpe.state is ExperimentState.FINISHED
    assert abs(tpe.best_params["x"] - 0.3) < 0.2


def resumable(x, budget, reporter):
    """Trains only the epochs its configuration has not trained yet, as a promotion should."""
    import json as _json
    import pathlib as _pathlib

    from jhops import experiment as _experiment

    state = _pathlib.Path(_experiment.checkpoint_dir(), "state.json")
    done = _json.loads(state.read_text())["epochs"] if state.exists() else 0
    for epoch in range(done, int(budget)):
        reporter.broadcast(x * (epoch + 1), step=epoch)
    state.write_text(_json.dumps({"epochs": int(budget)}))
    return {"metric": x * budget, "resumed_from": done, "trained": int(budget) - done}


def test_asha_promotions_resume_from_the_checkpoint_of_the_lower_rung(project):
    exp = search(resumable, Searchspace(x=("DOUBLE", [0.0, 1.0])), optimizer="asha", num_trials=9,
                 optimizer_options={"reduction_factor": 3, "min_resource": 1, "max_resource": 9},
                 early_stop="none", workers=2, seed=0, project=project, listeners=[])
    promoted = [t for t in exp.trials if t.params["budget"] > 1]
    assert promoted
    lower = {3: 1, 9: 3}
    for trial in promoted:
        assert trial.metrics["resumed_from"] == lower[trial.params["budget"]]
        assert trial.metrics["trained"] == trial.params["budget"] - lower[trial.params["budget"]]
        # its curve starts where the lower rung stopped
        assert trial.history["metric"][0][0] == lower[trial.params["budget"]]
    assert all(t.metrics["resumed_from"] == 0 for t in exp.trials if t.params["budget"] == 1)
    keys = os.listdir(os.path.join(project.path, "experiments", str(exp.id), "checkpoints"))
    assert len(keys) == 9  # one folder per configuration, shared by its promotions
