"""The ship-vs-iceberg CNN of the Kaggle Statoil/C-CORE challenge, as used in the ExtremeEarth/Hopsworks demo.

TensorFlow/Keras is imported only inside the functions, so importing this module stays cheap.

Example::

    from jhops.examples.iceberg_cnn import train
    metrics = train(learning_rate=1e-3, epochs=3)       # synthetic data unless JHOPS_ICEBERG_JSON is set
    metrics["accuracy"]                                  # validation accuracy after the last epoch

or as a jhops experiment::

    jhops.experiment.launch(train, {"learning_rate": [1e-2, 1e-3, 1e-4]})
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jhops.compute.raw_output import import_quietly
from jhops.datasets import iceberg

__all__ = ["build_model", "data_file", "train"]

DATA_ENV = "JHOPS_ICEBERG_JSON"
"""Environment variable naming a Kaggle-format ``train.json`` to train on instead of synthetic data."""


def build_model(learning_rate: float = 1e-3, dropout: float = 0.2, input_shape: tuple[int, ...] = (75, 75, 3),
                band_mean: Any = None, band_variance: Any = None) -> Any:
    """The compiled Kaggle/ExtremeEarth iceberg CNN: 4 conv blocks, 2 dense layers, a sigmoid output.

    Adam optimiser, binary cross-entropy loss, accuracy metric. With ``band_mean`` and ``band_variance`` (one
    value per band) the model standardises its input itself, so it takes raw chips in dB: that is what a
    deployment is sent and what monitoring compares with the feature store's statistics.

    Example::

        model = build_model(learning_rate=1e-3, dropout=0.2)
        model.output_shape      # (None, 1)
    """
    import_quietly("tensorflow")  # its C++ banners go to a file, not the notebook cell
    import keras  # imported here: the module must not pull in TensorFlow on import
    from keras import layers

    standardise = ([layers.Normalization(axis=-1, mean=band_mean, variance=band_variance)]
                   if band_mean is not None else [])
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            *standardise,
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2)),
            layers.Dropout(dropout),
            layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
            layers.Dropout(dropout),
            layers.Conv2D(128, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
            layers.Dropout(dropout),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
            layers.Dropout(dropout),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(256, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="iceberg_cnn",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def data_file(data_path: str | os.PathLike[str] | None = None, n: int = 1604, seed: int = 42) -> Path:
    """The JSON file to train on: ``data_path``, else ``$JHOPS_ICEBERG_JSON``, else cached synthetic data.

    Synthetic files are written once per (n, seed) under the temp directory and reused by later trials.

    Example::

        data_file(n=200, seed=1)      # e.g. /tmp/jhops-iceberg/train-v1-n200-seed1.json
    """
    if data_path is not None:
        return Path(data_path)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    cached = Path(tempfile.gettempdir()) / "jhops-iceberg" / f"train-v{iceberg.GENERATOR_VERSION}-n{n}-seed{seed}.json"
    if not cached.exists():
        iceberg.write(cached, n=n, seed=seed)  # atomic: concurrent trials never read half a file
    return cached


@lru_cache(maxsize=2)
def _load_cached(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return iceberg.add_band_avg(iceberg.load(path))


@lru_cache(maxsize=2)
def _training_dataset_splits(project: str | None, name: str, version: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from jhops.featurestore import connect

    td = connect(project).get_training_dataset(name, version)
    return td.read("train"), td.read("test")


def _parse_training_dataset(spec: str) -> tuple[str, int | None]:
    name, _, version = spec.partition(":")
    return name, int(version) if version else None


def _arrays(path: Path | None, training_dataset: str | None = None,
            project: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw chips (dB) and labels of the training and validation splits."""
    if training_dataset is not None:
        train_df, val_df = _training_dataset_splits(project, *_parse_training_dataset(training_dataset))
    else:
        assert path is not None
        stat = path.stat()
        df = _load_cached(str(path), stat.st_mtime_ns, stat.st_size)
        train_df, val_df = iceberg.split(df, test_fraction=0.2, seed=42)
    x_train, y_train = iceberg.to_arrays(train_df)
    x_val, y_val = iceberg.to_arrays(val_df)
    return x_train, y_train, x_val, y_val


def _reporter_callback(reporter: Any) -> Any:
    import_quietly("tensorflow")  # its C++ banners go to a file, not the notebook cell
    import keras

    class BroadcastMetrics(keras.callbacks.Callback):  # type: ignore[misc]
        """Broadcasts each epoch's metrics under the names ``train`` returns: ``accuracy`` and ``loss`` are the
        validation figures, ``train_accuracy`` and ``train_loss`` the training ones."""

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs = logs or {}
            names = {"val_accuracy": "accuracy", "val_loss": "loss", "accuracy": "train_accuracy", "loss": "train_loss"}
            metrics = {ours: float(logs[keras_name]) for keras_name, ours in names.items() if keras_name in logs}
            if metrics:
                reporter.broadcast(metrics, step=epoch)

    return BroadcastMetrics()


def train(
    learning_rate: float = 1e-3,
    epochs: int = 3,
    batch_size: int = 32,
    dropout: float = 0.2,
    data_path: str | os.PathLike[str] | None = None,
    n: int = 1604,
    seed: int = 42,
    reporter: Any = None,
    training_dataset: str | None = None,
    project: str | None = None,
) -> dict[str, Any]:
    """Train the iceberg CNN on an 80/20 split and save it as ``model.keras`` in the current directory; the saved
    model takes raw chips (n, 75, 75, 3) in dB and standardises them itself.

    Data: the ``train`` and ``test`` splits of the feature store's ``training_dataset`` (``"iceberg_td"`` or
    ``"iceberg_td:2"`` for a version; in ``project``, default ``$JHOPS_PROJECT``), else ``data_path``, else
    ``$JHOPS_ICEBERG_JSON``, else ``n`` synthetic chips made with ``seed`` (also the seed of the weights'
    initialisation). Returns ``{"accuracy": validation accuracy, "loss": validation
    loss, "train_accuracy": ..., "train_loss": ..., "model": "model.keras"}`` from the last epoch; with a
    ``reporter``, the same four metrics are broadcast after every epoch.

    Example::

        train(learning_rate=1e-3, epochs=5)   # {'accuracy': 0.86, 'loss': 0.33, ...}
    """
    import_quietly("tensorflow")  # its C++ banners go to a file, not the notebook cell
    import keras

    source = None if training_dataset is not None else data_file(data_path, n=n, seed=seed)
    x_train, y_train, x_val, y_val = _arrays(source, training_dataset, project)
    keras.utils.set_random_seed(seed)
    # Per-band standardisation with the training set's statistics, inside the model (see build_model).
    model = build_model(learning_rate=learning_rate, dropout=dropout, input_shape=x_train.shape[1:],
                        band_mean=x_train.mean(axis=(0, 1, 2)), band_variance=x_train.var(axis=(0, 1, 2)) + 1e-12)
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        verbose=2,
        validation_data=(x_val, y_val),
        callbacks=[_reporter_callback(reporter)] if reporter is not None else [],
    )
    model.save("model.keras")
    last = {key: values[-1] for key, values in history.history.items()}
    return {
        "accuracy": float(last["val_accuracy"]),
        "loss": float(last["val_loss"]),
        "train_accuracy": float(last["accuracy"]),
        "train_loss": float(last["loss"]),
        "model": "model.keras",
    }
