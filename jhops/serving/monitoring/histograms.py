"""Histograms: a reference's stored histogram (from the feature store's statistics), and the common bins on which
the charts show reference and live values side by side.

Example: ``display_histogram(reference_values, live_values)["edges"]``
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jhops.serving.monitoring.window import Floats

HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class Histogram:
    """A stored reference histogram (``np.histogram`` bins: ``[e_i, e_i+1)``, the last one closed).

    Example: ``Histogram(np.array([0.0, 1.0, 2.0]), np.array([3.0, 1.0])).mean()`` is ``0.75``.
    """

    edges: Floats
    counts: Floats

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def mean(self) -> float | None:
        """The mean of the bins' centres weighted by their counts (None when empty)."""
        if self.total == 0:
            return None
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        return float(np.sum(centres * self.counts) / self.total)

    def cdf_at_edges(self) -> Floats:
        """The reference's empirical CDF at each edge (the share of values below it)."""
        return np.concatenate([[0.0], np.cumsum(self.counts)]) / max(self.total, 1)


def display_histogram(reference: Floats | Histogram, live: Floats) -> dict[str, list[float] | list[int]]:
    """Reference and live counts on common equal-width bins, for the side-by-side charts.

    Example: ``display_histogram(np.arange(100.0), np.arange(50.0))["live"]``
    """
    if isinstance(reference, Histogram):
        low, high = float(reference.edges[0]), float(reference.edges[-1])
    else:
        low, high = (float(v) for v in np.quantile(reference, [0.001, 0.999]))
    if live.size:
        live_low, live_high = (float(v) for v in np.quantile(live, [0.001, 0.999]))
        low, high = min(low, live_low), max(high, live_high)
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    live_counts = np.histogram(np.clip(live, low, high), bins=edges)[0]
    if isinstance(reference, Histogram):
        # Re-bin the stored counts by their bins' centres: close enough for a picture.
        centres = (reference.edges[:-1] + reference.edges[1:]) / 2
        ref_counts = np.histogram(np.clip(centres, low, high), bins=edges, weights=reference.counts)[0]
    else:
        ref_counts = np.histogram(np.clip(reference, low, high), bins=edges)[0]
    return {"edges": [float(e) for e in edges], "reference": [int(c) for c in ref_counts],
            "live": [int(c) for c in live_counts]}


__all__ = ["HISTOGRAM_BINS", "Histogram", "display_histogram"]
