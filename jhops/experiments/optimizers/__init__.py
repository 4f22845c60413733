"""Hyperparameter optimizers behind one small interface: ``initialize``, ``suggest``, ``observe``.

Example::

    optimizer = make_optimizer("asha", reduction_factor=3, min_resource=1, max_resource=9)
    optimizer.initialize(space, num_trials=20, direction="max", seed=42)
"""

from __future__ import annotations

from typing import Any

from jhops.experiments.optimizers.asha import Asha
from jhops.experiments.optimizers.base import WAIT, Optimizer, Suggestion
from jhops.experiments.optimizers.grid_search import GridSearch
from jhops.experiments.optimizers.hyperband import Hyperband
from jhops.experiments.optimizers.random_search import RandomSearch
from jhops.experiments.optimizers.tpe import TPE

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "randomsearch": RandomSearch,
    "random": RandomSearch,
    "gridsearch": GridSearch,
    "grid": GridSearch,
    "asha": Asha,
    "hyperband": Hyperband,
    "tpe": TPE,
}

__all__ = ["OPTIMIZERS", "TPE", "WAIT", "Asha", "GridSearch", "Hyperband", "Optimizer", "RandomSearch", "Suggestion",
           "make_optimizer"]


def make_optimizer(name: str | Optimizer, **options: Any) -> Optimizer:
    """The optimizer called ``name``: ``randomsearch``, ``gridsearch`` (Maggy's names), ``asha``, ``hyperband``,
    ``tpe``."""
    if isinstance(name, Optimizer):
        return name
    key = name.lower().replace("_", "").replace("-", "")
    if key not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}; choose from {', '.join(sorted(OPTIMIZERS))} "
                         "or pass an Optimizer instance")
    return OPTIMIZERS[key](**options)
