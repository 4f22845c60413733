"""The monitoring report: what a deployment did over a window (traffic, latency, errors, predictions) and how its
inputs drifted, as numbers, as JSON for the REST API and the sidebar, and as a few lines for people.

Example: ``print(monitor("iceberg").summary())``
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from jhops.serving.monitoring.drift import FeatureDrift
from jhops.serving.monitoring.reference import describe_reference
from jhops.serving.monitoring.statistics import finite
from jhops.serving.monitoring.window import iso


@dataclass
class MonitoringReport:
    """What a deployment did over a window: traffic, latency, errors, predictions, and input drift.

    Example::

        report = monitor("iceberg")
        report.requests, report.error_rate, report.latency_ms["p99"], report.drifted
        json.dumps(report.to_dict())         # what the REST API and the sidebar serve
    """

    deployment: str | None
    model_name: str | None
    model_version: int | None
    start: float | None
    end: float | None
    bucket_s: float
    requests: int
    instances: int
    errors: int
    status_codes: dict[str, int]
    latency_ms: dict[str, float | None]
    buckets: list[dict[str, Any]]
    predictions: dict[str, Any]
    drift: list[FeatureDrift]
    reference: dict[str, Any] | None
    thresholds: dict[str, float]
    drift_note: str | None = None
    message: str | None = None
    excluded_requests: int = 0
    #: why the log may lack requests answered before the report (a running server that did not confirm its
    #: flush), else None. Apart from ``message``, which views show instead of the numbers of an empty report.
    log_note: str | None = None
    generated_at: float = field(default_factory=time.time)

    @property
    def duration_s(self) -> float:
        return 0.0 if self.start is None or self.end is None else self.end - self.start

    @property
    def error_rate(self) -> float | None:
        """Failed requests (HTTP status >= 400, or an error message) over all requests; None with no requests."""
        return self.errors / self.requests if self.requests else None

    @property
    def rate_per_s(self) -> float | None:
        """Requests per second over the window (None when the window has no length)."""
        return self.requests / self.duration_s if self.duration_s > 0 else None

    @property
    def drifted(self) -> list[str]:
        """The names of the features flagged as drifted."""
        return [f.name for f in self.drift if f.drifted]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able values (no NaN: missing numbers are None)."""
        return {
            "deployment": self.deployment,
            "model": {"name": self.model_name, "version": self.model_version},
            "generated_at": self.generated_at,
            "message": self.message,
            "log_note": self.log_note,
            "window": {"start": iso(self.start), "end": iso(self.end), "start_ts": self.start, "end_ts": self.end,
                       "duration_s": self.duration_s, "bucket_s": self.bucket_s},
            "requests": {"count": self.requests, "instances": self.instances, "errors": self.errors,
                         "error_rate": self.error_rate, "rate_per_s": self.rate_per_s,
                         "status_codes": dict(self.status_codes), "excluded": self.excluded_requests},
            "latency_ms": {k: finite(v) for k, v in self.latency_ms.items()},
            "buckets": self.buckets,
            "predictions": self.predictions,
            "drift": {"reference": self.reference, "thresholds": dict(self.thresholds), "note": self.drift_note,
                      "drifted": self.drifted, "features": [f.to_dict() for f in self.drift]},
        }

    def summary(self) -> str:
        """A few lines for people: requests, error rate, latency percentiles, predictions, drifting features."""
        who = f"deployment {self.deployment!r}" if self.deployment else "inference log"
        model = f" (model {self.model_name} v{self.model_version})" if self.model_name else ""
        if self.requests == 0:
            lines = [f"{who}{model}: {self.message or 'no requests in the window'}"]
            lines += [f"{label}: {note}" for label, note in (("drift", self.drift_note), ("note", self.log_note))
                      if note]
            return "\n".join(lines)
        span = f"{iso(self.start)} to {iso(self.end)}"
        rate = f", {self.rate_per_s:.3g}/s" if self.rate_per_s is not None else ""
        lines = [f"{who}{model}: {self.requests} requests{rate} ({self.instances} instances), {span}",
                 f"errors: {self.errors} ({100 * (self.error_rate or 0):.1f}%)"
                 + (f"; status codes {self.status_codes}" if len(self.status_codes) > 1 else ""),
                 "latency: " + ", ".join(f"{k} {self.latency_ms[k]:.1f} ms" for k in ("p50", "p95", "p99")
                                         if self.latency_ms.get(k) is not None)]
        pred = self.predictions
        if pred.get("kind"):
            detail = f"mean {pred['mean']:.3g}" if pred.get("mean") is not None else ""
            if pred.get("class_counts"):
                top = ", ".join(f"{k}: {v}" for k, v in list(pred["class_counts"].items())[:5])
                detail = f"{detail}; classes {top}" if detail else f"classes {top}"
            lines.append(f"predictions ({pred['kind']}, {pred['count']}): {detail}")
        if self.reference is not None and self.drift:
            ref = self.reference
            against = describe_reference(ref)
            if self.drifted:
                worst = [f for f in self.drift if f.drifted]
                lines.append(f"DRIFT against {against}: " + ", ".join(
                    f"{f.name} (PSI {f.psi:.2f}, KS {f.ks:.2f})" for f in worst[:8])
                    + (f" and {len(worst) - 8} more" if len(worst) > 8 else ""))
            else:
                lines.append(f"no drift against {against} in {len(self.drift)} features")
        if self.drift_note:
            lines.append(f"drift: {self.drift_note}")
        if self.log_note:
            lines.append(f"note: {self.log_note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"MonitoringReport({self.deployment!r}, requests={self.requests}, errors={self.errors}, "
                f"drifted={self.drifted})")


__all__ = ["MonitoringReport"]
