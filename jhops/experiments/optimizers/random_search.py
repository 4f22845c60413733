"""Random search: independent samples of the search space, never the same configuration twice."""

from __future__ import annotations

from typing import Literal

from jhops.experiments.optimizers.base import Optimizer, Suggestion, config_key

MAX_DRAWS = 200


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
        for _ in range(MAX_DRAWS):
            params = self.space.sample(self.rng)
            key = config_key(params)
            if key not in self._seen:
                self._seen.add(key)
                return Suggestion(params, config_id=len(self._seen) - 1)
        return None  # the space has no unseen configuration left
