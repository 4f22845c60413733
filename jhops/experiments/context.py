"""What code running inside a trial can ask about it: its folder and TensorBoard log directory."""

from __future__ import annotations

import os
from dataclasses import dataclass

from jhops.experiments.reporter import Reporter


@dataclass
class TrialContext:
    experiment_id: int
    trial_id: int
    number: int
    folder: str
    reporter: Reporter


_current: TrialContext | None = None


def set_current(context: TrialContext | None) -> None:
    global _current
    _current = context


def current() -> TrialContext:
    """The trial this code runs in; ``RuntimeError`` outside a trial."""
    if _current is None:
        raise RuntimeError(
            "Not inside a jhops trial. Call this from the training function you pass to "
            "jhops.experiment.launch(...) or run with %%hops experiment."
        )
    return _current


def trial_folder() -> str:
    """The folder of the running trial; files written here are kept as the trial's artifacts."""
    return current().folder


def tensorboard_logdir() -> str:
    """The running trial's TensorBoard log directory (created on first use).

    Example::

        tb = tf.keras.callbacks.TensorBoard(log_dir=jhops.experiment.tensorboard_logdir())
    """
    path = os.path.join(current().folder, "tensorboard")
    os.makedirs(path, exist_ok=True)
    return path
