"""Bayesian optimisation with the Tree-structured Parzen Estimator, through Optuna's sampler.

Optuna's ask-and-tell interface fits the asynchronous driver: a configuration is asked for whenever a worker
is free and told its result when the trial ends; ``constant_liar`` keeps trials that run at the same time
from being suggested on top of each other.
"""

from __future__ import annotations

from typing import Any, Literal

from jhops.experiments.optimizers.base import Optimizer, Suggestion, draw_unseen
from jhops.experiments.searchspace import CATEGORICAL, DISCRETE, DOUBLE, INTEGER, Parameter
from jhops.extras import require_extra

MAX_ASKS = 50


def _distribution(parameter: Parameter) -> Any:
    from optuna import distributions

    log = parameter.scale == "log"
    if parameter.type == DOUBLE:
        return distributions.FloatDistribution(parameter.low, parameter.high, log=log)
    if parameter.type == INTEGER:
        return distributions.IntDistribution(int(parameter.low), int(parameter.high), log=log)
    assert parameter.type in (DISCRETE, CATEGORICAL)
    return distributions.CategoricalDistribution(list(parameter.values))


class TPE(Optimizer):
    """TPE over the search space: random for the first ``n_startup_trials``, then model-guided.

    Needs Optuna (``pip install optuna``). Example::

        opt = TPE(n_startup_trials=5); opt.initialize(space, num_trials=30, direction="max", seed=0)
    """

    def __init__(self, n_startup_trials: int = 10) -> None:
        self.n_startup_trials = n_startup_trials

    def reset(self) -> None:
        if self.num_trials is None:
            raise ValueError("TPE needs num_trials")
        require_extra("tpe", "the TPE optimizer")
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.TPESampler(seed=self.rng.randrange(2**31), n_startup_trials=self.n_startup_trials,
                                             constant_liar=True)
        self._study = optuna.create_study(direction="maximize" if self.direction == "max" else "minimize",
                                          sampler=sampler)
        self._distributions = {name: _distribution(p) for name, p in self.space}
        self._seen: set[str] = set()

    def suggest(self) -> Suggestion | Literal["WAIT"] | None:
        import optuna

        if len(self._seen) >= (self.num_trials or 0):
            return None
        # A configuration already run is told to the sampler as failed, and asked for again.
        trial = draw_unseen(lambda: self._study.ask(self._distributions), lambda t: t.params, self._seen,
                            rejected=lambda t: self._study.tell(t, state=optuna.trial.TrialState.FAIL),
                            attempts=MAX_ASKS)
        return None if trial is None else Suggestion(dict(trial.params), config_id=trial.number)

    def observe(self, suggestion: Suggestion, metric: float | None) -> None:
        import optuna

        if metric is None:
            self._study.tell(suggestion.config_id, state=optuna.trial.TrialState.FAIL)
        else:
            self._study.tell(suggestion.config_id, metric)
