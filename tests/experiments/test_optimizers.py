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


def test_asha_with_one_rung_runs_every_configuration_at_full_budget():
    opt = Asha(reduction_factor=3, min_resource=9, max_resource=9)
    assert opt.budgets == [9]
    opt.initialize(Searchspace(x=("DOUBLE", [0.0, 1.0])), num_trials=2, seed=0)
    a, b = opt.suggest(), opt.suggest()
    assert a.budget == b.budget == 9
    opt.observe(a, 1.0)
    opt.observe(b, 2.0)
    assert opt.suggest() is None


def test_hyperband_shares_configurations_between_brackets_and_promotes_within_them():
    from jhops.experiments.optimizers import Hyperband

    opt = Hyperband(reduction_factor=3, min_resource=1, max_resource=9)
    assert opt.starts == [1, 3, 9]
    opt.initialize(Searchspace(x=("DOUBLE", [0.0, 1.0])), num_trials=9, direction="max", seed=0)
    first = [opt.suggest() for _ in range(9)]
    # the brackets take turns: budgets 1, 3 and 9 for new configurations, three each, never the same one twice
    assert sorted(s.budget for s in first) == [1, 1, 1, 3, 3, 3, 9, 9, 9]
    assert len({config_key(s.params) for s in first}) == 9
    assert opt.suggest() == WAIT
    for s in first:
        opt.observe(s, s.params["x"])
    promotions = _drain(opt)
    # bracket 1 (1 -> 3 -> 9) and bracket 2 (3 -> 9) each promote their best; bracket 3 has nowhere to go
    assert sorted(p.budget for p in promotions) == [3, 9]
    for promoted in promotions:
        same_bracket = [s for s in first if s.extra["bracket"] == promoted.extra["bracket"]]
        assert promoted.params == max(same_bracket, key=lambda s: s.params["x"]).params


def test_tpe_concentrates_on_the_optimum_and_learns_from_results():
    pytest.importorskip("optuna")
    from jhops.experiments.optimizers import TPE

    space = Searchspace(x=("DOUBLE", [0.0, 1.0]), k=("CATEGORICAL", ["a", "b"]))
    opt = TPE(n_startup_trials=8)
    opt.initialize(space, num_trials=40, direction="max", seed=0)
    xs = []
    while (s := opt.suggest()) is not None:
        xs.append(s.params["x"])
        assert s.params["k"] in ("a", "b")
        opt.observe(s, -((s.params["x"] - 0.7) ** 2) + (0.1 if s.params["k"] == "b" else 0.0))
    assert len(xs) == 40
    late = xs[20:]
    # after the random start, most suggestions are near the optimum at 0.7
    assert sum(abs(x - 0.7) < 0.15 for x in late) >= 12


def test_tpe_failed_trials_are_told_and_the_search_goes_on():
    pytest.importorskip("optuna")
    from jhops.experiments.optimizers import TPE

    opt = TPE(n_startup_trials=2)
    opt.initialize(Searchspace(x=("DOUBLE", [0.0, 1.0])), num_trials=4, seed=1)
    suggestions = [opt.suggest() for _ in range(2)]
    opt.observe(suggestions[0], None)
    opt.observe(suggestions[1], 0.5)
    assert len(_drain(opt)) == 2 and opt.suggest() is None
