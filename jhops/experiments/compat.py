"""The call shapes of hops-util-py and Maggy, so existing Hopsworks notebooks run with the import changed.

Example::

    from jhops import experiment            # was: from hops import experiment
    experiment.grid_search(train, {"lr": [0.1, 0.3], "dropout": [0.4, 0.6]}, direction="max")

    from jhops.experiment import Searchspace, lagom   # was: from maggy import Searchspace, experiment
    lagom(train, searchspace=sp, optimizer="randomsearch", direction="max", num_trials=15, es_min=5)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jhops.experiments.arguments import grid
from jhops.experiments.driver import DriverSettings
from jhops.experiments.launch import launch
from jhops.experiments.records import Experiment
from jhops.experiments.search import search
from jhops.experiments.searchspace import Searchspace


class Direction:
    """hops-util-py's ``Direction.MAX`` / ``Direction.MIN``."""

    MAX = "max"
    MIN = "min"


def _direction(value: str) -> str:
    lowered = str(value).lower()
    if lowered not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min' (or Direction.MAX / Direction.MIN), got {value!r}")
    return lowered


def grid_search(train_fn: Callable[..., Any], grid_dict: Mapping[str, Sequence[Any]], direction: str = Direction.MAX,
                name: str = "grid_search", optimization_key: str | None = None, **options: Any) -> Experiment:
    """hops-util-py's ``grid_search``: one trial per combination of ``grid_dict``'s values, in parallel."""
    return launch(train_fn, grid(**grid_dict), name=name, metric_key=optimization_key,
                  direction=_direction(direction), kind="grid_search", **options)


def random_search(train_fn: Callable[..., Any], boundary_dict: Mapping[str, Sequence[float]],
                  direction: str = Direction.MAX, samples: int = 10, name: str = "random_search",
                  optimization_key: str = "metric", seed: int | None = None, **options: Any) -> Experiment:
    """hops-util-py's ``random_search``: ``samples`` trials, each value uniform within its ``[low, high]``
    (whole numbers when both bounds are integers)."""
    space = Searchspace()
    for key, bounds in boundary_dict.items():
        if not isinstance(bounds, Sequence) or len(bounds) != 2:
            raise ValueError(f"random_search: {key!r} needs [low, high], got {bounds!r}")
        whole = all(isinstance(b, numbers.Integral) and not isinstance(b, bool) for b in bounds)
        space.add(key, ("INTEGER" if whole else "DOUBLE", list(bounds)))
    return search(train_fn, space, optimizer="randomsearch", num_trials=samples, metric=optimization_key,
                  direction=_direction(direction), early_stop="none", name=name, seed=seed, **options)


def lagom(train_fn: Callable[..., Any], searchspace: Searchspace, optimizer: str = "randomsearch",
          direction: str = "max", num_trials: int = 10, name: str = "no-name", hb_interval: float = 1.0,
          es_interval: float = 1.0, es_min: int = 10, es_policy: str = "median", optimization_key: str = "metric",
          **options: Any) -> Experiment:
    """Maggy's ``lagom``: an asynchronous search with the median early-stopping rule (``es_policy``)."""
    settings = options.pop("settings", None) or DriverSettings(hb_interval=hb_interval)
    return search(train_fn, searchspace, optimizer=optimizer, num_trials=num_trials, metric=optimization_key,
                  direction=_direction(direction), early_stop=es_policy, es_min=es_min, es_interval=es_interval,
                  name=name, settings=settings, **options)
