"""A predictor loader that takes longer than any test waits."""

import time


def load(model_dir):
    time.sleep(120)
