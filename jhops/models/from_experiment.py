"""Registering the model an experiment's best trial produced, with its metrics and provenance."""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Any

from jhops.models.errors import ArtifactNotFoundError, ModelRegistryError
from jhops.models.frameworks import FRAMEWORKS
from jhops.models.model_version import ModelVersion

if TYPE_CHECKING:
    from jhops.experiments.records import Experiment, Trial
    from jhops.project import Project

# files the driver writes into every trial folder, never the model
_BOOKKEEPING = ("tensorboard",)
_MODEL_SUFFIXES = tuple(s for f in FRAMEWORKS.values() if f.name != "python" for s in f.suffixes)


def _entries(trial: Trial) -> list[str]:
    """The trial's artifacts as the top-level files and folders of its folder (a SavedModel is one entry)."""
    entries: list[str] = []
    for artifact in trial.artifacts:
        top = artifact.replace(os.sep, "/").split("/", 1)[0]
        if top not in entries and top not in _BOOKKEEPING:
            entries.append(top)
    return entries


def _is_model(entry: str, trial: Trial) -> bool:
    if entry.lower().endswith(_MODEL_SUFFIXES):
        return True
    return any(a.replace(os.sep, "/") == f"{entry}/saved_model.pb" for a in trial.artifacts)


def choose_artifact(trial: Trial, choice: str | None = None) -> str:
    """The artifact of ``trial`` to register, relative to its folder.

    ``choice`` is an artifact path (``"model.keras"``, ``"export/model.onnx"``), the key it was returned under when
    it matches the file's name (``"model"`` for ``{"model": "model.keras"}``), or None for the trial's only
    model file. Example: ``choose_artifact(trial)`` is ``"model.keras"``.
    """
    entries = _entries(trial)
    listed = ", ".join(entries) or "none"
    if choice is None:
        models = [e for e in entries if _is_model(e, trial)]
        if len(models) == 1:
            return models[0]
        if not models:
            raise ArtifactNotFoundError(
                f"Trial {trial.number} of experiment {trial.experiment_id} saved no model file (its artifacts: "
                f"{listed}); save one in the training function and return its path, e.g. "
                "model.save('model.keras'); return {'accuracy': acc, 'model': 'model.keras'}.")
        raise ModelRegistryError(f"Trial {trial.number} of experiment {trial.experiment_id} saved several models "
                                 f"({', '.join(models)}); name one, e.g. register_best_model(name, {models[0]!r}).")
    wanted = choice.replace(os.sep, "/").strip("/")
    artifacts = [a.replace(os.sep, "/") for a in trial.artifacts]
    if wanted in artifacts or wanted in entries:
        return wanted
    matches = [e for e in entries if posixpath.splitext(e)[0] == wanted]
    if len(matches) == 1:
        return matches[0]
    raise ArtifactNotFoundError(f"Trial {trial.number} of experiment {trial.experiment_id} has no artifact "
                                f"{choice!r}; its artifacts are: {listed}.")


def _best_trial(experiment: Experiment, project: Project) -> Trial:
    if not experiment.trials:
        experiment = project.experiments.get_experiment(experiment.id)
    trial = experiment.best_trial
    if trial is None and len(experiment.trials) == 1:
        trial = experiment.trials[0]
    if trial is None or trial.folder is None:
        raise ModelRegistryError(
            f"Experiment {experiment.id} ({experiment.name}, {experiment.state.value}) has no best trial to register"
            + (f": no trial recorded the metric {experiment.metric_key!r}." if experiment.metric_key else
               "; launch it with metric_key='accuracy' (or the metric your function returns)."))
    return trial


def register_best_model(experiment: Experiment, name: str, model_path_key_or_artifact: str | None = None,
                        project: Project | str | None = None, **export_kwargs: Any) -> ModelVersion:
    """Export the best trial's model artifact as the next version of ``name``.

    The version records the trial's metrics (unless ``metrics=`` says otherwise) and the experiment and trial
    ids; other keywords go to :func:`jhops.models.export` (``input_example``, ``training_dataset``, ...).
    Example: ``register_best_model(exp, "iceberg-cnn", input_example=x_val[:2])``
    """
    from jhops.project import Project

    project = project if isinstance(project, Project) else Project(project)
    trial = _best_trial(experiment, project)
    assert trial.folder is not None
    chosen = model_path_key_or_artifact
    if chosen is not None and os.path.isabs(chosen) and os.path.exists(chosen):
        path = chosen
    else:
        path = project.artifact_path(trial.folder, choose_artifact(trial, chosen))
    export_kwargs.setdefault("metrics", trial.metrics)
    export_kwargs.setdefault("description", f"best trial ({trial.number}) of experiment {experiment.id} "
                                            f"({experiment.name})")
    return project.get_model_registry().export(path, name, experiment_id=experiment.id, trial_id=trial.id,
                                               **export_kwargs)
