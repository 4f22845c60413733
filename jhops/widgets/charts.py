"""Small inline SVG charts: no plotting library, so the live view stays light and saves in the notebook.

Axes have round ticks (1, 2 or 5 times a power of ten) whose labels do not overlap. Colours are JupyterLab's
theme variables, so a chart follows the light and the dark theme; each has a fallback for other front ends
(text takes the colour of the text around it there).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

_LIGHT_SERIES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")
# The jhops stylesheet sets --jp-jhops-series-N for light and dark themes; elsewhere the light colours apply.
PALETTE = tuple(f"var(--jp-jhops-series-{i}, {colour})" for i, colour in enumerate(_LIGHT_SERIES))
TEXT_COLOUR = "var(--jp-ui-font-color1, currentColor)"
AXIS_COLOUR = "var(--jp-ui-font-color2, rgba(128, 128, 128, 0.9))"
GRID_COLOUR = "var(--jp-border-color2, rgba(128, 128, 128, 0.3))"

_FONT = 11
_CHAR = _FONT * 0.62  # about how wide a digit is at that size


def tick_step(span: float, count: int, whole: bool = False) -> float:
    """The spacing of about ``count`` ticks over ``span``: 1, 2 or 5 times a power of ten.

    Example: ``tick_step(0.87, 5)`` is 0.2.
    """
    raw = span / max(1, count)
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    mantissa = raw / power
    step = (1 if mantissa <= 1 else 2 if mantissa <= 2 else 5 if mantissa <= 5 else 10) * power
    return 1.0 if whole and step < 1 else step


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def nice_ticks(low: float, high: float, count: int, *, nice: bool = False,
               whole: bool = False) -> tuple[float, float, float, list[float]]:
    """``(low, high, step, ticks)`` of an axis with about ``count`` round ticks.

    With ``nice`` the range widens to the ticks around it (value axes); without, the ticks fall inside it.

    Example: ``nice_ticks(0.52, 0.91, 4, nice=True)`` has ticks 0.5, 0.6, ..., 1.0.
    """
    low, high = min(low, high), max(low, high)
    if high == low:
        # One value: a value axis widens around it (not below zero for a value that is not), a step or time axis
        # runs on from it.
        pad = abs(low) * 0.1 or 1.0
        if nice:
            low, high = (max(0.0, low - pad) if low >= 0 else low - pad), high + pad
        else:
            high = low + (1.0 if whole else pad)
    step = tick_step(high - low, count, whole)
    if nice:
        low = math.floor(low / step + 1e-9) * step
        high = math.ceil(high / step - 1e-9) * step
    places = _decimals(step)
    ticks = [round(i * step, places) + 0.0
             for i in range(math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9) + 1)]
    return low, high, step, ticks


def format_tick(value: float, step: float) -> str:
    """A tick label in as many decimals as the step needs; thousands and millions as k and M.

    Example: ``format_tick(2500, 500)`` is ``"2.5k"``.
    """
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if step >= scale / 10 and abs(value) >= scale:
            return f"{value / scale:.{_decimals(step / scale)}f}{suffix}"
    text = f"{value:.{_decimals(step)}f}"
    return "0" if float(text) == 0 else text


def _fitting(low: float, high: float, pixels: float, size: float | None, *, nice: bool,
             whole: bool) -> tuple[float, float, float, list[float], list[str]]:
    """The most ticks (one per 40 pixels at most) whose labels leave a gap; ``size`` None: label widths."""
    count = max(1, int(pixels // 40))
    while True:
        lo, hi, step, ticks = nice_ticks(low, high, count, nice=nice, whole=whole)
        labels = [format_tick(t, step) for t in ticks]
        room = size if size is not None else max((len(label) for label in labels), default=0) * _CHAR
        spacing = pixels * step / ((hi - lo) or 1)
        if count <= 1 or room + 6 <= spacing:
            return lo, hi, step, ticks, labels
        count -= 1


class _Frame:
    """The plot area of a chart and its two axes."""

    def __init__(self, width: int, height: int, x_range: tuple[float, float], y_range: tuple[float, float], *,
                 x_label: str, y_label: str, whole_x: bool, whole_y: bool, top: int) -> None:
        self.top = top
        bottom = _FONT + 10 + (_FONT + 6 if x_label else 0)
        self.height = max(20, height - top - bottom)
        self.y_low, self.y_high, _, self.y_ticks, self.y_labels = _fitting(
            *y_range, self.height, _FONT * 1.2, nice=True, whole=whole_y)
        widest = max((len(label) for label in self.y_labels), default=0) * _CHAR
        self.left = 8 + widest + (_FONT + 8 if y_label else 0)
        right = 4 + max(8.0, len(format_tick(x_range[1], 1)) * _CHAR / 2)
        self.width = max(20, width - self.left - right)
        self.x_low, self.x_high, _, self.x_ticks, self.x_labels = _fitting(
            *x_range, self.width, None, nice=False, whole=whole_x)

    def x(self, value: float) -> float:
        return self.left + (value - self.x_low) / ((self.x_high - self.x_low) or 1) * self.width

    def y(self, value: float) -> float:
        return self.top + (1 - (value - self.y_low) / ((self.y_high - self.y_low) or 1)) * self.height

    def axes(self, chart_height: int, x_label: str, y_label: str) -> list[str]:
        bottom, right = self.top + self.height, self.left + self.width
        grid, y_axis, x_axis = [], [], []
        for tick, label in zip(self.y_ticks, self.y_labels, strict=True):
            y = self.y(tick)
            grid.append(f'<line x1="{self.left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>')
            y_axis.append(f'<g class="jp-jhops-tick"><line x1="{self.left - 4:.1f}" x2="{self.left:.1f}" '
                          f'y1="{y:.1f}" y2="{y:.1f}"/><text x="{self.left - 6:.1f}" y="{y + _FONT * 0.35:.1f}" '
                          f'text-anchor="end" stroke="none">{label}</text></g>')
        for tick, label in zip(self.x_ticks, self.x_labels, strict=True):
            x = self.x(tick)
            x_axis.append(f'<g class="jp-jhops-tick"><line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom:.1f}" '
                          f'y2="{bottom + 4:.1f}"/><text x="{x:.1f}" y="{bottom + 6 + _FONT:.1f}" '
                          f'text-anchor="middle" stroke="none">{label}</text></g>')
        parts = [f'<g class="jp-jhops-grid" style="stroke:{GRID_COLOUR}">{"".join(grid)}</g>',
                 f'<g class="jp-jhops-axis jp-jhops-axis-y" style="stroke:{AXIS_COLOUR}">'
                 f'<line x1="{self.left:.1f}" x2="{self.left:.1f}" y1="{self.top:.1f}" y2="{bottom:.1f}"/>'
                 f'{"".join(y_axis)}</g>',
                 f'<g class="jp-jhops-axis jp-jhops-axis-x" style="stroke:{AXIS_COLOUR}">'
                 f'<line x1="{self.left:.1f}" x2="{right:.1f}" y1="{bottom:.1f}" y2="{bottom:.1f}"/>'
                 f'{"".join(x_axis)}</g>']
        if x_label:
            parts.append(f'<text class="jp-jhops-axis-title" x="{self.left + self.width / 2:.1f}" '
                         f'y="{chart_height - 3}" text-anchor="middle">{html.escape(x_label)}</text>')
        if y_label:
            middle = self.top + self.height / 2
            parts.append(f'<text class="jp-jhops-axis-title" x="{_FONT}" y="{middle:.1f}" text-anchor="middle" '
                         f'transform="rotate(-90 {_FONT} {middle:.1f})">{html.escape(y_label)}</text>')
        return parts


def _open_svg(css: str, width: int, height: int) -> str:
    return (f'<svg class="{css}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-size="{_FONT}" style="fill:{TEXT_COLOUR};'
            'font-family:var(--jp-ui-font-family, sans-serif);max-width:100%;height:auto;overflow:visible">')


def line_chart(series: Mapping[str, Sequence[tuple[float, float]]], *, title: str = "", x_label: str = "step",
               y_label: str = "", width: int = 520, height: int = 240) -> str:
    """An SVG line chart with one line per series, a legend and axes with round ticks.

    Example: ``line_chart({"trial 0": [(0, 0.5), (1, 0.7)]}, y_label="accuracy")``
    """
    points = [(x, y) for values in series.values() for x, y in values if math.isfinite(x) and math.isfinite(y)]
    if not points:
        return ""
    legend_w = 120
    top = 24 if title else 10
    whole_x = all(float(x).is_integer() for x, _ in points)
    frame = _Frame(width - legend_w, height, (min(p[0] for p in points), max(p[0] for p in points)),
                   (min(p[1] for p in points), max(p[1] for p in points)), x_label=x_label, y_label=y_label,
                   whole_x=whole_x, whole_y=False, top=top)
    parts = [_open_svg("jp-jhops-chart", width, height)]
    if title:
        parts.append(f'<text x="{frame.left:.1f}" y="14" font-weight="bold">{html.escape(title)}</text>')
    parts.extend(frame.axes(height, x_label, y_label))
    for i, (name, values) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        finite = [(x, y) for x, y in values if math.isfinite(x) and math.isfinite(y)]
        if not finite:
            continue
        path = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in finite)
        parts.append(f'<polyline class="jp-jhops-line" style="fill:none;stroke:{colour}" stroke-width="2" '
                     f'points="{path}"><title>{html.escape(name)}</title></polyline>')
        if len(finite) == 1:
            x, y = finite[0]
            parts.append(f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="3" style="fill:{colour}"/>')
        legend_y = top + 12 + 14 * i
        if legend_y < top + frame.height:
            legend_x = frame.left + frame.width + 14
            parts.append(f'<rect x="{legend_x:.1f}" y="{legend_y - 8}" width="10" height="10" '
                         f'style="fill:{colour}"/>')
            parts.append(f'<text x="{legend_x + 14:.1f}" y="{legend_y + 1}">{html.escape(name[:16])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_chart(edges: Sequence[float], counts: Sequence[int], *, title: str = "", width: int = 260,
                    height: int = 140, series: int = 0) -> str:
    """An SVG bar chart of a histogram (``len(edges) == len(counts) + 1``) on a value axis and a count axis.

    Example: ``histogram_chart([0, 1, 2], [3, 5], title="inc_angle")``
    """
    if not counts or len(edges) != len(counts) + 1 or not all(math.isfinite(e) for e in edges):
        return ""
    top = 20 if title else 8
    frame = _Frame(width, height, (edges[0], edges[-1]), (0, max(1, max(counts))), x_label="", y_label="",
                   whole_x=False, whole_y=True, top=top)
    colour = PALETTE[series % len(PALETTE)]
    parts = [_open_svg("jp-jhops-histogram", width, height)]
    if title:
        parts.append(f'<text x="{frame.left:.1f}" y="13" font-weight="bold">{html.escape(title)}</text>')
    parts.extend(frame.axes(height, "", ""))
    base = frame.top + frame.height
    for i, count in enumerate(counts):
        x0, x1, y = frame.x(edges[i]), frame.x(edges[i + 1]), frame.y(count)
        parts.append(f'<rect class="jp-jhops-bar" x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
                     f'height="{max(base - y, 0):.1f}" style="fill:{colour}"><title>[{edges[i]:.4g}, '
                     f"{edges[i + 1]:.4g}): {count}</title></rect>")
    parts.append("</svg>")
    return "".join(parts)
