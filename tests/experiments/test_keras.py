"""The Keras reporter callback inside a real trial (a tiny model, a few steps)."""

import pytest

from jhops import experiment

pytestmark = pytest.mark.tensorflow


def _fit(every, reporter):
    import keras
    import numpy as np

    from jhops.experiment import reporter_callback

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[reporter_callback(reporter, every=every)])
    return None  # the last reported values become the final metrics


def test_keras_metrics_are_reported_per_epoch_and_per_batch(project):
    pytest.importorskip("keras")
    exp = experiment.launch(_fit, {"every": ["epoch", "batch"]}, metric_key="accuracy", workers=1, project=project,
                            listeners=[])
    per_epoch, per_batch = project.experiments.get_experiment(exp.id).trials
    assert per_epoch.state.value == "FINISHED", per_epoch.error
    assert [step for step, _ in per_epoch.history["loss"]] == [0, 1, 2]
    assert len(per_batch.history["loss"]) == 12  # 3 epochs x 4 batches
    assert 0 <= per_epoch.metrics["accuracy"] <= 1
    assert set(per_epoch.metrics) >= {"loss", "accuracy"}


def test_reporter_callback_checks_its_argument():
    pytest.importorskip("keras")
    from jhops.experiments.reporter import Reporter

    with pytest.raises(ValueError, match="'epoch' or 'batch'"):
        experiment.reporter_callback(Reporter(), every="step")
