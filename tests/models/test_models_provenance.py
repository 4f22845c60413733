"""Provenance: the training dataset and feature group commits, and the experiment and trial, of a model."""

import numpy as np
import pandas as pd
import pytest

from jhops import experiment
from jhops.experiments.store import ExperimentNotFound
from jhops.featurestore import NotFoundError
from jhops.models import ArtifactNotFoundError, ModelRegistryError


def _chips(n, start=0):
    rng = np.random.default_rng(start)
    return pd.DataFrame({"id": [f"{i:04d}" for i in range(start, start + n)],
                         "band_avg": rng.normal(-22, 3, n), "inc_angle": rng.uniform(30, 45, n),
                         "is_iceberg": rng.integers(0, 2, n)})


@pytest.fixture
def training_dataset(project):
    fs = project.get_feature_store()
    group = fs.create_feature_group("iceberg", primary_key=["id"])
    group.insert(_chips(12))
    group.insert(_chips(8, start=12), operation="insert")  # a second commit: the dataset reads this one
    return fs.create_training_dataset("iceberg_td", group, splits={"train": 0.75, "test": 0.25}, label=["is_iceberg"])


def test_a_training_dataset_and_the_commits_it_was_read_at(registry, classifier, training_dataset):
    commits = training_dataset.sources  # {"iceberg_1": <delta version>}
    assert list(commits) == ["iceberg_1"]
    group = registry.project.get_feature_store().get_feature_group("iceberg", 1)
    committed_at = {c["delta_version"]: c["committed_at"] for c in group.commits()}
    expected = {"training_dataset": {"name": "iceberg_td", "version": 1},
                "feature_groups": [{"name": "iceberg", "version": 1, "commit": commits["iceberg_1"],
                                    "committed_at": committed_at[commits["iceberg_1"]]}]}
    for ref in (training_dataset, "iceberg_td", "iceberg_td:1", ("iceberg_td", 1)):
        mv = registry.export(classifier, "iceberg-sk", training_dataset=ref)
        assert {k: mv.provenance[k] for k in expected} == expected
        assert mv.training_dataset == {"name": "iceberg_td", "version": 1}
    with pytest.raises(NotFoundError, match="no version 4"):
        registry.export(classifier, "iceberg-sk", training_dataset=("iceberg_td", 4))
    with pytest.raises(ModelRegistryError, match="must be a TrainingDataset, a name or a"):
        registry.export(classifier, "iceberg-sk", training_dataset=42)
    with pytest.raises(ModelRegistryError, match="the version after ':' must be a number"):
        registry.export(classifier, "iceberg-sk", training_dataset="iceberg_td:latest")
    assert len(registry.list_models()) == 4


def _train_and_save(c):
    """A trial that trains a tiny scikit-learn model and returns its file, as a training function would."""
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = (x[:, 0] > 0).astype(int)
    clf = LogisticRegression(C=c).fit(x, y)
    joblib.dump(clf, "model.joblib")
    return {"accuracy": float(clf.score(x, y)) + c / 1000, "model": "model.joblib"}


def test_register_the_best_model_of_an_experiment(project, registry):
    exp = experiment.launch(_train_and_save, {"c": [0.01, 1.0]}, name="sk-grid", metric_key="accuracy", workers=1,
                            project=project, listeners=[])
    best = exp.best_trial
    assert best is not None and best.params == {"c": 1.0} and "model.joblib" in best.artifacts
    x = np.random.default_rng(5).normal(size=(4, 3))
    mv = exp.register_best_model("iceberg-sk", input_example=x[:2], project=project)
    assert (mv.experiment_id, mv.trial_id) == (exp.id, best.id)
    assert mv.metrics == best.metrics and mv.framework == "sklearn"
    assert mv.description == f"best trial ({best.number}) of experiment {exp.id} (sk-grid)"
    assert mv.load().C == 1.0
    assert mv.predictor().predict(x).shape == (4, 2)
    # the key the function returned it under, its file name, or a path: the same artifact
    assert exp.register_best_model("iceberg-sk", "model", project=project).version == 2
    assert exp.register_best_model("iceberg-sk", "model.joblib", project=project, metrics={"f1": 0.5}).metrics == {
        "f1": 0.5}
    with pytest.raises(ArtifactNotFoundError, match=r"has no artifact 'weights\.h5'; its artifacts are: model\.joblib"):
        exp.register_best_model("iceberg-sk", "weights.h5", project=project)


def _returns_nothing_to_serve():
    return {"accuracy": 0.5}


def test_an_experiment_without_a_model_file(project, registry):
    exp = experiment.launch(_returns_nothing_to_serve, name="no-model", metric_key="accuracy", project=project,
                            listeners=[])
    with pytest.raises(ArtifactNotFoundError, match="saved no model file"):
        exp.register_best_model("iceberg-sk", project=project)


def test_experiment_and_trial_ids_are_checked(registry, classifier, project):
    with pytest.raises(ExperimentNotFound, match="No experiment with id 99"):
        registry.export(classifier, "iceberg-sk", experiment_id=99)
    with pytest.raises(ModelRegistryError, match="trial_id needs the experiment_id"):
        registry.export(classifier, "iceberg-sk", trial_id=3)
    exp = experiment.launch(_returns_nothing_to_serve, name="ids", project=project, listeners=[])
    with pytest.raises(ModelRegistryError, match=f"Trial 999 is not a trial of experiment {exp.id}"):
        registry.export(classifier, "iceberg-sk", experiment_id=exp.id, trial_id=999)
    mv = registry.export(classifier, "iceberg-sk", experiment_id=exp.id, trial_id=exp.trials[0].id)
    assert mv.provenance["experiment_id"] == exp.id
