"""The monitoring report of an inference log frame against a reference (the work behind ``monitor``).

Example: ``monitor_frame(read_log("/proj/serving/iris/inference_log"), train_df, label="species").drifted``
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jhops.serving.monitoring.drift import ALPHA, KS_THRESHOLD, MIN_SAMPLES, PSI_THRESHOLD, measure_drift
from jhops.serving.monitoring.errors import MonitoringError
from jhops.serving.monitoring.predictions import prediction_distribution
from jhops.serving.monitoring.reference import as_profile
from jhops.serving.monitoring.report import MonitoringReport
from jhops.serving.monitoring.traffic import buckets, failed_requests, percentiles
from jhops.serving.monitoring.window import choose_bucket, epoch, iso, timestamps, window_bounds


def monitor_frame(log: pd.DataFrame, reference: Any = None, *, features: Sequence[str] | None = None,
                  label: Sequence[str] | str = (), since: Any = None, until: Any = None, bucket_s: float | None = None,
                  psi_threshold: float = PSI_THRESHOLD, ks_threshold: float = KS_THRESHOLD, alpha: float = ALPHA,
                  min_samples: int = MIN_SAMPLES, deployment: str | None = None, model_name: str | None = None,
                  model_version: int | None = None, excluded_requests: int = 0,
                  drift_errors: str = "raise") -> MonitoringReport:
    """The monitoring report of an inference log frame (as ``read_log(directory)`` returns it) against
    ``reference``: a DataFrame or Arrow table of training rows (``label`` columns left out), an array of training
    inputs in the model's input space, stored statistics, a TrainingDataset, a ReferenceProfile, or None.

    ``since``/``until``: epoch seconds, datetimes, ISO text or a timedelta before now; without them the window
    spans the logged requests (with only ``since`` it runs to now). ``bucket_s``: the time bucket, chosen for at
    most 60 buckets when None. ``drift_errors="note"`` turns a reference or inputs that drift cannot be measured
    on into the report's ``drift_note`` (the traffic numbers still come) instead of a ``MonitoringError``. See
    the module's docstring for the drift rules and the input-to-feature mapping.

    Example::

        log = read_log("/proj/serving/iris/inference_log")
        report = monitor_frame(log, train_df, label="species", bucket_s=60)
        report.drifted                                   # ['petal_length']
    """
    missing = [c for c in ("timestamp", "latency_ms", "status_code") if c not in log.columns]
    if missing:
        raise MonitoringError(f"the log frame has no column(s) {missing}; read it with "
                              "jhops.serving.inference_log.read_log(directory) (decode=True)")
    if "inputs_dtype" in log.columns:
        raise MonitoringError("the log frame's payloads are not decoded: read it with read_log(directory, "
                              "decode=True)")
    if drift_errors not in ("raise", "note"):
        raise MonitoringError(f"drift_errors must be 'raise' or 'note', got {drift_errors!r}")
    labels = [label] if isinstance(label, str) else list(label)
    problem: str | None = None
    try:
        profile = as_profile(reference, labels, features)
    except MonitoringError as exc:
        if drift_errors == "raise":
            raise
        profile, problem = None, str(exc)
    thresholds = {"psi": float(psi_threshold), "ks": float(ks_threshold), "alpha": float(alpha),
                  "min_samples": float(min_samples)}
    all_ts = timestamps(log["timestamp"])
    start, end = window_bounds(all_ts, epoch(since, "since"), epoch(until, "until"))
    if start is not None and end is not None and end < start:
        raise MonitoringError(f"until ({iso(end)}) is before since ({iso(start)})")
    keep = np.ones(len(log), dtype=bool) if start is None or end is None else (all_ts >= start) & (all_ts <= end)
    frame = log.loc[keep].reset_index(drop=True)
    ts = all_ts[keep]
    reference_info = dict(profile.source, method=profile.method, rows=profile.rows) if profile else None
    report = functools.partial(MonitoringReport, deployment, model_name, model_version, thresholds=thresholds,
                               reference=reference_info, excluded_requests=excluded_requests)
    size = float(bucket_s) if bucket_s is not None else choose_bucket(
        (end - start) if start is not None and end is not None else 0.0)
    if size <= 0:
        raise MonitoringError(f"bucket_s must be a positive number of seconds, got {bucket_s!r}")
    if len(frame) == 0 or start is None or end is None:
        hint = f" (send some with jhops.serving.predict({deployment!r}, ...))" if deployment else ""
        message = ("no requests yet" + hint) if len(log) == 0 else "no requests in the window"
        return report(start=start, end=end, bucket_s=size, requests=0, instances=0, errors=0, status_codes={},
                      latency_ms=percentiles(np.array([])), buckets=[],
                      predictions=prediction_distribution(np.array([]), [], np.array([])), drift=[], message=message)
    latency = pd.to_numeric(frame["latency_ms"], errors="coerce").to_numpy(dtype=np.float64)
    failed = failed_requests(frame)
    instances = (pd.to_numeric(frame["n_instances"], errors="coerce").fillna(0).to_numpy(dtype=np.float64)
                 if "n_instances" in frame else np.ones(len(frame)))
    edges, per_bucket = buckets(ts, latency, failed, instances, start, end, size, closed=until is not None)
    codes = pd.to_numeric(frame["status_code"], errors="coerce").fillna(0).astype(int).value_counts().sort_index()
    ok = ~failed
    logged = list(frame["predictions"][ok]) if "predictions" in frame else [None] * int(ok.sum())
    predictions = prediction_distribution(ts[ok], logged, edges)
    try:
        drift, note = measure_drift(frame, profile, features, psi_threshold, ks_threshold, alpha, min_samples)
    except MonitoringError as exc:
        if drift_errors == "raise":
            raise
        drift, note = [], str(exc)
    note = problem or note
    return report(start=start, end=end, bucket_s=size, requests=len(frame), instances=int(instances.sum()),
                  errors=int(failed.sum()), status_codes={str(k): int(v) for k, v in codes.items()},
                  latency_ms=percentiles(latency[np.isfinite(latency)]), buckets=per_bucket, predictions=predictions,
                  drift=drift, drift_note=note)


__all__ = ["monitor_frame"]
