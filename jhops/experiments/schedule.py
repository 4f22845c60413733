"""What the driver runs next: a fixed list of trials, or the suggestions of an optimizer, one at a time."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

from jhops.experiments.early_stopping import EarlyStopRule, NoEarlyStop
from jhops.experiments.optimizers.base import WAIT, Optimizer, Suggestion


@dataclass
class Planned:
    """A trial to create and run: its parameters, and what the schedule wants back when it ends."""

    params: dict[str, Any]
    token: Any = None


class Schedule(ABC):
    """Hands the driver new trials while workers ask for work, and hears how each trial ended.

    ``next`` returns a ``Planned`` trial, ``WAIT`` (nothing now, ask again later) or ``None`` (nothing,
    ever again). The early-stopping rule is checked on running trials every ``es_interval`` seconds.
    """

    early_stop: EarlyStopRule = NoEarlyStop()
    es_interval: float = 1.0
    #: whether ``next`` can ever give a trial (a fixed schedule's trials all exist from the start)
    produces_trials: bool = True

    @abstractmethod
    def next(self) -> Planned | Literal["WAIT"] | None:
        """The next trial to run."""

    def ended(self, token: Any, metric: float | None) -> None:  # noqa: B027 - optional hook
        """A trial this schedule planned has ended with ``metric`` (``None``: no usable result)."""


class FixedSchedule(Schedule):
    """Trials known in advance (``launch``): the driver has them all from the start."""

    produces_trials = False

    def next(self) -> Planned | Literal["WAIT"] | None:
        return None


class SearchSchedule(Schedule):
    """Trials suggested by an optimizer as workers free up; a budget, when given, becomes ``budget``.

    Example::

        schedule = SearchSchedule(optimizer, MedianRule(min_finished=5), es_interval=1.0)
    """

    def __init__(self, optimizer: Optimizer, early_stop: EarlyStopRule | None = None,
                 es_interval: float = 1.0) -> None:
        self.optimizer = optimizer
        self.early_stop = early_stop or NoEarlyStop()
        self.es_interval = es_interval

    def next(self) -> Planned | Literal["WAIT"] | None:
        suggestion = self.optimizer.suggest()
        if suggestion is None or suggestion == WAIT:
            return suggestion
        assert isinstance(suggestion, Suggestion)
        params = dict(suggestion.params)
        if suggestion.budget is not None:
            params["budget"] = suggestion.budget
        return Planned(params, token=suggestion)

    def ended(self, token: Any, metric: float | None) -> None:
        if isinstance(token, Suggestion):
            self.optimizer.observe(token, metric)
