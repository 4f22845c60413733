"""ASHA: asynchronous successive halving (Li et al., 2018), with promotions.

Configurations start on the lowest rung with the smallest budget. Whenever a worker is free, the highest
rung with a configuration in its top ``1/reduction_factor`` that has not been promoted yet sends that
configuration up a rung, with ``reduction_factor`` times the budget; otherwise a new configuration starts
at the bottom. No rung waits for another to fill up, so workers never idle.
"""

from __future__ import annotations

import math
from typing import Literal

from jhops.experiments.optimizers.base import WAIT, Optimizer, Suggestion, draw_unseen


class Asha(Optimizer):
    """Asynchronous successive halving over budgets ``min_resource * reduction_factor**k``.

    ``num_trials`` counts new configurations; promotions run on top of them. The budget reaches the
    training function as its ``budget`` argument (e.g. epochs).

    Example::

        opt = Asha(reduction_factor=3, min_resource=1, max_resource=9)   # budgets 1, 3, 9
        opt.initialize(space, num_trials=27, direction="max", seed=0)
    """

    def __init__(self, reduction_factor: int = 3, min_resource: float = 1, max_resource: float = 9) -> None:
        if reduction_factor < 2:
            raise ValueError(f"reduction_factor must be at least 2, got {reduction_factor}")
        if not 0 < min_resource <= max_resource:
            raise ValueError(f"need 0 < min_resource <= max_resource, got {min_resource} and {max_resource}")
        self.eta = reduction_factor
        self.min_resource, self.max_resource = min_resource, max_resource
        top = math.floor(math.log(max_resource / min_resource, reduction_factor) + 1e-9)
        self.budgets = [min_resource * reduction_factor**k for k in range(top + 1)]
        if self.budgets[-1] < max_resource:
            self.budgets.append(max_resource)

    def reset(self) -> None:
        if self.num_trials is None:
            raise ValueError("ASHA needs num_trials (how many configurations to start)")
        self._configs: list[dict[str, object]] = []
        #: configurations drawn so far; several ladders may share one set so none draws another's
        self.seen: set[str] = set()
        self._results: list[dict[int, float]] = [{} for _ in self.budgets]
        self._promoted: list[set[int]] = [set() for _ in self.budgets]
        self._pending = 0

    def _promotable(self) -> Suggestion | None:
        for rung in range(len(self.budgets) - 2, -1, -1):
            results = self._results[rung]
            keep = len(results) // self.eta
            if keep == 0:
                continue
            ranked = sorted(results, key=lambda c: results[c], reverse=self.direction == "max")
            for config_id in ranked[:keep]:
                if config_id not in self._promoted[rung]:
                    self._promoted[rung].add(config_id)
                    return Suggestion(dict(self._configs[config_id]), budget=self.budgets[rung + 1],
                                      rung=rung + 1, config_id=config_id)
        return None

    def _new_config(self) -> Suggestion | None:
        params = draw_unseen(lambda: self.space.sample(self.rng), lambda p: p, self.seen)
        if params is None:
            return None
        self._configs.append(params)
        return Suggestion(params, budget=self.budgets[0], rung=0, config_id=len(self._configs) - 1)

    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        suggestion = self._promotable()
        if suggestion is None and len(self._configs) < (self.num_trials or 0):
            suggestion = self._new_config()
        if suggestion is not None:
            self._pending += 1
            return suggestion
        # Nothing now; a result still to come may earn a promotion.
        return WAIT if self._pending > 0 else None

    def observe(self, suggestion: Suggestion, metric: float | None) -> None:
        self._pending -= 1
        if metric is not None:
            self._results[suggestion.rung][suggestion.config_id] = metric
