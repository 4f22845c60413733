import random

import pytest

from jhops.experiments.searchspace import Searchspace


def _space():
    return Searchspace(lr=("DOUBLE", [1e-4, 1e-1], "log"), layers=("INTEGER", [1, 4]),
                       act=("CATEGORICAL", ["relu", "tanh"]), kernel=("DISCRETE", [3, 5]))


def test_samples_stay_in_their_ranges_and_are_reproducible():
    space = _space()
    samples = [space.sample(random.Random(seed)) for seed in range(200)]
    assert all(1e-4 <= s["lr"] <= 1e-1 for s in samples)
    assert {s["layers"] for s in samples} == {1, 2, 3, 4}
    assert {s["act"] for s in samples} == {"relu", "tanh"} and {s["kernel"] for s in samples} == {3, 5}
    # log scale: about half the samples fall below the geometric midpoint 10^-2.5
    below = sum(s["lr"] < 10**-2.5 for s in samples) / len(samples)
    assert 0.35 < below < 0.65
    assert space.sample(random.Random(7)) == space.sample(random.Random(7))


def test_add_iteration_and_dict():
    space = Searchspace().add("a", ("DISCRETE", [1, 2])).add("b", ("CATEGORICAL", ["x"]))
    assert [name for name, _ in space] == ["a", "b"] and len(space) == 2 and "a" in space
    assert space.to_dict()["a"] == {"type": "DISCRETE", "values": [1, 2], "scale": "linear"}
    assert repr(space) == "Searchspace(a=('DISCRETE', [1, 2]), b=('CATEGORICAL', ['x']))"


def test_grid_is_complete_and_refuses_continuous_doubles():
    space = Searchspace(layers=("INTEGER", [1, 3]), act=("CATEGORICAL", ["relu", "tanh"]))
    grid = space.grid()
    assert len(grid) == 6 and len({tuple(sorted(g.items())) for g in grid}) == 6
    with pytest.raises(ValueError, match="DOUBLE range has no grid"):
        _space().grid()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (("FLOAT", [0, 1]), "unknown type 'FLOAT'"),
        (("DOUBLE", [1, 0]), "low must be below high"),
        (("DOUBLE", [0, 1], "log"), "log scale needs low > 0"),
        (("DOUBLE", [0, 1], "cubic"), "unknown scale"),
        (("INTEGER", [1.5, 3]), "whole numbers"),
        (("INTEGER", [1, 2, 3]), r"needs \[low, high\]"),
        (("DISCRETE", ["a", "b"]), "use CATEGORICAL"),
        (("CATEGORICAL", []), "non-empty list"),
        (("CATEGORICAL", ["a", "a"]), "values repeat"),
        (("CATEGORICAL", ["a"], "log"), "only DOUBLE and INTEGER take a scale"),
        ("DOUBLE", r"expected \(type, values\)"),
    ],
)
def test_bad_definitions_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        Searchspace(p=spec)


def test_names_must_be_identifiers_and_unique():
    with pytest.raises(ValueError, match="valid Python identifier"):
        Searchspace().add("learning rate", ("DOUBLE", [0, 1]))
    with pytest.raises(ValueError, match="already has a parameter named 'a'"):
        Searchspace(a=("DISCRETE", [1])).add("a", ("DISCRETE", [2]))
