"""The time window of a report: its bounds as given (epoch seconds, ISO text, datetimes, timedeltas) and the size
of the buckets it is cut into.

Example: ``window_bounds(timestamps(log["timestamp"]), epoch("2026-11-22T10:00:00", "since"), None)``
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jhops.serving.monitoring.errors import MonitoringError

Floats = npt.NDArray[np.float64]

#: bucket sizes in seconds; the smallest that cuts the window into at most MAX_BUCKETS is chosen
BUCKET_SIZES = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_BUCKETS = 60
#: the last second a log timestamp (and a datetime) can hold, 9999-12-31T23:59:59Z
LAST_SECOND = 253402300799.0


def epoch(value: Any, name: str) -> float | None:
    """``value`` (None, epoch seconds, ISO text, a datetime, a pandas Timestamp, or a timedelta before now) as
    epoch seconds; ``name`` is the argument's name for the error message.

    Example: ``epoch("2026-01-01T00:00:00", "since")`` is ``1767225600.0``.
    """
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return time.time() - value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
        # The log's timestamps (and datetime) end in the year 9999: a time past that is no time of a request.
        if not math.isfinite(seconds) or not -LAST_SECOND <= seconds <= LAST_SECOND:
            raise MonitoringError(f"{name}={value!r} is not a time: epoch seconds must be finite and within "
                                  f"+-{LAST_SECOND:.0f} (the year 9999)")
        return seconds
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise MonitoringError(f"{name}={value!r} is not a time: pass epoch seconds, a datetime, ISO text such as "
                              f"'2026-11-22T10:00:00' (UTC unless it says otherwise) or a timedelta before now"
                              ) from None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return float(stamp.timestamp())


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO text in UTC (None stays None).

    Example: ``iso(0.0)`` is ``"1970-01-01T00:00:00+00:00"``.
    """
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat()


def timestamps(column: pd.Series) -> Floats:
    """A log's ``timestamp`` column (datetimes or epoch seconds) as epoch seconds.

    Example: ``timestamps(log["timestamp"])[0]``
    """
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column, utc=True)
        return np.asarray((stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), dtype=np.float64)
    return np.asarray(column, dtype=np.float64)


def window_bounds(ts: Floats, since: float | None, until: float | None) -> tuple[float | None, float | None]:
    """The window's start and end: as given, else spanning the requests at ``ts`` (a window ``since`` a time and
    no ``until`` runs to now).

    Example: ``window_bounds(np.array([5.0, 9.0]), None, None)`` is ``(5.0, 9.0)``.
    """
    start = since if since is not None else (float(ts.min()) if ts.size else None)
    end = until if until is not None else (time.time() if since is not None else
                                           (float(ts.max()) if ts.size else None))
    return start, end


def choose_bucket(duration_s: float) -> float:
    """The bucket size (seconds) for a window of ``duration_s``: the smallest of ``BUCKET_SIZES`` giving at most
    ``MAX_BUCKETS`` buckets.

    Example: ``choose_bucket(600)`` is ``10``.
    """
    for size in BUCKET_SIZES:
        if duration_s / size <= MAX_BUCKETS:
            return float(size)
    return float(math.ceil(duration_s / MAX_BUCKETS / BUCKET_SIZES[-1]) * BUCKET_SIZES[-1])


__all__ = ["BUCKET_SIZES", "MAX_BUCKETS", "Floats", "choose_bucket", "epoch", "iso", "timestamps", "window_bounds"]
