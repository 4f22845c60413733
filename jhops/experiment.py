"""The experiment API, in the shape of hops-util-py's ``hops.experiment``.

Example::

    from jhops import experiment

    def train(lr, reporter):
        ...
    experiment.launch(train, {"lr": [0.1, 0.01]}, metric_key="accuracy")
"""

from jhops.experiments.arguments import grid
from jhops.experiments.context import tensorboard_logdir, trial_folder
from jhops.experiments.driver import DriverError, DriverSettings
from jhops.experiments.keras import reporter_callback
from jhops.experiments.launch import launch
from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState
from jhops.experiments.reporter import Reporter, TrialStopped

__all__ = [
    "DriverError",
    "DriverSettings",
    "Experiment",
    "ExperimentState",
    "Reporter",
    "Trial",
    "TrialState",
    "TrialStopped",
    "grid",
    "launch",
    "reporter_callback",
    "tensorboard_logdir",
    "trial_folder",
]
