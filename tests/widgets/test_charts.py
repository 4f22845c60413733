"""The notebook views' SVG charts: axes with round, readable ticks, and colours that follow JupyterLab's theme."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest

from jhops.widgets import charts

SVG = "{http://www.w3.org/2000/svg}"
# A colour written out (#hex, rgb(), a name of black, white or a grey), as opposed to a theme variable.
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|\b(?:black|white|gr[ae]y|silver)\b")


def hard_coded_colours(markup: str) -> list[str]:
    """Colours that are not the fallback of a `var(--jp-...)`: what would stay put when the theme changes."""
    without_fallbacks = re.sub(r"var\(--jp-[\w-]+,\s*(?:[^()]|\([^()]*\))*\)", "var()", markup)
    # Tooltips and labels are text, not colours.
    without_text = re.sub(r">[^<]*<", "><", without_fallbacks)
    return COLOUR.findall(without_text)


def ticks(svg_markup: str, axis: str) -> list[tuple[float, str]]:
    """(position along the axis, label) of each tick of an axis of a chart."""
    root = ET.fromstring(svg_markup)
    group = next(g for g in root.iter(f"{SVG}g") if f"jp-jhops-axis-{axis}" in g.get("class", ""))
    found = []
    for tick in group.iter(f"{SVG}g"):
        if "jp-jhops-tick" in tick.get("class", ""):
            text = tick.find(f"{SVG}text")
            assert text is not None
            found.append((float(text.get("x" if axis == "x" else "y", "nan")), text.text or ""))
    return found


def is_round_steps(values: list[float]) -> bool:
    """Evenly spaced by 1, 2 or 5 times a power of ten."""
    step = values[1] - values[0]
    mantissa = round(step / 10 ** math.floor(math.log10(step)), 6)
    return mantissa in (1, 2, 5) and all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in itertools.pairwise(values))


def test_line_chart_axes_have_round_ticks_covering_the_values() -> None:
    curve = [(step, 0.52 + 0.0354 * step) for step in range(12)]  # 0.52 .. 0.909
    page = charts.line_chart({"trial 0": curve}, y_label="accuracy")
    y = [float(label) for _, label in ticks(page, "y")]
    assert len(y) >= 3 and is_round_steps(y), y
    assert y[0] <= 0.52 and y[-1] >= 0.909
    x = [float(label) for _, label in ticks(page, "x")]
    assert len(x) >= 3 and is_round_steps(x) and all(v.is_integer() for v in x), x  # steps: never 2.5
    assert ">accuracy</text>" in page and ">step</text>" in page


def test_tick_labels_do_not_overlap_even_when_long() -> None:
    curve = [(t, 1_000_000 + 345.0 * t) for t in range(0, 3000, 30)]  # 1.0M .. 2.02M
    page = charts.line_chart({"requests": curve}, x_label="seconds since start", width=360)
    x = ticks(page, "x")
    assert len(x) >= 2
    for (left, a), (right, b) in itertools.pairwise(x):
        half_widths = (len(a) + len(b)) / 2 * 11 * 0.62
        assert right - left > half_widths, (a, b)
    labels = [label for _, label in ticks(page, "y")]
    assert all(label.endswith("M") for label in labels), labels  # 1.0M, not 1000000
    y = [pos for pos, _ in ticks(page, "y")]
    assert all(abs(b - a) >= 11 for a, b in itertools.pairwise(y))


def test_histogram_has_a_value_axis_and_whole_count_ticks() -> None:
    page = charts.histogram_chart([30.0, 32.5, 35.0, 37.5, 40.0, 42.5], [3, 17, 40, 22, 6], title="inc_angle")
    values = [float(label) for _, label in ticks(page, "x")]
    assert len(values) >= 2 and is_round_steps(values) and values[0] >= 30 and values[-1] <= 42.5
    counts = [float(label) for _, label in ticks(page, "y")]
    assert counts[0] == 0 and counts[-1] >= 40 and all(c.is_integer() for c in counts)
    assert page.count('class="jp-jhops-bar"') == 5


@pytest.mark.parametrize("chart", [
    charts.line_chart({f"trial {i}": [(0, i), (1, i + 1.5)] for i in range(12)}, title="loss", y_label="loss"),
    charts.histogram_chart([0, 1, 2, 3], [4, 9, 2], title="band_1"),
])
def test_charts_take_their_colours_from_the_theme(chart: str) -> None:
    assert hard_coded_colours(chart) == []
    root = ET.fromstring(chart)
    assert "fill:var(--jp-ui-font-color1" in root.get("style", "")  # labels: the theme's text colour
    axes = [g for g in root.iter(f"{SVG}g") if "jp-jhops-axis" in g.get("class", "")]
    assert axes and all("stroke:var(--jp-" in g.get("style", "") for g in axes)


def test_series_have_distinct_theme_colours_with_light_fallbacks() -> None:
    page = charts.line_chart({f"trial {i}": [(0, i), (1, i + 1)] for i in range(3)})
    strokes = re.findall(r'<polyline class="jp-jhops-line" style="fill:none;stroke:([^"]+)"', page)
    assert strokes == [f"var(--jp-jhops-series-{i}, {c})" for i, c in enumerate(("#1f77b4", "#ff7f0e", "#2ca02c"))]


def test_the_views_use_no_hard_coded_colours() -> None:
    from jhops.widgets import experiment_view, feature_store_view, monitor_view

    for colour in [*experiment_view.STATE_COLORS.values(), *feature_store_view.STATUS_COLORS.values(),
                   monitor_view.DRIFT_COLOR, monitor_view.OK_COLOR, monitor_view.MUTED_COLOR]:
        assert colour.startswith("var(--jp-"), colour
    assert hard_coded_colours(feature_store_view._badge("SUCCESS")) == []
    assert hard_coded_colours(monitor_view._badge("ok", monitor_view.OK_COLOR)) == []


def test_a_single_value_gets_an_axis_that_stays_at_or_above_zero() -> None:
    page = charts.line_chart({"requests/s": [(0.0, 0.0)]}, x_label="seconds since start")  # one empty bucket
    for axis in ("x", "y"):
        values = [float(label) for _, label in ticks(page, axis)]
        assert len(values) >= 2 and min(values) == 0, (axis, values)


def test_nothing_to_draw_draws_nothing() -> None:
    assert charts.line_chart({"a": [(0, math.nan)]}) == ""
    assert charts.histogram_chart([0, 1], []) == ""
