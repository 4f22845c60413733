"""Early-stopping rules: whether a running trial should end now, given the histories of finished ones."""

from __future__ import annotations

import statistics
from abc import ABC, abstractmethod
from collections.abc import Sequence

History = Sequence[tuple[int, float]]
"""A metric history: (step, value) pairs in the order they were reported."""


class EarlyStopRule(ABC):
    """Decides, at a check, whether a running trial should stop."""

    @abstractmethod
    def should_stop(self, running: History, finished: Sequence[History], direction: str) -> bool:
        """Whether the trial with history ``running`` should stop, given the finished trials' histories."""


class NoEarlyStop(EarlyStopRule):
    """Never stops a trial."""

    def should_stop(self, running: History, finished: Sequence[History], direction: str) -> bool:
        return False


class MedianRule(EarlyStopRule):
    """Stop a trial whose best value so far is worse than the median of the finished trials' running
    averages up to the same step (the Vizier median stopping rule, as in Maggy).

    It acts only once ``min_finished`` trials have finished (Maggy's ``es_min``) and after the trial has
    reported ``warmup_steps`` values.

    Example: ``MedianRule(min_finished=3).should_stop([(0, 0.5)], [[(0, 0.8)]] * 3, "max")`` is True.
    """

    def __init__(self, min_finished: int = 5, warmup_steps: int = 1) -> None:
        if min_finished < 1:
            raise ValueError(f"min_finished must be at least 1, got {min_finished}")
        self.min_finished, self.warmup_steps = min_finished, warmup_steps

    def should_stop(self, running: History, finished: Sequence[History], direction: str) -> bool:
        if len(finished) < self.min_finished or len(running) < self.warmup_steps or not running:
            return False
        step = running[-1][0]
        averages = []
        for history in finished:
            upto = [value for at, value in history if at <= step]
            if upto:
                averages.append(sum(upto) / len(upto))
        if len(averages) < self.min_finished:
            return False
        median = statistics.median(averages)
        values = [value for _, value in running]
        return max(values) < median if direction == "max" else min(values) > median


RULES = {"median": MedianRule, "none": NoEarlyStop}


def make_rule(name: str | EarlyStopRule | None, **options: int) -> EarlyStopRule:
    """The rule called ``name`` (``"median"`` or ``"none"``), or the rule given."""
    if isinstance(name, EarlyStopRule):
        return name
    key = (name or "none").lower()
    if key not in RULES:
        raise ValueError(f"Unknown early-stopping rule {name!r}; use 'median' or 'none'")
    return MedianRule(**options) if key == "median" else NoEarlyStop()
