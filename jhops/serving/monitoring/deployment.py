"""The monitoring of a deployment: its inference log against the training dataset in its model's provenance.

Example: ``print(monitor("iceberg", since=datetime.timedelta(hours=1)).summary())``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jhops.serving.monitoring.drift import ALPHA, KS_THRESHOLD, MIN_SAMPLES, PSI_THRESHOLD
from jhops.serving.monitoring.errors import MonitoringError
from jhops.serving.monitoring.frame import monitor_frame
from jhops.serving.monitoring.reference import ReferenceProfile, training_dataset_profile
from jhops.serving.monitoring.report import MonitoringReport

#: the reference ``monitor`` takes by default: the train split of the model's training dataset, when it has one
DEFAULT_REFERENCE = "train"

def _feature_names(model: Any) -> list[str] | None:
    signature, provenance = model.signature or {}, model.provenance or {}
    inputs = signature.get("inputs") or [{}]
    names = signature.get("feature_names") or inputs[0].get("feature_names") or provenance.get("feature_names")
    return [str(n) for n in names] if names else None


def _how_to_give(deployment: str) -> str:
    return (f"give one with monitor({deployment!r}, reference=fs.get_training_dataset('NAME')), "
            "reference=<DataFrame of training rows> (with label=...) or reference=<array of training inputs>, or "
            "export the model with jhops.models.export(..., training_dataset='NAME')")


def _resolve(reference: Any, record: Mapping[str, Any], root: str, deployment: str
             ) -> tuple[Any, list[str] | None, str | None]:
    """The reference (a TrainingDataset and split, or what the caller gave), the model's feature names, and why
    there is no reference when the default one (the model's training dataset) cannot be had."""
    from jhops import models
    from jhops.featurestore.errors import FeatureStoreError
    from jhops.project import Project

    model_name, version = record["model_name"], record.get("model_version")
    if not isinstance(reference, str):
        return reference, None, None
    # The default asks for the model's own reference: lacking one is no error, the traffic is still worth a
    # report. A split named by the caller that cannot be had is one.
    implicit = reference == DEFAULT_REFERENCE
    try:
        model = models.get_model(model_name, version, project=root)
    except (LookupError, ValueError) as exc:
        problem = (f"deployment {deployment!r} serves model {model_name!r} v{version}, which the registry cannot "
                   f"give ({exc}), so drift needs a reference: {_how_to_give(deployment)}")
        if implicit:
            return None, None, problem
        raise MonitoringError(f"reference={reference!r}: {problem}") from exc
    dataset = model.training_dataset
    if not dataset:
        problem = f"model {model_name!r} v{model.version} (served by {deployment!r}) records no training dataset"
        if implicit:
            return None, _feature_names(model), (f"{problem}, so drift needs a reference and is not measured: "
                                                 f"{_how_to_give(deployment)}")
        raise MonitoringError(f"reference={reference!r} names a split of the model's training dataset, and {problem}"
                              f"; {_how_to_give(deployment)}, or pass reference=None to monitor traffic only")
    try:
        td = Project(root).get_feature_store().get_training_dataset(dataset["name"], dataset.get("version"))
    except (FeatureStoreError, LookupError) as exc:
        problem = (f"model {model_name!r} v{model.version} was trained on training dataset {dataset['name']} "
                   f"v{dataset.get('version')}, which is gone ({exc}), so drift needs a reference: "
                   f"{_how_to_give(deployment)}")
        if implicit:
            return None, _feature_names(model), problem
        raise MonitoringError(f"reference={reference!r}: {problem}") from exc
    split = reference if reference in td.splits or not implicit else next(iter(td.splits))
    if split not in td.splits:
        raise MonitoringError(f"reference={reference!r}: training dataset {td.name} v{td.version} has the splits "
                              f"{list(td.splits)}; pass one of them, e.g. reference={next(iter(td.splits))!r}")
    return (td, split), _feature_names(model), None


def monitor(name: str, project: Any = None, since: Any = None, until: Any = None, bucket_s: float | None = None,
            psi_threshold: float = PSI_THRESHOLD, ks_threshold: float = KS_THRESHOLD,
            reference: Any = DEFAULT_REFERENCE,
            features: Sequence[str] | None = None, label: Sequence[str] | str = (), alpha: float = ALPHA,
            min_samples: int = MIN_SAMPLES, drift_errors: str = "raise") -> MonitoringReport:
    """The monitoring report of deployment ``name`` over a window of its inference log.

    ``reference``: a split name (default ``"train"``) of the training dataset in the served model's provenance,
    or anything ``monitor_frame`` takes (a TrainingDataset, a DataFrame of training rows, an array of training
    inputs, stored statistics), or None to monitor traffic only. By default, a model that records no training
    dataset (or whose dataset is gone) gets a report of its traffic, latency, errors and predictions, and
    ``drift_note`` says that drift needs a reference and how to give one; a split named by the caller that does
    not exist raises ``MonitoringError``. ``features`` names the reference columns the inputs are, in order
    (default: the model's ``feature_names``, else the reference's columns in order). Only requests to the
    deployed model version count (``excluded`` in ``to_dict()["requests"]`` says how many others the window
    had). ``drift_errors="note"`` (what a dashboard wants) reports traffic with the reason in ``drift_note``
    when drift cannot be measured as asked (inputs that do not map, a reference that cannot be used), instead
    of raising ``MonitoringError``.

    Example::

        report = monitor("iceberg", since=datetime.timedelta(hours=1), bucket_s=60)
        print(report.summary())
    """
    from jhops.serving.deployments import get_deployment, unflushed_message
    from jhops.serving.inference_log import read_log

    deployment = get_deployment(name, project)
    record = deployment.record
    # Every request answered before this call counts: a running server writes its log about once a second.
    flushed = deployment.flush_inference_log()
    log = read_log(deployment.inference_log_path)
    version = record.get("model_version")
    excluded = 0
    if version is not None and len(log):
        keep = (log["model_version"] == version).to_numpy(dtype=bool)
        excluded, log = int((~keep).sum()), log.loc[keep].reset_index(drop=True)
    problem = None
    try:
        resolved, names, problem = _resolve(reference, record, deployment.root, name)
        if isinstance(resolved, tuple):
            td, split = resolved
            # An empty log needs no reference data: say so without reading the training dataset.
            resolved = training_dataset_profile(td, split) if len(log) else ReferenceProfile(
                source={"source": "training_dataset", "name": td.name, "version": td.version, "split": split},
                method="data", rows=int(td.counts.get(split, 0)))
    except MonitoringError as exc:
        if drift_errors != "note":
            raise
        resolved, names, problem = None, None, str(exc)
    report = monitor_frame(log, resolved, features=features if features is not None else names, label=label,
                           since=since, until=until, bucket_s=bucket_s, psi_threshold=psi_threshold,
                           ks_threshold=ks_threshold, alpha=alpha, min_samples=min_samples, deployment=name,
                           model_name=str(record["model_name"]), model_version=version, excluded_requests=excluded,
                           drift_errors=drift_errors)
    if problem is not None:
        report.drift_note = problem
    if not len(log) and record.get("inference_logging") == "NONE":
        report.message = (f"no requests logged: the deployment's inference_logging is NONE; log them with "
                          f"jhops.serving.create_or_update({name!r}, {record['model_name']!r}, "
                          "inference_logging='ALL')")
    if not flushed:  # best effort: the report still comes, and says what it may lack
        report.log_note = unflushed_message(name)
        if report.requests == 0:  # views show an empty report's message alone
            report.message = f"{report.message or 'no requests'}; {report.log_note}"
    return report


__all__ = ["DEFAULT_REFERENCE", "monitor"]
