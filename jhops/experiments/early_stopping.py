"""Early-stopping rules: whether a running trial should end now, given the histories of finished ones, and why."""

from __future__ import annotations

import statistics
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

History = Sequence[tuple[int, float]]
"""A metric history: (step, value) pairs in the order they were reported."""


@dataclass(frozen=True)
class StopDecision:
    """A rule's verdict on a running trial; ``reason`` is the sentence recorded on a stopped trial.

    Example: ``StopDecision(True, "at step 3 its best accuracy 0.61 was below the median 0.7 ...")``
    """

    stop: bool
    reason: str = ""


KEEP_GOING = StopDecision(False)


class EarlyStopRule(ABC):
    """Decides, at a check, whether a running trial should stop.

    A rule of one's own implements ``should_stop``; overriding ``decide`` as well gives the recorded reason.
    """

    @abstractmethod
    def should_stop(self, running: History, finished: Sequence[History], direction: str) -> bool:
        """Whether the trial with history ``running`` should stop, given the finished trials' histories."""

    def decide(self, running: History, finished: Sequence[History], direction: str,
               metric: str = "metric") -> StopDecision:
        """``should_stop`` with the reason to record. Example: ``rule.decide(h, done, "max", "acc").reason``."""
        if not self.should_stop(running, finished, direction):
            return KEEP_GOING
        step = f"at step {running[-1][0]} " if running else ""
        return StopDecision(True, f"{step}the rule {type(self).__name__} stopped it")


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
        return self.decide(running, finished, direction).stop

    def decide(self, running: History, finished: Sequence[History], direction: str,
               metric: str = "metric") -> StopDecision:
        if len(finished) < self.min_finished or len(running) < self.warmup_steps or not running:
            return KEEP_GOING
        step = running[-1][0]
        averages = []
        for history in finished:
            upto = [value for at, value in history if at <= step]
            if upto:
                averages.append(sum(upto) / len(upto))
        if len(averages) < self.min_finished:
            return KEEP_GOING
        median = statistics.median(averages)
        values = [value for _, value in running]
        best = max(values) if direction == "max" else min(values)
        if (best >= median) if direction == "max" else (best <= median):
            return KEEP_GOING
        side = "below" if direction == "max" else "above"
        return StopDecision(True, f"at step {step} its best {metric} {best:.4g} was {side} the median {median:.4g} "
                                  f"of the running averages of {len(averages)} finished trials")


RULES = {"median": MedianRule, "none": NoEarlyStop}


def make_rule(name: str | EarlyStopRule | None, **options: int) -> EarlyStopRule:
    """The rule called ``name`` (``"median"`` or ``"none"``), or the rule given."""
    if isinstance(name, EarlyStopRule):
        return name
    key = (name or "none").lower()
    if key not in RULES:
        raise ValueError(f"Unknown early-stopping rule {name!r}; use 'median' or 'none'")
    return MedianRule(**options) if key == "median" else NoEarlyStop()
