"""What code running inside a trial can ask about it: its folder, TensorBoard log directory and checkpoints."""

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
    #: local folder shared by the runs of this configuration (promotions, retries); None where unknown
    checkpoint: str | None = None


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


def checkpoint_dir() -> str:
    """A folder that every run of this configuration in the experiment shares: save a checkpoint here and resume.

    An ASHA or Hyperband promotion (the same parameters with a larger ``budget``) and the retry of a trial whose
    worker died find what the earlier run saved, so they can continue instead of training again from scratch.

    Example::

        path = os.path.join(jhops.experiment.checkpoint_dir(), "model.keras")
        model = keras.models.load_model(path) if os.path.exists(path) else build_model()
    """
    ctx = current()
    path = ctx.checkpoint or os.path.join(ctx.folder, "checkpoint")
    os.makedirs(path, exist_ok=True)
    return path
