"""Test predictors served as registered "python" models."""

import os
import time

import numpy as np


class Doubler:
    """Twice the input; records the size of every batch it gets in batch_sizes.txt beside itself."""

    def load(self, model_dir):
        self.log = os.path.join(model_dir, "batch_sizes.txt")
        self.delay = float(os.environ.get("JHOPS_TEST_PREDICT_DELAY", "0"))

    def predict(self, inputs):
        batch = np.asarray(inputs)
        with open(self.log, "a") as f:
            f.write(f"{len(batch)}\n")
        if self.delay:
            time.sleep(self.delay)
        return batch * 2


class Fussy:
    """Raises on a negative first value (a predictor bug, a 500), else returns the row sums."""

    def predict(self, inputs):
        batch = np.asarray(inputs, dtype="float64")
        if batch.ravel()[0] < 0:
            raise RuntimeError("negative values break this model")
        return batch.reshape(len(batch), -1).sum(axis=1)


class Greeter:
    """Takes JSON objects, returns strings: a custom predictor with no tensors."""

    def predict(self, inputs):
        return [f"hello {item['name']}" for item in inputs]
