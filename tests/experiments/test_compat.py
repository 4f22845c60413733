"""hops-util-py's grid_search / random_search and Maggy's lagom, as old notebooks call them."""

import pytest

from jhops import experiment
from jhops.experiment import Direction, Searchspace


def _train(learning_rate, dropout):
    return {"accuracy": learning_rate - dropout}


def test_grid_search_runs_every_combination(project):
    exp = experiment.grid_search(_train, {"learning_rate": [0.1, 0.3], "dropout": [0.4, 0.6]},
                                 direction=Direction.MAX, optimization_key="accuracy", project=project, listeners=[])
    assert len(exp.trials) == 4 and exp.kind == "grid_search"
    assert exp.best_params == {"learning_rate": 0.3, "dropout": 0.4}


def _layers(learning_rate, layers):
    assert isinstance(layers, int)
    return {"metric": learning_rate * layers}


def test_random_search_samples_within_bounds(project):
    exp = experiment.random_search(_layers, {"learning_rate": [0.1, 0.3], "layers": [1, 3]}, direction="MIN",
                                   samples=5, seed=0, project=project, listeners=[])
    assert len(exp.trials) == 5 and exp.direction == "min"
    assert all(0.1 <= t.params["learning_rate"] <= 0.3 and t.params["layers"] in (1, 2, 3) for t in exp.trials)
    assert exp.best_metric == min(t.metrics["metric"] for t in exp.trials)


def _maggy(kernel, dropout, reporter):
    for step in range(3):
        reporter.broadcast(kernel * dropout * (step + 1), step=step)
    return kernel * dropout


def test_lagom_with_a_maggy_searchspace(project):
    sp = Searchspace(kernel=("INTEGER", [2, 8]), dropout=("DOUBLE", [0.01, 0.99]))
    exp = experiment.lagom(_maggy, searchspace=sp, optimizer="randomsearch", direction="max", num_trials=4,
                           name="MNIST", hb_interval=0.5, es_interval=1, es_min=5, project=project, listeners=[])
    assert exp.name == "MNIST" and len(exp.trials) == 4 and exp.state.value == "FINISHED"
    assert exp.args["early_stop"] == "MedianRule" and exp.args["es_min"] == 5


def test_bad_directions_and_bounds():
    with pytest.raises(ValueError, match="direction must be"):
        experiment.grid_search(_train, {"learning_rate": [0.1]}, direction="up")
    with pytest.raises(ValueError, match=r"needs \[low, high\]"):
        experiment.random_search(_layers, {"learning_rate": [0.1]})
