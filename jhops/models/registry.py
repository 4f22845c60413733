"""The model registry of a project: export models with signatures, metrics and provenance; find them again.

A version is written into a staging folder inside ``<project>/models``, loaded back and run on the input
example there, and only then renamed to ``models/<name>/<version>`` in the same transaction that inserts its
row, so a failed export leaves neither a row nor a folder.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jhops.models.catalog import ModelCatalog
from jhops.models.errors import (
    ArtifactNotFoundError,
    InputExampleError,
    MetricNotRecordedError,
    ModelRegistryError,
    SignatureMismatchError,
)
from jhops.models.frameworks import Framework, framework_for, get_framework
from jhops.models.frameworks.python import find_predictor
from jhops.models.model_dir import MODEL_JSON, write_model_json
from jhops.models.model_version import ModelVersion
from jhops.models.naming import check_model_name, check_version
from jhops.models.provenance import TrainingDatasetRef, experiment_provenance, training_dataset_provenance
from jhops.models.signature import (
    Signature,
    as_batch,
    batch_length,
    check_inputs,
    empty_signature,
    infer_signature,
)
from jhops.progress_bar import Steps

if TYPE_CHECKING:
    from jhops.project import Project

MODELS_FOLDER = "models"
EXPORT_STEPS = ("write", "signature", "register")


def check_metrics(metrics: Mapping[str, Any] | None) -> dict[str, float]:
    """``metrics`` as ``{name: float}``; anything that is not a finite number is refused.

    Example: ``check_metrics({"accuracy": 0.91})`` is ``{"accuracy": 0.91}``.
    """
    checked: dict[str, float] = {}
    for key, value in (metrics or {}).items():
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(float(value)):
            raise ModelRegistryError(f"Metric {key!r} must be a finite number, got {value!r}; for example "
                                     "metrics={'accuracy': 0.91, 'loss': 0.23}.")
        checked[str(key)] = float(value)
    return checked


def _describe(model_or_path: Any) -> str:
    if isinstance(model_or_path, str):
        return model_or_path
    cls = model_or_path if isinstance(model_or_path, type) else type(model_or_path)
    return f"{cls.__module__}.{cls.__qualname__}" + ("" if isinstance(model_or_path, type) else " object")


def _example_batch(example: Any, framework: Framework) -> Any:
    if framework.name == "python":
        return example  # a custom predictor takes whatever its author chose
    if isinstance(example, Mapping):
        return {str(k): as_batch(v) for k, v in example.items()}
    return as_batch(example)


class ModelRegistry:
    """The models of one project. ``Project().get_model_registry()`` returns one.

    Example::

        registry = Project("/data/iceberg").get_model_registry()
        mv = registry.export("model.keras", "iceberg-cnn", metrics={"accuracy": 0.86}, input_example=x[:2])
        registry.get_best_model("iceberg-cnn", "accuracy").load()
    """

    def __init__(self, project: Project) -> None:
        if not project.is_local:
            raise ModelRegistryError(
                f"The model registry keeps models on the local disk, and the project {project.url} is not local; "
                "open a local project for models, e.g. Project('/data/iceberg').")
        self.project = project
        self.catalog = ModelCatalog(project.engine)
        self.root = project.artifact_path(MODELS_FOLDER)

    # --- export -------------------------------------------------------------------------------------
    def export(self, model_or_path: Any, name: str, version: int | None = None,
               metrics: Mapping[str, Any] | None = None, description: str = "", experiment_id: int | None = None,
               trial_id: int | None = None, training_dataset: TrainingDatasetRef = None, input_example: Any = None,
               framework: str | None = None, predictor_class: str | None = None,
               progress: bool | None = None) -> ModelVersion:
        """Store a model (an object or a path) as the next version of ``name``; see :func:`jhops.models.export`.

        An export that takes more than two seconds shows a progress bar over its steps (write the artifact, load
        it back for the signature, register); ``progress=False`` (or ``JHOPS_PROGRESS=0``) turns it off.
        Example: ``registry.export(clf, "iceberg-sk", metrics={"accuracy": 0.8}, input_example=x_test[:2])``
        """
        check_model_name(name)
        if version is not None:
            check_version(version)
        checked_metrics = check_metrics(metrics)
        source: Any = model_or_path
        if isinstance(model_or_path, (str, os.PathLike)):
            source = os.path.abspath(os.path.expanduser(os.fspath(model_or_path)))
            if not os.path.exists(source):
                raise ArtifactNotFoundError(f"There is no file or folder at {source} to export as model {name!r}; "
                                            "pass the path of a saved model, e.g. export('model.keras', "
                                            f"{name!r}), or the model object itself.")
        kind = get_framework(framework) if framework is not None else framework_for(source)
        if predictor_class is not None and kind.name != "python":
            raise ModelRegistryError(f"predictor_class is for custom Python predictors (framework='python'), and "
                                     f"this model is {kind.name}; leave it out.")
        provenance = experiment_provenance(self.project, experiment_id, trial_id)
        provenance.update({"training_dataset": None, "feature_groups": []})
        if training_dataset is not None:
            provenance.update(training_dataset_provenance(self.project, training_dataset))
        provenance["source"] = _describe(source)
        os.makedirs(self.root, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".staging-{name}-", dir=self.root)
        try:
            with Steps(f"export {name}", EXPORT_STEPS, progress=progress) as bar:
                bar.step("write")
                artifact, class_name = self._write_artifact(kind, source, staging, input_example, predictor_class)
                meta: dict[str, Any] = {"name": name, "framework": kind.name, "artifact": artifact,
                                        "predictor_class": class_name, "metrics": checked_metrics}
                bar.step("signature")
                signature = self._signature(kind, os.path.join(staging, artifact), meta, input_example)
                bar.step("register")
                number = self._register(staging, meta, version, signature, description, provenance)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # gone already once registered
            raise
        return self.get_model(name, number)

    def _register(self, staging: str, meta: dict[str, Any], version: int | None, signature: Signature,
                  description: str, provenance: dict[str, Any]) -> int:
        """Claim the version number, insert the row and rename the staged folder into place, in one transaction:
        a failure leaves neither the row nor the folder. Returns the version number."""
        name = meta["name"]
        moved: str | None = None
        made_name_folder = False
        try:
            with self.project.engine.begin() as conn:
                number = self.catalog.claim_version(conn, name, version)
                target = os.path.join(self.root, name, str(number))
                if os.path.exists(target):
                    raise ModelRegistryError(f"{target} exists but is not a registered version (left by hand or by a "
                                             f"crashed jhops); move it away, then export again.")
                meta.update(version=number, signature=signature, created=time.time())
                write_model_json(staging, meta)
                self.catalog.insert(conn, {
                    "name": name, "version": number, "framework": meta["framework"],
                    "description": description or "", "metrics": meta["metrics"], "signature": signature,
                    "provenance": provenance, "path": f"{MODELS_FOLDER}/{name}/{number}",
                    "created": meta["created"]})
                if not os.path.isdir(os.path.dirname(target)):
                    os.makedirs(os.path.dirname(target))
                    made_name_folder = True
                os.rename(staging, target)
                moved = target
        except BaseException:
            if moved is not None:  # the row was not committed: neither is its folder
                shutil.rmtree(moved, ignore_errors=True)
            if made_name_folder:  # under the write lock, so no other export is about to move a version into it
                with contextlib.suppress(Exception), self.project.engine.begin():
                    os.rmdir(os.path.join(self.root, name))
            raise
        return number

    def _write_artifact(self, kind: Framework, source: Any, staging: str, input_example: Any,
                        predictor_class: str | None) -> tuple[str, str | None]:
        if isinstance(source, str):
            base = os.path.basename(source.rstrip(os.sep))
            if base == MODEL_JSON:
                raise ModelRegistryError(f"{source}: a version's {MODEL_JSON} is written by jhops; rename the file.")
            class_name = None
            artifact = base
            if kind.name == "python":
                relative, class_name = find_predictor(source, predictor_class)
                artifact = relative if os.path.isfile(source) else f"{base}/{relative}"
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(staging, base))
            else:
                shutil.copy2(source, os.path.join(staging, base))
            return artifact, class_name
        artifact = kind.save(source, staging, input_example)
        if kind.name != "python":
            return artifact, None
        class_name = source.__name__
        if predictor_class not in (None, class_name):
            raise ModelRegistryError(f"predictor_class={predictor_class!r} names another class than the one exported "
                                     f"({class_name}); leave predictor_class out when exporting a class.")
        return artifact, class_name

    def _signature(self, kind: Framework, artifact: str, meta: dict[str, Any], input_example: Any) -> Signature:
        # Load what was written, not the caller's object: the signature then describes what serving will run.
        try:
            model = kind.load(artifact, meta)
        except ModelRegistryError:
            raise
        except Exception as exc:
            raise ModelRegistryError(
                f"The {kind.name} model at {os.path.basename(artifact)} could not be loaded back "
                f"({type(exc).__name__}: {exc}); is it a {kind.name} model? Pass framework=... to say which it is."
            ) from exc
        declared = kind.native_signature(model)
        if input_example is None:
            return declared or empty_signature()
        batch = _example_batch(input_example, kind)
        if declared is not None and kind.declares_signature:
            try:  # as serving will: checked against the declared shapes and cast to the declared dtypes
                batch = check_inputs(declared, batch, meta["name"])
            except SignatureMismatchError as exc:
                raise InputExampleError(f"input_example does not fit the model's declared inputs: {exc}") from None
        try:
            outputs = kind.runner(model, empty_signature())(batch)
        except Exception as exc:
            shape = getattr(batch, "shape", None)
            what = f"shape {tuple(shape)}, dtype {batch.dtype}" if shape is not None else type(batch).__name__
            raise InputExampleError(
                f"The model could not run on input_example ({what}): {type(exc).__name__}: {exc}. Pass a small batch "
                "shaped and typed like the training inputs, with the instances on the first axis, e.g. "
                "input_example=x_train[:2]." + (f" The model expects {declared['inputs']}." if declared else "")
            ) from exc
        sent, received = batch_length(batch), batch_length(outputs)
        if sent is not None and received is not None and sent != received:
            raise InputExampleError(f"The model returned {received} predictions for the {sent} instances of "
                                    "input_example; predict must return one per instance (first axis).")
        inferred = infer_signature(batch, outputs)
        if declared is None or not kind.declares_signature:
            return inferred
        # What the model declares is more general (a variable axis stays None); the example only fills gaps.
        if not declared["outputs"]:
            declared["outputs"] = inferred["outputs"]
        return declared

    # --- reading ------------------------------------------------------------------------------------
    def get_model(self, name: str, version: int | None = None) -> ModelVersion:
        """The version ``version`` of ``name``, or its newest version when None.

        Example: ``registry.get_model("iceberg-cnn", 2).load()``
        """
        return ModelVersion(self.catalog.get(name, version), self.project.path)

    def list_models(self, name: str | None = None) -> list[ModelVersion]:
        """Every version of ``name`` (every model's versions when None), by name then version.

        Example: ``[mv.version for mv in registry.list_models("iceberg-cnn")]`` is ``[1, 2, 3]``.
        """
        rows = self.catalog.list(name)
        if name is not None and not rows:
            self.catalog.get(name)  # raises ModelNotFoundError naming the models there are
        return [ModelVersion(row, self.project.path) for row in rows]

    def get_best_model(self, name: str, metric: str, direction: str = "max") -> ModelVersion:
        """The version of ``name`` with the highest (``direction="max"``) or lowest (``"min"``) ``metric``.

        Ties go to the newest version. Example: ``registry.get_best_model("iceberg-cnn", "loss", "min")``
        """
        if direction not in ("max", "min"):
            raise ModelRegistryError(f"direction must be 'max' or 'min', got {direction!r}; e.g. "
                                     f"get_best_model({name!r}, 'loss', direction='min').")
        versions = self.list_models(name)
        scored = [v for v in versions if metric in v.metrics]
        if not scored:
            recorded = sorted({key for v in versions for key in v.metrics})
            example = f" e.g. get_best_model({name!r}, {recorded[0]!r})." if recorded else ""
            raise MetricNotRecordedError(
                f"No version of model {name!r} recorded the metric {metric!r}; the metrics recorded are "
                f"{recorded or 'none'}.{example} Export with metrics={{{metric!r}: ...}} to rank by {metric!r}.")
        sign = 1.0 if direction == "max" else -1.0
        return max(scored, key=lambda v: (sign * v.metrics[metric], v.version))

    def delete_model(self, name: str, version: int) -> None:
        """Delete one version: its row and its folder. Other versions keep their numbers.

        Example: ``registry.delete_model("iceberg-cnn", 1)``
        """
        check_version(version)
        row = self.catalog.get(name, version)
        folder = os.path.join(self.project.path, row["path"])
        trash = os.path.join(self.root, f".deleting-{name}-{version}-{uuid.uuid4().hex[:8]}")
        moved = False
        try:
            with self.project.engine.begin() as conn:
                if os.path.exists(folder):
                    os.rename(folder, trash)
                    moved = True
                self.catalog.delete(conn, row["id"])
                with contextlib.suppress(OSError):  # the last version's name folder; an export waits for this lock
                    os.rmdir(os.path.join(self.root, name))
        except BaseException:
            if moved:
                os.makedirs(os.path.dirname(folder), exist_ok=True)
                os.rename(trash, folder)  # the row is still there: so is its folder
            raise
        shutil.rmtree(trash, ignore_errors=True)

    def __repr__(self) -> str:
        return f"ModelRegistry({self.project.url!r})"
