"""Hyperband, asynchronously: several ASHA ladders (brackets) that start configurations at different budgets.

Hyperband (Li et al., 2017) hedges against early results being misleading by also running brackets that
start at larger budgets, down to one that runs every configuration at the full budget. Each bracket here is
an ASHA ladder; new configurations go to the brackets in turn and any bracket's promotion comes first, so no
worker waits (asynchronous Hyperband, Li et al., 2018).
"""

from __future__ import annotations

from typing import Literal

from jhops.experiments.optimizers.asha import Asha
from jhops.experiments.optimizers.base import WAIT, Optimizer, Suggestion


class Hyperband(Optimizer):
    """Brackets of ASHA whose first budgets are ``min_resource * reduction_factor**s``, up to ``max_resource``.

    ``num_trials`` new configurations are shared between the brackets; each trial gets a ``budget``.

    Example::

        opt = Hyperband(reduction_factor=3, min_resource=1, max_resource=9)   # brackets start at 1, 3 and 9
    """

    def __init__(self, reduction_factor: int = 3, min_resource: float = 1, max_resource: float = 9) -> None:
        self.eta, self.min_resource, self.max_resource = reduction_factor, min_resource, max_resource
        # The brackets start where one ASHA ladder's rungs are (that ASHA also checks the arguments).
        self.starts = list(Asha(reduction_factor, min_resource, max_resource).budgets)

    def reset(self) -> None:
        if self.num_trials is None:
            raise ValueError("Hyperband needs num_trials (how many configurations to start)")
        count = min(len(self.starts), self.num_trials)
        shares = [self.num_trials // count + (1 if b < self.num_trials % count else 0) for b in range(count)]
        seen: set[str] = set()
        self.brackets: list[Asha] = []
        for start, share in zip(self.starts, shares, strict=False):
            bracket = Asha(self.eta, start, self.max_resource)
            bracket.initialize(self.space, share, self.direction)
            bracket.rng, bracket.seen = self.rng, seen  # one random stream, and no configuration twice
            self.brackets.append(bracket)
        self._turn = 0

    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        waiting = False
        for step in range(len(self.brackets)):
            index = (self._turn + step) % len(self.brackets)
            suggestion = self.brackets[index].suggest()
            if suggestion == WAIT:
                waiting = True
            elif isinstance(suggestion, Suggestion):
                self._turn = (index + 1) % len(self.brackets)
                return Suggestion(suggestion.params, suggestion.budget, suggestion.rung, suggestion.config_id,
                                  {"bracket": index})
        return WAIT if waiting else None

    def observe(self, suggestion: Suggestion, metric: float | None) -> None:
        self.brackets[int(suggestion.extra["bracket"])].observe(suggestion, metric)
