"""The error of monitoring: it cannot run as asked, and the message says what to pass instead."""

from __future__ import annotations

from jhops.serving.errors import ServingError


class MonitoringError(ServingError):
    """Monitoring cannot run as asked: the message says why and what to pass instead.

    Example: ``monitor_frame(log, reference=42)`` raises ``MonitoringError("reference must be a DataFrame, ...")``.
    """


__all__ = ["MonitoringError"]
