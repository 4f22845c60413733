"""The main job (``make demo``): the iceberg pipeline from raw chips to tracked experiments, locally and on Spark.

1. Data: ``$JHOPS_ICEBERG_JSON`` (the Kaggle ``train.json``) if set, else 1604 synthetic SAR chips.
2. Feature store: the chips validated and upserted into the ``iceberg`` feature group, and a new version of
   the ``iceberg_td`` training dataset (80/20, seed 42) made from it.
3. One training run of the 4-block iceberg CNN on the training dataset, on the local executor.
4. A learning-rate grid of the same CNN on the Spark executor (``local[2]``), two workers.
5. A results table with the validation accuracies.
6. The grid's best model registered (with its training dataset and experiment), deployed on a local model server
   with dynamic batching, sent every held-out test chip as a request from 8 concurrent clients; the accuracy of
   the served predictions and the monitoring summary (latency, errors, input drift against the training data).

Libraries' own output (TensorFlow's C++ banners, the Spark JVM's log lines) goes to log files under the project's
``logs`` folder and each experiment's ``workers`` folder; ``--verbose`` shows what the trials write to standard error.

Example: ``python -m jhops.demo --epochs 3``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from jhops.cli import format_table
from jhops.compute.raw_output import raw_output_to
from jhops.datasets import iceberg
from jhops.experiment import launch
from jhops.experiments.records import Experiment
from jhops.featurestore.training_dataset import TrainingDataset
from jhops.pipelines import iceberg_features
from jhops.project import Project


def _data(project: Project, n: int) -> str:
    given = os.environ.get("JHOPS_ICEBERG_JSON")
    if given:
        return given
    path = project.artifact_path("datasets", f"iceberg_synthetic_{n}.json")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        iceberg.write(path, n=n, seed=42)
    return path


def _rows(exp: Experiment) -> list[dict[str, object]]:
    rows = []
    for trial in exp.trials:
        where = f"worker {trial.worker.get('index', '?')}"
        if "partition_id" in trial.worker:
            where = f"spark task, partition {trial.worker['partition_id']}"
        accuracy = trial.metrics.get("accuracy")
        rows.append({
            "experiment": f"#{exp.id} {exp.name}",
            "trial": trial.number,
            "executor": exp.executor,
            "ran in": where,
            "learning_rate": trial.params.get("learning_rate"),
            "epochs": trial.params.get("epochs"),
            "val_accuracy": "" if accuracy is None else f"{accuracy:.3f}",
            "state": trial.state.value,
            "duration": f"{trial.duration:.0f}s" if trial.duration is not None else "",
        })
    return rows


def _serve(project: Project, grid: Experiment, td: TrainingDataset, clients: int = 8) -> float:
    """Register the grid's best model, serve it, send the test chips one request each; the served accuracy."""
    from jhops import serving
    from jhops.serving.monitoring import monitor

    chips, labels = iceberg.to_arrays(td.read("test"))
    model = grid.register_best_model("iceberg-cnn", project=project, training_dataset=td,
                                     input_example=chips[:2], description="ship (0) vs iceberg (1), 75x75x3 dB chips")
    print(f"  registered {model.name} v{model.version} ({model.framework}, accuracy "
          f"{model.metrics.get('accuracy', float('nan')):.3f}) from experiment {grid.id}")
    deployment = serving.create_or_update("iceberg", model.name, model.version, batching=True,
                                          inference_logging="ALL", project=project)
    status = deployment.start()
    print(f"  deployment 'iceberg' {status.state} at {status.url}/v2/models/iceberg/infer (V1 and V2, API key)")
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        scores = list(pool.map(lambda chip: float(np.ravel(deployment.predict(chip[np.newaxis]))[0]), chips))
    elapsed = time.perf_counter() - started
    accuracy = float(np.mean((np.asarray(scores) > 0.5) == (labels > 0.5)))
    print(f"  {len(chips)} test chips sent as {len(chips)} requests by {clients} clients in {elapsed:.1f}s "
          f"({len(chips) / elapsed:.0f} requests/s): served accuracy {accuracy:.3f}")
    report = monitor("iceberg", project=project)  # it has the server write every answered request first
    print("  monitoring: " + "\n  ".join(report.summary().splitlines()))
    print("  the model server keeps running: %hops serve stop iceberg, or jhops.serving.stop('iceberg')")
    return accuracy


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jhops.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("JHOPS_DEMO_EPOCHS", "4")))
    parser.add_argument("--chips", type=int, default=1604, help="synthetic chips to generate")
    parser.add_argument("--learning-rates", default="0.01,0.001,0.0001")
    parser.add_argument("--verbose", action="store_true",
                        help="show what trials and TensorFlow write to standard error, not only log it")
    args = parser.parse_args(argv)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("JHOPS_SPARK_UI", "0")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from jhops.examples.iceberg_cnn import train

    started = time.time()
    project = Project()
    data_path = _data(project, args.chips)
    frame = iceberg.load(data_path)
    print(f"Data: {data_path}\n  {len(frame)} chips, {frame['is_iceberg'].mean():.0%} icebergs, "
          f"{frame['inc_angle'].isna().sum()} without incidence angle\n")

    print("1/4 Feature store: validate and upsert the chips into the 'iceberg' feature group")
    fs = project.get_feature_store()
    fg, commit = iceberg_features.ingest(fs, frame)
    report = commit.report.summary() if commit.report is not None else "not validated"
    print(f"  commit {commit.version} ({commit.operation}, {commit.rows} rows): {report}")
    td = iceberg_features.create_training_dataset(fs)
    spec = f"{td.name}:{td.version}"
    print(f"  training dataset {spec}: {td.counts} from {td.sources}\n")
    data = {"training_dataset": spec, "project": project.path}

    print(f"2/4 The iceberg CNN, one run of {args.epochs} epochs on the local executor")
    single = launch(train, {"learning_rate": [1e-3], "epochs": args.epochs, **data},
                    name="iceberg-cnn", metric_key="accuracy", executor="local", workers=1, project=project,
                    verbose=args.verbose)

    rates = [float(r) for r in args.learning_rates.split(",")]
    print(f"\n3/4 A learning-rate grid {rates} on the Spark executor (local[2]), 2 workers")
    from jhops.compute.spark import get_or_create_session

    logs = project.artifact_path("logs")
    os.makedirs(logs, exist_ok=True)
    spark = get_or_create_session("local[2]", workers=2, output_log=os.path.join(logs, "spark.log"))
    grid = launch(train, {"learning_rate": rates, "epochs": args.epochs, **data},
                  name="iceberg-lr-grid", metric_key="accuracy", executor="spark", spark=spark, workers=2,
                  project=project, verbose=args.verbose)

    print("\nResults (validation accuracy on the 20% held out):")
    print(format_table(_rows(single) + _rows(grid)))
    best = grid.best_trial
    if best is not None:
        print(f"\nBest learning rate: {best.params['learning_rate']} "
              f"(val_accuracy {best.metrics['accuracy']:.3f}); reference after 50 epochs on the real data: ~0.85")

    print("\n4/4 Serving: the best model of the grid, registered, deployed and monitored")
    # Registering the model loads TensorFlow in this process: its C++ start-up banner goes to a log file, while
    # Python's own stderr (progress bars) stays on the terminal.
    tensorflow_log = os.path.join(logs, "demo-tensorflow.log")
    with raw_output_to(tensorflow_log, fds=(2,), keep_python_streams=True) if not args.verbose else nullcontext():
        _serve(project, grid, td)
    print(f"\nRecords: {project.db_url}\nArtifacts: {project.artifact_path('experiments')}")
    print(f"Logs: {logs} (Spark, TensorFlow), {project.artifact_path('experiments', str(grid.id), 'workers')} "
          "(each worker's raw output)")
    print(f"Features: %hops fs {fg.name} in a notebook; training data: {spec}")
    print(f"Inspect: jhops experiments show {grid.id}   (or %hops experiment {grid.id} in a notebook)")
    print(f"Total time: {time.time() - started:.0f}s")
    failed = [t for e in (single, grid) for t in e.trials if t.state.value != "FINISHED"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
