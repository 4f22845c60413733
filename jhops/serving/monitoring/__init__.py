"""Monitoring of a deployment: traffic, latency, errors, predictions over time, and input drift.

The numbers come from the deployment's inference log (``<project>/serving/<name>/inference_log/``) over a
time window cut into buckets: request count and rate, latency p50/p95/p99, error rate (HTTP status >= 400 or
an error message), and the distribution of the predictions. Input drift compares the logged inputs with the
**reference**: by default the training split of the training dataset recorded in the model's provenance.

One module per concept:

* ``window``: the window's bounds and bucket size; ``traffic``: failed requests, latency percentiles, buckets
* ``statistics``: KS and PSI with their p-values; ``drift``: per-feature drift and its flags
* ``reference``: what drift is measured against (training rows, inputs, stored statistics, a training dataset)
* ``histograms``: stored reference histograms and the charts' bins; ``summaries``: per-instance summaries
* ``mapping``: which reference feature each logged input is
* ``predictions``: the distribution of the predictions; ``report``: the ``MonitoringReport``
* ``frame``: ``monitor_frame`` over a log frame; ``deployment``: ``monitor`` of a deployment by name

Example::

    from jhops.serving import monitoring
    report = monitoring.monitor("iceberg", since="2026-11-22T10:00:00")
    print(report.summary())
    report.drifted                       # ['band_1.mean', 'band_1.max']
    report.to_dict()["latency_ms"]       # {'p50': 3.1, 'p95': 8.0, 'p99': 12.2, 'mean': 3.9, 'max': 15.0}
"""

from jhops.serving.monitoring.deployment import monitor
from jhops.serving.monitoring.drift import ALPHA, KS_THRESHOLD, MIN_SAMPLES, PSI_THRESHOLD, FeatureDrift, feature_drift
from jhops.serving.monitoring.errors import MonitoringError
from jhops.serving.monitoring.frame import monitor_frame
from jhops.serving.monitoring.reference import (
    ReferenceProfile,
    as_profile,
    clear_cache,
    describe_reference,
    training_dataset_profile,
)
from jhops.serving.monitoring.report import MonitoringReport
from jhops.serving.monitoring.statistics import ks_pvalue, ks_statistic, psi, psi_pvalue
from jhops.serving.monitoring.window import choose_bucket

__all__ = ["ALPHA", "KS_THRESHOLD", "MIN_SAMPLES", "PSI_THRESHOLD", "FeatureDrift", "MonitoringError",
           "MonitoringReport", "ReferenceProfile", "as_profile", "choose_bucket", "clear_cache", "describe_reference",
           "feature_drift", "ks_pvalue", "ks_statistic", "monitor", "monitor_frame", "psi", "psi_pvalue",
           "training_dataset_profile"]
