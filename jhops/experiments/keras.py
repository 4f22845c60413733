"""A Keras callback that reports a training's metrics through the trial's reporter."""

from __future__ import annotations

from typing import Any

from jhops.experiments import context
from jhops.experiments.reporter import Reporter


def reporter_callback(reporter: Reporter | None = None, every: str = "epoch") -> Any:
    """A ``keras.callbacks.Callback`` that broadcasts the logs Keras computes, per epoch or per batch.

    Stopping the trial (early stopping, a kill) ends ``model.fit`` cleanly at the next report.

    Example::

        def train(lr, reporter):
            model.fit(x, y, epochs=5, callbacks=[jhops.experiment.reporter_callback(reporter)])
    """
    if every not in ("epoch", "batch"):
        raise ValueError(f"every must be 'epoch' or 'batch', got {every!r}")
    import keras  # imported here: jhops does not need Keras unless this is used

    target = reporter or context.current().reporter

    class JhopsReporter(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self._batches = 0

        def _report(self, logs: dict[str, Any] | None, step: int) -> None:
            numbers = {}
            for key, value in (logs or {}).items():
                try:  # Keras gives floats, numpy scalars or 0-d tensors
                    numbers[key] = float(value)
                except (TypeError, ValueError):
                    continue
            if numbers:
                target.broadcast(numbers, step=step)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if every == "epoch":
                self._report(logs, epoch)

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            self._batches += 1
            if every == "batch":
                self._report(logs, self._batches)

    return JhopsReporter()
