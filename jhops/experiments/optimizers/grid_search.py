"""Grid search: every combination of the search space's values, each once, in a fixed order."""

from __future__ import annotations

from typing import Literal

from jhops.experiments.optimizers.base import Optimizer, Suggestion


class GridSearch(Optimizer):
    """Every configuration of the grid (the first ``num_trials`` of them when that is smaller).

    Example: a space ``a=("DISCRETE", [1, 2]), b=("CATEGORICAL", ["x", "y"])`` gives four trials.
    """

    def reset(self) -> None:
        grid = self.space.grid()
        self._grid = grid[: self.num_trials] if self.num_trials is not None else grid
        self._next = 0

    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        if self._next >= len(self._grid):
            return None
        self._next += 1
        return Suggestion(self._grid[self._next - 1], config_id=self._next - 1)
