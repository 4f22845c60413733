"""The experiment API, in the shape of hops-util-py's ``hops.experiment``.

Example::

    from jhops import experiment

    def train(lr, reporter):
        ...
    experiment.launch(train, {"lr": [0.1, 0.01]}, metric_key="accuracy")
"""

from jhops.experiments.arguments import grid
from jhops.experiments.compat import Direction, grid_search, lagom, random_search
from jhops.experiments.context import checkpoint_dir, tensorboard_logdir, trial_folder
from jhops.experiments.driver import DriverError, DriverSettings
from jhops.experiments.keras import reporter_callback
from jhops.experiments.launch import launch
from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState
from jhops.experiments.reporter import Reporter, TrialStopped
from jhops.experiments.search import search
from jhops.experiments.searchspace import Searchspace

__all__ = [
    "Direction",
    "DriverError",
    "DriverSettings",
    "Experiment",
    "ExperimentState",
    "Reporter",
    "Searchspace",
    "Trial",
    "TrialState",
    "TrialStopped",
    "checkpoint_dir",
    "grid",
    "grid_search",
    "lagom",
    "launch",
    "random_search",
    "reporter_callback",
    "search",
    "tensorboard_logdir",
    "trial_folder",
]
