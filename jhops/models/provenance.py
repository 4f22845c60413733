"""Where a model came from: the experiment and trial that trained it, the training dataset and its commits.

Everything is resolved (and checked) when the model is exported, and stored as plain JSON::

    {"experiment_id": 4, "trial_id": 17, "training_dataset": {"name": "iceberg_td", "version": 2},
     "feature_groups": [{"name": "iceberg", "version": 1, "commit": 3, "committed_at": 1767225600.0}],
     "source": "/work/model.keras"}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jhops.models.errors import ModelRegistryError

if TYPE_CHECKING:
    from jhops.featurestore.training_dataset import TrainingDataset
    from jhops.project import Project

TrainingDatasetRef = Any  # a TrainingDataset, "name", "name:version" or ("name", version)


def _resolve_training_dataset(project: Project, ref: TrainingDatasetRef) -> TrainingDataset:
    from jhops.featurestore.training_dataset import TrainingDataset

    if isinstance(ref, TrainingDataset):
        return ref
    name: Any
    version: Any = None
    if isinstance(ref, str):
        name, _, number = ref.partition(":")
        if number:
            if not number.isdigit():
                raise ModelRegistryError(f"training_dataset={ref!r}: the version after ':' must be a number, "
                                         "e.g. 'iceberg_td:2'.")
            version = int(number)
    elif isinstance(ref, (tuple, list)) and len(ref) == 2:
        name, version = ref
    else:
        raise ModelRegistryError(
            f"training_dataset must be a TrainingDataset, a name or a (name, version) pair, got {ref!r}; for "
            "example training_dataset=fs.get_training_dataset('iceberg_td'), 'iceberg_td', 'iceberg_td:2' or "
            "('iceberg_td', 2).")
    return project.get_feature_store().get_training_dataset(name, version)


def training_dataset_provenance(project: Project, ref: TrainingDatasetRef) -> dict[str, Any]:
    """The training dataset (name, version) and the feature group commits its rows were read at.

    Example: ``training_dataset_provenance(project, "iceberg_td:2")["feature_groups"][0]["commit"]`` is ``3``.
    """
    dataset = _resolve_training_dataset(project, ref)
    store = project.get_feature_store()
    groups = []
    for table, commit in sorted(dataset.sources.items()):
        # table names are "<group>_<version>": the version is what follows the last underscore
        name, _, version = table.rpartition("_")
        entry: dict[str, Any] = {"name": name, "version": int(version), "commit": int(commit), "committed_at": None}
        group = store.get_feature_group(name, int(version))
        for record in group.commits():
            if record["delta_version"] == commit:
                entry["committed_at"] = record["committed_at"]
        groups.append(entry)
    return {"training_dataset": {"name": dataset.name, "version": dataset.version}, "feature_groups": groups}


def experiment_provenance(project: Project, experiment_id: int | None, trial_id: int | None) -> dict[str, Any]:
    """The experiment and trial ids, checked against the project's records (an unknown id is a LookupError).

    Example: ``experiment_provenance(project, 4, 17)`` is ``{"experiment_id": 4, "trial_id": 17}``.
    """
    if experiment_id is None:
        if trial_id is not None:
            raise ModelRegistryError("trial_id needs the experiment_id it belongs to, e.g. "
                                     "export(model, 'iceberg-cnn', experiment_id=4, trial_id=17).")
        return {"experiment_id": None, "trial_id": None}
    experiment = project.experiments.get_experiment(int(experiment_id))  # ExperimentNotFound when unknown
    if trial_id is not None and all(t.id != trial_id for t in experiment.trials):
        raise ModelRegistryError(f"Trial {trial_id} is not a trial of experiment {experiment_id}; its trials are "
                                 f"{[t.id for t in experiment.trials]}.")
    return {"experiment_id": int(experiment_id), "trial_id": None if trial_id is None else int(trial_id)}
