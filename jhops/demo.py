"""The main job (``make demo``): the iceberg pipeline from raw chips to tracked experiments, locally and on Spark.

1. Data: ``$JHOPS_ICEBERG_JSON`` (the Kaggle ``train.json``) if set, else 1604 synthetic SAR chips.
2. Feature store: the chips validated and upserted into the ``iceberg`` feature group, and a new version of
   the ``iceberg_td`` training dataset (80/20, seed 42) made from it.
3. One training run of the 4-block iceberg CNN on the training dataset, on the local executor.
4. A learning-rate grid of the same CNN on the Spark executor (``local[2]``), two workers.
5. A results table with the validation accuracies, and where the records are.

Example: ``python -m jhops.demo --epochs 3``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from jhops.cli import format_table
from jhops.datasets import iceberg
from jhops.experiment import launch
from jhops.experiments.records import Experiment
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jhops.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("JHOPS_DEMO_EPOCHS", "4")))
    parser.add_argument("--chips", type=int, default=1604, help="synthetic chips to generate")
    parser.add_argument("--learning-rates", default="0.01,0.001,0.0001")
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

    print("1/3 Feature store: validate and upsert the chips into the 'iceberg' feature group")
    fs = project.get_feature_store()
    fg, commit = iceberg_features.ingest(fs, frame)
    report = commit.report.summary() if commit.report is not None else "not validated"
    print(f"  commit {commit.version} ({commit.operation}, {commit.rows} rows): {report}")
    td = iceberg_features.create_training_dataset(fs)
    spec = f"{td.name}:{td.version}"
    print(f"  training dataset {spec}: {td.counts} from {td.sources}\n")
    data = {"training_dataset": spec, "project": project.path}

    print(f"2/3 The iceberg CNN, one run of {args.epochs} epochs on the local executor")
    single = launch(train, {"learning_rate": [1e-3], "epochs": args.epochs, **data},
                    name="iceberg-cnn", metric_key="accuracy", executor="local", workers=1, project=project)

    rates = [float(r) for r in args.learning_rates.split(",")]
    print(f"\n3/3 A learning-rate grid {rates} on the Spark executor (local[2]), 2 workers")
    from jhops.compute.spark import get_or_create_session

    spark = get_or_create_session("local[2]", workers=2)
    spark.sparkContext.setLogLevel("ERROR")
    grid = launch(train, {"learning_rate": rates, "epochs": args.epochs, **data},
                  name="iceberg-lr-grid", metric_key="accuracy", executor="spark", spark=spark, workers=2,
                  project=project)

    print("\nResults (validation accuracy on the 20% held out):")
    print(format_table(_rows(single) + _rows(grid)))
    best = grid.best_trial
    if best is not None:
        print(f"\nBest learning rate: {best.params['learning_rate']} "
              f"(val_accuracy {best.metrics['accuracy']:.3f}); reference after 50 epochs on the real data: ~0.85")
    print(f"Records: {project.db_url}\nArtifacts: {project.artifact_path('experiments')}")
    print(f"Features: %hops fs {fg.name} in a notebook; training data: {spec}")
    print(f"Inspect: jhops experiments show {grid.id}   (or %hops experiment {grid.id} in a notebook)")
    print(f"Total time: {time.time() - started:.0f}s")
    failed = [t for e in (single, grid) for t in e.trials if t.state.value != "FINISHED"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
