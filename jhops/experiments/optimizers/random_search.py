"""Random search: independent samples of the search space, never the same configuration twice."""

from __future__ import annotations

from typing import Literal

from jhops.experiments.optimizers.base import Optimizer, Suggestion, draw_unseen


class RandomSearch(Optimizer):
    """``num_trials`` distinct random configurations (fewer if a discrete space runs out).

    Example::

        opt = RandomSearch(); opt.initialize(space, num_trials=10, seed=42); opt.suggest().params
    """

    def reset(self) -> None:
        if self.num_trials is None:
            raise ValueError("random search needs num_trials")
        self._seen: set[str] = set()

    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        if len(self._seen) >= (self.num_trials or 0):
            return None
        params = draw_unseen(lambda: self.space.sample(self.rng), lambda p: p, self._seen)
        return None if params is None else Suggestion(params, config_id=len(self._seen) - 1)
