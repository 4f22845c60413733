"""The optimizer interface: what an asynchronous search asks of an optimizer, and what it tells it."""

from __future__ import annotations

import json
import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from jhops.experiments.searchspace import Searchspace

T = TypeVar("T")

WAIT: Literal["WAIT"] = "WAIT"
"""``suggest`` returns this when nothing can be suggested yet, but running trials may change that."""


@dataclass(frozen=True)
class Suggestion:
    """A trial to run: its parameters and, for budget-based optimizers, its budget (e.g. epochs)."""

    params: dict[str, Any]
    budget: float | None = None
    rung: int = 0
    config_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def config_key(params: dict[str, Any]) -> str:
    """A canonical text of a configuration, so that duplicates can be recognised."""
    return json.dumps(params, sort_keys=True, default=repr)


MAX_DRAWS = 200


def draw_unseen(draw: Callable[[], T], params_of: Callable[[T], dict[str, Any]], seen: set[str],
                rejected: Callable[[T], object] | None = None, attempts: int = MAX_DRAWS) -> T | None:
    """Draw until a configuration not in ``seen`` comes (and add it), or give up after ``attempts``.

    ``rejected`` hears each duplicate (TPE tells its sampler). ``None`` means the space has no unseen
    configuration left, as far as ``attempts`` draws can tell.
    """
    for _ in range(attempts):
        drawn = draw()
        key = config_key(params_of(drawn))
        if key not in seen:
            seen.add(key)
            return drawn
        if rejected is not None:
            rejected(drawn)
    return None


class Optimizer(ABC):
    """Suggests trials one at a time, whenever a worker is free, and learns from finished ones.

    Subclasses implement ``suggest`` and, if they learn, ``observe``. ``suggest`` returns a
    ``Suggestion``, ``WAIT`` (ask again after the next result), or ``None`` (the search is complete).
    """

    space: Searchspace
    num_trials: int | None
    direction: str
    rng: random.Random

    def initialize(self, space: Searchspace, num_trials: int | None, direction: str = "max",
                   seed: int | None = None) -> None:
        if direction not in ("max", "min"):
            raise ValueError(f"direction must be 'max' or 'min', got {direction!r}")
        if num_trials is not None and num_trials < 1:
            raise ValueError(f"num_trials must be at least 1, got {num_trials}")
        self.space, self.num_trials, self.direction = space, num_trials, direction
        self.rng = random.Random(seed)
        self.reset()

    def reset(self) -> None:  # noqa: B027 - optional hook
        """Prepare a new search; ``space``, ``num_trials``, ``direction`` and ``rng`` are set."""

    @abstractmethod
    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        """The next trial to run."""

    def observe(self, suggestion: Suggestion, metric: float | None) -> None:  # noqa: B027 - optional hook
        """A suggested trial ended with ``metric`` (``None``: it failed or was stopped without one)."""

    def better(self, a: float, b: float) -> bool:
        """Whether metric ``a`` is better than ``b`` in this search's direction."""
        return a > b if self.direction == "max" else a < b
