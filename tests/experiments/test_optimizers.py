import pytest

from jhops.experiments.optimizers import WAIT, Asha, GridSearch, RandomSearch, make_optimizer
from jhops.experiments.optimizers.base import config_key
from jhops.experiments.searchspace import Searchspace


def _drain(optimizer):
    suggestions = []
    while (s := optimizer.suggest()) not in (None, WAIT):
        suggestions.append(s)
    return suggestions


def test_random_search_gives_distinct_configurations_and_is_seeded():
    space = Searchspace(lr=("DOUBLE", [0.001, 0.1]), act=("CATEGORICAL", ["relu", "tanh"]))
    runs = []
    for _ in range(2):
        opt = RandomSearch()
        opt.initialize(space, num_trials=10, seed=3)
        runs.append([s.params for s in _drain(opt)])
    assert len(runs[0]) == 10 and runs[0] == runs[1]
    assert len({config_key(p) for p in runs[0]}) == 10


def test_random_search_stops_when_a_small_space_runs_out():
    opt = RandomSearch()
    opt.initialize(Searchspace(k=("DISCRETE", [3, 5])), num_trials=10, seed=0)
    assert sorted(s.params["k"] for s in _drain(opt)) == [3, 5]


def test_grid_search_visits_every_combination_once():
    space = Searchspace(a=("DISCRETE", [1, 2, 3]), b=("CATEGORICAL", ["x", "y"]), c=("INTEGER", [0, 1]))
    opt = GridSearch()
    opt.initialize(space, num_trials=None)
    params = [s.params for s in _drain(opt)]
    assert len(params) == 12 and len({config_key(p) for p in params}) == 12
    assert opt.suggest() is None


def test_asha_budgets_and_promotions():
    space = Searchspace(x=("DOUBLE", [0.0, 1.0]))
    opt = Asha(reduction_factor=3, min_resource=1, max_resource=9)
    assert opt.budgets == [1, 3, 9]
    opt.initialize(space, num_trials=9, direction="max", seed=1)
    first = [opt.suggest() for _ in range(3)]
    assert all(s.rung == 0 and s.budget == 1 for s in first)
    # three rung-0 results: the best of them (top third) is promoted before any new configuration
    for suggestion, metric in zip(first, [0.2, 0.9, 0.5], strict=True):
        opt.observe(suggestion, metric)
    promoted = opt.suggest()
    assert promoted.rung == 1 and promoted.budget == 3 and promoted.config_id == first[1].config_id
    assert promoted.params == first[1].params
    # it is not promoted twice; the next suggestion is a new configuration
    fresh = opt.suggest()
    assert fresh.rung == 0 and fresh.config_id == 3


def test_asha_waits_for_results_that_may_promote_and_then_ends():
    opt = Asha(reduction_factor=2, min_resource=1, max_resource=2)
    opt.initialize(Searchspace(x=("DOUBLE", [0.0, 1.0])), num_trials=2, direction="min", seed=0)
    a, b = opt.suggest(), opt.suggest()
    assert opt.suggest() == WAIT  # no new configuration left, but results are outstanding
    opt.observe(a, 0.3)
    opt.observe(b, 0.1)
    top = opt.suggest()
    assert top.rung == 1 and top.config_id == b.config_id  # smaller is better
    opt.observe(top, 0.05)
    assert opt.suggest() is None


def test_asha_failed_trials_are_not_promoted():
    opt = Asha(reduction_factor=2, min_resource=1, max_resource=2)
    opt.initialize(Searchspace(x=("DOUBLE", [0.0, 1.0])), num_trials=2, seed=0)
    a, b = opt.suggest(), opt.suggest()
    opt.observe(a, None)
    opt.observe(b, None)
    assert opt.suggest() is None


def test_make_optimizer_names_and_errors():
    assert isinstance(make_optimizer("randomsearch"), RandomSearch)
    assert isinstance(make_optimizer("ASHA", reduction_factor=2), Asha)
    with pytest.raises(ValueError, match="Unknown optimizer 'bayes'"):
        make_optimizer("bayes")
    with pytest.raises(ValueError, match="reduction_factor"):
        Asha(reduction_factor=1)
    opt = RandomSearch()
    with pytest.raises(ValueError, match="direction"):
        opt.initialize(Searchspace(a=("DISCRETE", [1])), num_trials=1, direction="up")
