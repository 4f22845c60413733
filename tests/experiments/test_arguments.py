import pytest

from jhops.experiments.arguments import call_kwargs, check_call, expand_args, grid


def test_dict_of_lists_zips_like_hops_util_py():
    assert expand_args({"lr": [0.1, 0.01], "layers": [2, 3]}) == [
        {"lr": 0.1, "layers": 2},
        {"lr": 0.01, "layers": 3},
    ]


def test_single_values_stand_for_every_trial():
    assert expand_args({"lr": [0.1, 0.01], "epochs": 5}) == [{"lr": 0.1, "epochs": 5}, {"lr": 0.01, "epochs": 5}]


def test_none_is_one_trial_without_parameters():
    assert expand_args(None) == [{}]


def test_lists_of_different_length_are_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"same length.*grid"):
        expand_args({"lr": [0.1, 0.01], "layers": [1, 2, 3]})


def test_list_of_dicts_is_used_as_is():
    assert expand_args([{"a": 1}, {"a": 2}]) == [{"a": 1}, {"a": 2}]
    with pytest.raises(ValueError):
        expand_args([{"a": 1}, 3])


def test_grid_is_every_combination():
    combos = grid(lr=[0.1, 0.01], layers=[2, 3, 4])
    assert len(combos) == 6
    assert {"lr": 0.01, "layers": 4} in combos
    with pytest.raises(ValueError):
        grid(lr=[])


def test_check_call_names_unknown_and_missing_parameters():
    def train(lr, layers=2):
        return lr

    check_call(train, {"lr": 0.1})
    with pytest.raises(ValueError, match="no parameter named dropout"):
        check_call(train, {"lr": 0.1, "dropout": 0.5})
    with pytest.raises(ValueError, match="needs lr"):
        check_call(train, {"layers": 3})


def test_hparams_dict_and_reporter_are_injected():
    def train(hparams, reporter):
        return hparams

    check_call(train, {"lr": 0.1, "layers": 2})
    kwargs = call_kwargs(train, {"lr": 0.1, "layers": 2}, reporter="R")
    assert kwargs == {"hparams": {"lr": 0.1, "layers": 2}, "reporter": "R"}


def test_keyword_parameters_and_var_kwargs():
    def train(**kw):
        return kw

    check_call(train, {"anything": 1})
    assert call_kwargs(train, {"anything": 1}, reporter=None) == {"anything": 1}
