"""Asynchronous search with early stopping vs. synchronous waves vs. Optuna, on Fashion-MNIST.

Every arm trains the same small CNN on the same randomly sampled configurations (learning rate, dropout,
kernel size, width; one seed) with 2 workers, each trial with a fixed TensorFlow thread budget
(cores / workers):

- A  synchronous: trials in waves of ``workers``, each to completion, a barrier after each wave (the
     Hopsworks Experiment API); a persistent process pool, so only the barriers cost.
- B  jhops ``search``, asynchronous, with the median early-stopping rule.
- B0 jhops ``search``, asynchronous, no early stopping (the gain of scheduling alone).
- C  Optuna, ``MedianPruner`` and ``n_jobs=workers`` threads in one process, its TensorFlow pools sized so
     the two trials together can use every core.
- D  jhops ``search`` with ASHA on the same configurations (the first ``trials`` it draws with the seed):
     budgets of 1, 3 and ``epochs`` epochs, the top third of each rung promoted; a promotion resumes from the
     model its lower rung saved in ``jhops.experiment.checkpoint_dir()``.

Each arm runs in a fresh subprocess, ``--repeats`` times; the table shows medians. Then a dispatch run:
300 trials that return at once, trials per second for jhops local, jhops Spark (local[2]) and Optuna.

Run: ``python benchmarks/hpo_async_vs_sync.py`` (``--quick`` for a small smoke run). Needs Debian's
``dataset-fashion-mnist`` and ``optuna`` (``make benchmark`` installs both).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

SPACE = {
    "learning_rate": ("DOUBLE", [1e-4, 3e-2], "log"),
    "dropout": ("DOUBLE", [0.0, 0.6]),
    "kernel": ("DISCRETE", [3, 5]),
    "width": ("DISCRETE", [8, 16, 32]),
}


# --- the workload ------------------------------------------------------------------------------------
def data_file(n_train: int, n_val: int) -> str:
    """A cached .npz of the first ``n_train`` + ``n_val`` Fashion-MNIST training images, scaled to [0, 1]."""
    path = Path(tempfile.gettempdir()) / f"jhops-fmnist-{n_train}-{n_val}.npz"
    if not path.exists():
        from jhops.datasets import fashion_mnist

        x, y = fashion_mnist.load_split("train")
        x = (x[: n_train + n_val].astype("float32") / 255.0)[..., None]
        y = y[: n_train + n_val]
        tmp = path.with_suffix(".tmp.npz")
        import numpy as np

        np.savez(tmp, x_train=x[:n_train], y_train=y[:n_train], x_val=x[n_train:], y_val=y[n_train:])
        os.replace(tmp, path)
    return str(path)


def fit(learning_rate: float, dropout: float, kernel: int, width: int, epochs: int, data: str,
        report: Any = None, checkpoint: str | None = None) -> dict[str, float]:
    """Train the CNN epoch by epoch; ``report(accuracy, epoch)`` after each (it may raise to stop).

    With a ``checkpoint`` folder, continue from the model and epoch count saved there and save them at the end:
    an ASHA promotion then trains only the epochs its lower rung did not.
    """
    import keras
    import numpy as np

    arrays = np.load(data)
    keras.utils.set_random_seed(0)
    saved = os.path.join(checkpoint, "model.keras") if checkpoint else None
    if saved and os.path.exists(saved):
        model = keras.models.load_model(saved)
        done = int(Path(checkpoint, "epochs").read_text())  # type: ignore[arg-type]
        accuracy = float(Path(checkpoint, "accuracy").read_text())  # type: ignore[arg-type]
        return _train_epochs(model, arrays, done, epochs, accuracy, report, checkpoint)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(width, kernel, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(2 * width, kernel, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(dropout),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _train_epochs(model, arrays, 0, epochs, 0.0, report, checkpoint)


def _train_epochs(model: Any, arrays: Any, done: int, epochs: int, accuracy: float, report: Any,
                  checkpoint: str | None) -> dict[str, float]:
    for epoch in range(done, epochs):
        model.fit(arrays["x_train"], arrays["y_train"], batch_size=64, epochs=1, verbose=0)
        accuracy = float(model.evaluate(arrays["x_val"], arrays["y_val"], batch_size=512, verbose=0)[1])
        if report is not None:
            report(accuracy, epoch)
    if checkpoint:
        model.save(os.path.join(checkpoint, "model.keras"))
        Path(checkpoint, "epochs").write_text(str(max(done, epochs)))
        Path(checkpoint, "accuracy").write_text(repr(accuracy))
    return {"metric": accuracy, "epochs": float(max(epochs - done, 0))}


def configurations(n: int, seed: int) -> list[dict[str, Any]]:
    """The configurations every arm runs: what jhops's random search draws with this seed."""
    from jhops.experiments.searchspace import Searchspace

    space, rng = Searchspace(**SPACE), random.Random(seed)
    return [space.sample(rng) for _ in range(n)]


# --- the arms (each runs in its own process) ---------------------------------------------------------
def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _sync_trial(job: tuple[dict[str, Any], int, str]) -> tuple[float, float, int]:
    config, epochs, data = job
    start = time.perf_counter()
    result = fit(**config, epochs=epochs, data=data)
    return result["metric"], time.perf_counter() - start, epochs


def _pool_init(env: dict[str, str]) -> None:
    os.environ.update(env)


def arm_sync(configs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    from jhops.compute import thread_budget

    data = data_file(args.train, args.val)
    import multiprocessing

    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_pool_init, initargs=(thread_budget(args.workers),)) as pool:
        start = time.perf_counter()
        results = []
        for first in range(0, len(configs), args.workers):  # a barrier after every wave
            wave = configs[first:first + args.workers]
            results += list(pool.map(_sync_trial, [(c, args.epochs, data) for c in wave]))
        wall = time.perf_counter() - start
    return {"wall": wall, "best": max(r[0] for r in results), "stopped": 0, "epochs": sum(r[2] for r in results),
            "busy": sum(r[1] for r in results)}


def _jhops_trial(learning_rate: float, dropout: float, kernel: int, width: int, epochs: int, data: str,
                 reporter: Any) -> dict[str, float]:
    return fit(learning_rate, dropout, kernel, width, epochs, data,
               report=lambda accuracy, epoch: reporter.broadcast(accuracy, step=epoch))


def _asha_trial(learning_rate: float, dropout: float, kernel: int, width: int, budget: float, data: str,
                reporter: Any) -> dict[str, float]:
    from jhops.experiments.context import checkpoint_dir

    return fit(learning_rate, dropout, kernel, width, int(budget), data,
               report=lambda accuracy, epoch: reporter.broadcast(accuracy, step=epoch), checkpoint=checkpoint_dir())


def arm_jhops(configs: list[dict[str, Any]], args: argparse.Namespace, early_stop: bool,
              asha: bool = False) -> dict[str, Any]:
    import functools

    from jhops.experiments.early_stopping import MedianRule
    from jhops.experiments.records import TrialState
    from jhops.experiments.search import search
    from jhops.experiments.searchspace import Searchspace
    from jhops.project import Project

    data = data_file(args.train, args.val)
    if asha:
        train = functools.partial(_asha_trial, data=data)
        options = {"reduction_factor": 3, "min_resource": 1, "max_resource": args.epochs}
    else:
        train = functools.partial(_jhops_trial, epochs=args.epochs, data=data)
        options = {}
    train.__name__ = "fmnist_cnn"  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as root:
        start = time.perf_counter()
        exp = search(train, Searchspace(**SPACE), optimizer="asha" if asha else "randomsearch",
                     optimizer_options=options, num_trials=len(configs), seed=args.seed,
                     early_stop=MedianRule(min_finished=args.es_min) if early_stop else "none", es_interval=0.5,
                     workers=args.workers, project=Project(root), listeners=[])
        wall = time.perf_counter() - start
        trials = exp.trials
    first_rung = [{k: v for k, v in t.params.items() if k != "budget"} for t in trials
                  if t.params.get("budget", 1) == 1 or not asha]
    assert first_rung == configs, "the arms must run the same configurations"
    return {
        "wall": wall, "best": exp.best_metric,
        "stopped": sum(t.state is TrialState.EARLY_STOPPED for t in trials),
        "epochs": sum(len(t.history.get("metric", [])) for t in trials),
        "busy": sum(t.duration or 0.0 for t in trials),
        "failed": sum(t.state is TrialState.FAILED for t in trials),
    }


def arm_optuna(configs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    import optuna
    import tensorflow as tf

    # One process, two trial threads: one TensorFlow pool sized so both trials together use every core.
    cores = os.cpu_count() or 1
    tf.config.threading.set_intra_op_parallelism_threads(cores)
    tf.config.threading.set_inter_op_parallelism_threads(max(1, cores // 2))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = data_file(args.train, args.val)
    durations: list[float] = []

    def objective(trial: optuna.Trial) -> float:
        start = time.perf_counter()
        config = {
            "learning_rate": trial.suggest_float("learning_rate", 1e-4, 3e-2, log=True),
            "dropout": trial.suggest_float("dropout", 0.0, 0.6),
            "kernel": trial.suggest_categorical("kernel", [3, 5]),
            "width": trial.suggest_categorical("width", [8, 16, 32]),
        }

        def report(accuracy: float, epoch: int) -> None:
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        try:
            return fit(**config, epochs=args.epochs, data=data, report=report)["metric"]
        finally:
            durations.append(time.perf_counter() - start)

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=args.seed),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=args.es_min, n_warmup_steps=1))
    for config in configs:
        study.enqueue_trial(config)
    start = time.perf_counter()
    study.optimize(objective, n_trials=len(configs), n_jobs=args.workers)
    wall = time.perf_counter() - start
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    return {"wall": wall, "best": study.best_value, "stopped": len(pruned),
            "epochs": sum(len(t.intermediate_values) for t in study.trials), "busy": sum(durations)}


def run_arm(arm: str, args: argparse.Namespace) -> dict[str, Any]:
    configs = configurations(args.trials, args.seed)
    cpu = _cpu_seconds()
    if arm == "A":
        result = arm_sync(configs, args)
    elif arm in ("B", "B0"):
        result = arm_jhops(configs, args, early_stop=arm == "B")
    elif arm == "D":
        result = arm_jhops(configs, args, early_stop=False, asha=True)
    else:
        result = arm_optuna(configs, args)
    cores = os.cpu_count() or 1
    result["worker_util"] = result["busy"] / (args.workers * result["wall"])
    result["cpu_util"] = (_cpu_seconds() - cpu) / (cores * result["wall"])
    return result


# --- dispatch overhead -------------------------------------------------------------------------------
def _instant(i: int) -> int:
    return i


def dispatch(kind: str, n: int, workers: int) -> float:
    """Trials per second for ``n`` trials that return at once."""
    if kind == "optuna":
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study()
        start = time.perf_counter()
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=n, n_jobs=workers)
        return n / (time.perf_counter() - start)
    from jhops import experiment
    from jhops.project import Project

    with tempfile.TemporaryDirectory() as root:
        spark = None
        if kind == "spark":
            from jhops.compute.spark import get_or_create_session

            spark = get_or_create_session(f"local[{workers}]", workers)
            spark.sparkContext.setLogLevel("ERROR")
        start = time.perf_counter()
        exp = experiment.launch(_instant, {"i": list(range(n))}, executor=kind, spark=spark, workers=workers,
                                project=Project(root), listeners=[])
        elapsed = time.perf_counter() - start
        assert exp.counts() == {"FINISHED": n}
        return n / elapsed


# --- the driver of the benchmark ---------------------------------------------------------------------
def _subprocess(argv: list[str]) -> dict[str, Any]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "SPARK_LOCAL_IP": "127.0.0.1", "JHOPS_SPARK_UI": "0",
           "PYSPARK_PYTHON": sys.executable}
    out = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--train", type=int, default=6000, help="training images")
    parser.add_argument("--val", type=int, default=2000, help="validation images")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--es-min", type=int, default=3, help="finished trials before early stopping acts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dispatch-trials", type=int, default=300)
    parser.add_argument("--arms", default="A,B,B0,C,D")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    parser.add_argument("--dispatch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.trials, args.epochs, args.train, args.val, args.repeats, args.dispatch_trials = 4, 2, 1000, 500, 1, 40
    if args.arm:  # inside an arm's subprocess
        print(json.dumps(run_arm(args.arm, args)))
        return
    if args.dispatch:
        print(json.dumps({"rate": dispatch(args.dispatch, args.dispatch_trials, args.workers)}))
        return

    common = [f"--trials={args.trials}", f"--epochs={args.epochs}", f"--train={args.train}", f"--val={args.val}",
              f"--workers={args.workers}", f"--es-min={args.es_min}", f"--seed={args.seed}",
              f"--dispatch-trials={args.dispatch_trials}"]
    data_file(args.train, args.val)
    arms = args.arms.split(",")
    runs: dict[str, list[dict[str, Any]]] = {arm: [] for arm in arms}
    for repeat in range(args.repeats):
        for arm in arms:
            result = _subprocess([*common, f"--arm={arm}"])
            runs[arm].append(result)
            print(f"repeat {repeat + 1}/{args.repeats} arm {arm}: {json.dumps(result)}", file=sys.stderr, flush=True)
    medians = {arm: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for arm, rs in runs.items()}
    kinds = [] if args.dispatch_trials == 0 else ["local", "spark", "optuna"]
    rates = {kind: statistics.median(_subprocess([*common, f"--dispatch={kind}"])["rate"] for _ in range(args.repeats))
             for kind in kinds}

    names = {"A": "A synchronous waves", "B": "B jhops async + median rule", "B0": "B0 jhops async, no stopping",
             "C": "C Optuna + MedianPruner", "D": "D jhops async ASHA (1/3/6 epochs, resumed)"}
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{date.today()}; {args.trials} configurations x {args.epochs} epochs, {args.train} training / "
          f"{args.val} validation images, {args.workers} workers, seed {args.seed}, medians of {args.repeats}\n")
    print("| arm | wall-clock (s) | vs A | best accuracy | stopped early | epochs trained | worker util. | CPU util. |")
    print("|---|---|---|---|---|---|---|---|")
    base = medians.get("A", {}).get("wall")
    for arm, m in medians.items():
        ratio = f"{m['wall'] / base:.2f}" if base else "-"
        print(f"| {names[arm]} | {m['wall']:.0f} | {ratio} | {m['best']:.4f} | {m['stopped']:.0f} | "
              f"{m['epochs']:.0f} | {m['worker_util']:.2f} | {m['cpu_util']:.2f} |")
    if not rates:
        return
    print(f"\nDispatch ({args.dispatch_trials} trials that return at once, {args.workers} workers):")
    print("| runner | trials/s |\n|---|---|")
    for kind, rate in rates.items():
        label = {"local": "jhops local", "spark": "jhops Spark local[2]", "optuna": "Optuna n_jobs=2"}[kind]
        print(f"| {label} | {rate:.0f} |")


if __name__ == "__main__":
    main()
