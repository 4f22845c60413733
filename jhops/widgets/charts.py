"""Small inline SVG charts: no plotting library, so the live view stays light and saves in the notebook."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def _ticks(low: float, high: float, whole: bool = False) -> list[float]:
    if high == low:
        return [low]
    if whole and high - low < 4:  # a few integer steps: label each, never 0.5
        return [float(v) for v in range(int(low), int(high) + 1)]
    return [low + (high - low) * i / 4 for i in range(5)]


def line_chart(series: Mapping[str, Sequence[tuple[float, float]]], *, title: str = "", x_label: str = "step",
               y_label: str = "", width: int = 520, height: int = 240) -> str:
    """An SVG line chart with one line per series, a legend and labelled axes.

    Example: ``line_chart({"trial 0": [(0, 0.5), (1, 0.7)]}, y_label="accuracy")``
    """
    points = [(x, y) for values in series.values() for x, y in values if math.isfinite(y)]
    if not points:
        return ""
    left, right, top, bottom = 56, 120, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    x_low, x_high = min(p[0] for p in points), max(p[0] for p in points)
    y_low, y_high = min(p[1] for p in points), max(p[1] for p in points)
    if y_high == y_low:
        y_low, y_high = y_low - 0.5, y_high + 0.5
    x_span = (x_high - x_low) or 1.0

    def sx(x: float) -> float:
        return left + (x - x_low) / x_span * plot_w

    def sy(y: float) -> float:
        return top + (1 - (y - y_low) / (y_high - y_low)) * plot_h

    parts = [f'<svg class="jp-jhops-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">']
    if title:
        parts.append(f'<text x="{left}" y="14" font-weight="bold">{html.escape(title)}</text>')
    for tick in _ticks(y_low, y_high):
        y = sy(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.3g}</text>')
    whole_x = all(float(x).is_integer() for x, _ in points)
    for tick in _ticks(x_low, x_high, whole_x):
        x = sx(tick)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{tick:.3g}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">{html.escape(x_label)}</text>')
    parts.append(f'<text transform="translate(12 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
                 f'{html.escape(y_label)}</text>')
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        finite = [(x, y) for x, y in values if math.isfinite(y)]
        if not finite:
            continue
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in finite)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        if len(finite) == 1:
            x, y = finite[0]
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{color}"/>')
        legend_y = top + 12 + 14 * i
        if legend_y < top + plot_h:
            parts.append(f'<rect x="{left + plot_w + 10}" y="{legend_y - 8}" width="10" height="10" fill="{color}"/>')
            parts.append(f'<text x="{left + plot_w + 24}" y="{legend_y + 1}">{html.escape(name)[:16]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_chart(edges: Sequence[float], counts: Sequence[int], *, title: str = "", width: int = 260,
                    height: int = 120) -> str:
    """An SVG bar chart of a histogram (``len(edges) == len(counts) + 1``).

    Example: ``histogram_chart([0, 1, 2], [3, 5], title="inc_angle")``
    """
    if not counts or len(edges) != len(counts) + 1:
        return ""
    left, right, top, bottom = 8, 8, 18 if title else 6, 18
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) or 1
    bar_w = plot_w / len(counts)
    parts = [f'<svg class="jp-jhops-histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">']
    if title:
        parts.append(f'<text x="{left}" y="12" font-weight="bold">{html.escape(title)}</text>')
    for i, count in enumerate(counts):
        bar_h = count / peak * plot_h
        parts.append(f'<rect x="{left + i * bar_w:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                     f'height="{bar_h:.1f}" fill="{PALETTE[0]}"><title>[{edges[i]:.4g}, {edges[i + 1]:.4g}): '
                     f'{count}</title></rect>')
    parts.append(f'<text x="{left}" y="{height - 4}">{edges[0]:.4g}</text>')
    parts.append(f'<text x="{width - right}" y="{height - 4}" text-anchor="end">{edges[-1]:.4g}</text>')
    parts.append("</svg>")
    return "".join(parts)
