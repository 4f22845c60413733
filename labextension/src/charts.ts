/**
 * SVG charts: lines over steps or time, and histograms, with axes whose ticks are round numbers whose labels
 * do not overlap. Colours come from the stylesheet (JupyterLab's theme variables and the `--jp-jhops-series-N`
 * palette that style/base.css sets for light and dark themes): the SVG itself holds classes, never colours.
 */
import { el, svg } from './dom';
import { IHistogram } from './api';

/** How many series colours the palette has; series beyond it reuse them in order. */
export const SERIES_COLOURS = 10;

/** The class that gives a line, a bar or a legend swatch the colour of series `index`. */
export function seriesClass(index: number): string {
  return `jp-jhops-series-${index % SERIES_COLOURS}`;
}

/** Font size of tick labels and axis titles, in the chart's pixels. */
const FONT = 10;
/** Roughly how wide one character of a tick label is (sans-serif digits at FONT). */
const CHAR = FONT * 0.62;

/**
 * The spacing of about `count` ticks over `span`: 1, 2 or 5 times a power of ten (at least 1 when `whole`).
 *
 * Example: `tickStep(0.87, 5)` is 0.2.
 */
export function tickStep(span: number, count: number, whole = false): number {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) {
    return 1;
  }
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / power;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
  return whole && step < 1 ? 1 : step;
}

/** How many decimals the labels of ticks `step` apart need. */
function decimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** The multiples of `step` from `low` to `high`, without floating-point dust (0.30000000000000004). */
function multiples(low: number, high: number, step: number): number[] {
  const places = decimals(step);
  const first = Math.ceil(low / step - 1e-9);
  const last = Math.floor(high / step + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) {
    ticks.push(Number((i * step).toFixed(places)) || 0);
  }
  return ticks;
}

/** An axis: the value range it shows, and its ticks. */
export interface IAxisScale {
  low: number;
  high: number;
  step: number;
  ticks: number[];
}

/**
 * About `count` round ticks over [low, high]. With `nice`, the range widens to the ticks around it (value axes);
 * without, the ticks fall inside the data's range (step and time axes). An empty range widens around its value.
 *
 * Example: `axisScale(0.52, 0.91, 4, { nice: true })` gives ticks 0.5, 0.6, 0.7, 0.8, 0.9, 1.
 */
export function axisScale(
  low: number,
  high: number,
  count: number,
  options: { nice?: boolean; whole?: boolean } = {}
): IAxisScale {
  if (high < low) {
    [low, high] = [high, low];
  }
  if (high === low) {
    // One value: a value axis widens around it (not below zero for a value that is not), a step or time axis
    // runs on from it.
    const pad = Math.abs(low) * 0.1 || 1;
    [low, high] = options.nice
      ? [low >= 0 ? Math.max(0, low - pad) : low - pad, high + pad]
      : [low, low + (options.whole ? 1 : pad)];
  }
  const step = tickStep(high - low, count, options.whole);
  if (options.nice) {
    low = Math.floor(low / step + 1e-9) * step;
    high = Math.ceil(high / step - 1e-9) * step;
  }
  return { low, high, step, ticks: multiples(low, high, step) };
}

/**
 * A tick's label in as many decimals as the step needs; thousands and millions as k and M.
 *
 * Example: `formatTick(2500, 500)` is `2.5k`; `formatTick(0.3, 0.1)` is `0.3`.
 */
export function formatTick(value: number, step: number): string {
  for (const [scale, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k']
  ] as const) {
    if (step >= scale / 10 && Math.abs(value) >= scale) {
      return (value / scale).toFixed(decimals(step / scale)) + suffix;
    }
  }
  const text = value.toFixed(decimals(step));
  return Number(text) === 0 ? '0' : text;
}

function labelWidth(labels: string[]): number {
  return Math.max(0, ...labels.map(l => l.length)) * CHAR;
}

/**
 * The most ticks over `pixels` (one per 40 pixels at most) whose labels leave a gap between them: `size` is how
 * much room the widest label takes along the axis (its width on an x axis, a line's height on a y axis).
 */
function fittingScale(
  low: number,
  high: number,
  pixels: number,
  options: { nice?: boolean; whole?: boolean },
  size: (labels: string[]) => number
): { scale: IAxisScale; labels: string[] } {
  let count = Math.max(1, Math.floor(pixels / 40));
  for (;;) {
    const scale = axisScale(low, high, count, options);
    const labels = scale.ticks.map(t => formatTick(t, scale.step));
    const spacing = (pixels * scale.step) / (scale.high - scale.low || 1);
    if (count <= 1 || size(labels) + 6 <= spacing) {
      return { scale, labels };
    }
    count--;
  }
}

/** Where the plot sits in the chart, and how values map onto it. */
interface IFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: IAxisScale;
  y: IAxisScale;
  xLabels: string[];
  yLabels: string[];
}

function sx(frame: IFrame, value: number): number {
  return frame.left + ((value - frame.x.low) / (frame.x.high - frame.x.low || 1)) * frame.width;
}

function sy(frame: IFrame, value: number): number {
  return frame.top + (1 - (value - frame.y.low) / (frame.y.high - frame.y.low || 1)) * frame.height;
}

/** Lay out a chart of `width` by `height` pixels for x and y ranges: margins fit the tick labels and titles. */
function layout(
  width: number,
  height: number,
  xRange: [number, number],
  yRange: [number, number],
  options: IChartOptions,
  x: { nice?: boolean; whole?: boolean }
): IFrame {
  const top = FONT;
  const bottom = FONT + 10 + (options.xLabel ? FONT + 6 : 0);
  const plotHeight = Math.max(20, height - top - bottom);
  const y = fittingScale(yRange[0], yRange[1], plotHeight, { nice: true, whole: options.wholeY }, () => FONT * 1.2);
  const left = 8 + labelWidth(y.labels) + (options.yLabel ? FONT + 8 : 0);
  // Room on the right for half of the last x label, which is centred on its tick.
  const right = 4 + Math.max(8, labelWidth([formatTick(xRange[1], 1)]) / 2);
  const plotWidth = Math.max(20, width - left - right);
  const xs = fittingScale(xRange[0], xRange[1], plotWidth, x, labelWidth);
  return { left, top, width: plotWidth, height: plotHeight, x: xs.scale, y: y.scale, xLabels: xs.labels,
           yLabels: y.labels };
}

/** Grid lines, both axes with their ticks and labels, and the axis titles. */
function axes(frame: IFrame, options: IChartOptions, chartHeight: number): SVGElement[] {
  const bottom = frame.top + frame.height;
  const right = frame.left + frame.width;
  const grid = svg('g', { class: 'jp-jhops-grid' });
  const yAxis = svg('g', { class: 'jp-jhops-axis jp-jhops-axis-y' },
                    svg('line', { x1: frame.left, x2: frame.left, y1: frame.top, y2: bottom }));
  frame.y.ticks.forEach((tick, i) => {
    const y = sy(frame, tick).toFixed(1);
    grid.append(svg('line', { x1: frame.left, x2: right, y1: y, y2: y }));
    const label = svg('text', { x: frame.left - 6, y: Number(y) + FONT * 0.35, 'text-anchor': 'end' });
    label.textContent = frame.yLabels[i];
    yAxis.append(svg('g', { class: 'jp-jhops-tick', 'data-value': tick },
                     svg('line', { x1: frame.left - 4, x2: frame.left, y1: y, y2: y }), label));
  });
  const xAxis = svg('g', { class: 'jp-jhops-axis jp-jhops-axis-x' },
                    svg('line', { x1: frame.left, x2: right, y1: bottom, y2: bottom }));
  frame.x.ticks.forEach((tick, i) => {
    const x = sx(frame, tick).toFixed(1);
    const label = svg('text', { x, y: bottom + 6 + FONT, 'text-anchor': 'middle' });
    label.textContent = frame.xLabels[i];
    xAxis.append(svg('g', { class: 'jp-jhops-tick', 'data-value': tick },
                     svg('line', { x1: x, x2: x, y1: bottom, y2: bottom + 4 }), label));
  });
  const parts: SVGElement[] = [grid, yAxis, xAxis];
  if (options.xLabel) {
    const title = svg('text', { class: 'jp-jhops-axis-title', x: frame.left + frame.width / 2, y: chartHeight - 3,
                                'text-anchor': 'middle' });
    title.textContent = options.xLabel;
    parts.push(title);
  }
  if (options.yLabel) {
    const middle = frame.top + frame.height / 2;
    const title = svg('text', { class: 'jp-jhops-axis-title', x: FONT, y: middle, 'text-anchor': 'middle',
                                transform: `rotate(-90 ${FONT} ${middle})` });
    title.textContent = options.yLabel;
    parts.push(title);
  }
  return parts;
}

/** Size and axis titles of a chart. */
export interface IChartOptions {
  /** Width of the drawing in pixels; it shrinks to fit a narrower container. */
  width?: number;
  height?: number;
  /** What the x axis counts, with its unit (e.g. `step`, `seconds since start`). */
  xLabel?: string;
  /** What the y axis shows, with its unit (e.g. `latency (ms)`). */
  yLabel?: string;
  /** The x values are whole numbers (steps): never a tick between two. Guessed from the data when unset. */
  wholeX?: boolean;
  /** The y values are counts. */
  wholeY?: boolean;
}

function emptyChart(cls: string, width: number, height: number, text: string): SVGElement {
  const note = svg('text', { class: 'jp-jhops-chart-empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' });
  note.textContent = text;
  return svg('svg', { class: cls, width, height, viewBox: `0 0 ${width} ${height}` }, note);
}

/**
 * Lines of (x, y) points, one per series, on axes with round ticks. Points that are not finite are left out.
 *
 * Example: `lineChart({ 'trial 0': [[0, 0.5], [1, 0.7]] }, { xLabel: 'step', yLabel: 'accuracy' })`
 */
export function lineChart(series: Record<string, Array<[number, number]>>, options: IChartOptions = {}): SVGElement {
  const width = options.width ?? 480;
  const height = options.height ?? 220;
  const finite = Object.entries(series).map(
    ([name, points]) => [name, points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))] as const
  );
  const points = finite.flatMap(([, p]) => p);
  if (points.length === 0) {
    return emptyChart('jp-jhops-chart', width, height, 'no data yet');
  }
  const xs = points.map(p => p[0]);
  const ys = points.map(p => p[1]);
  const whole = options.wholeX ?? xs.every(x => Number.isInteger(x));
  const frame = layout(width, height, [Math.min(...xs), Math.max(...xs)], [Math.min(...ys), Math.max(...ys)],
                       options, { whole });
  const chart = svg('svg', { class: 'jp-jhops-chart', width, height, viewBox: `0 0 ${width} ${height}` },
                    ...axes(frame, options, height));
  finite.forEach(([name, values], i) => {
    if (values.length === 0) {
      return;
    }
    const title = svg('title');
    title.textContent = name;
    const shape =
      values.length === 1
        ? svg('circle', { class: `jp-jhops-point ${seriesClass(i)}`, r: 3, cx: sx(frame, values[0][0]).toFixed(1),
                          cy: sy(frame, values[0][1]).toFixed(1) }, title)
        : svg('polyline', {
            class: `jp-jhops-line ${seriesClass(i)}`,
            points: values.map(([x, y]) => `${sx(frame, x).toFixed(1)},${sy(frame, y).toFixed(1)}`).join(' ')
          }, title);
    shape.setAttribute('data-series', name);
    chart.append(shape);
  });
  return chart;
}

/** The colour key of a chart: one swatch per series, in the chart's order. */
export function legend(names: string[]): HTMLElement {
  return el(
    'div',
    { class: 'jp-jhops-legend' },
    ...names.map((name, i) =>
      el('span', { class: 'jp-jhops-legend-item' }, el('span', { class: `jp-jhops-swatch ${seriesClass(i)}` }), name)
    )
  );
}

/** Options of a histogram: its size, the series colour of its bars, the x axis title. */
export interface IHistogramOptions extends IChartOptions {
  series?: number;
}

/**
 * The bars of a histogram on a value axis and a count axis, with its title under it.
 *
 * Example: `histogram({ edges: [0, 1, 2], counts: [3, 5] }, 'inc_angle')`
 */
export function histogram(data: IHistogram, title: string, options: IHistogramOptions = {}): HTMLElement {
  const width = options.width ?? 240;
  const height = options.height ?? 130;
  const counts = data.counts;
  const edges = data.edges;
  let chart: SVGElement;
  if (!counts.length || edges.length !== counts.length + 1 || !edges.every(Number.isFinite)) {
    chart = emptyChart('jp-jhops-histogram', width, height, 'no values');
  } else {
    const frame = layout(width, height, [edges[0], edges[edges.length - 1]], [0, Math.max(1, ...counts)],
                         { ...options, wholeY: true }, {});
    chart = svg('svg', { class: 'jp-jhops-histogram', width, height, viewBox: `0 0 ${width} ${height}` },
                ...axes(frame, options, height));
    counts.forEach((count, i) => {
      const x0 = sx(frame, edges[i]);
      const x1 = sx(frame, edges[i + 1]);
      const y = sy(frame, count);
      const tip = svg('title');
      tip.textContent = `[${edges[i].toPrecision(4)}, ${edges[i + 1].toPrecision(4)}): ${count}`;
      chart.append(svg('rect', {
        class: `jp-jhops-bar ${seriesClass(options.series ?? 0)}`,
        x: x0.toFixed(1),
        y: y.toFixed(1),
        width: Math.max(x1 - x0 - 1, 1).toFixed(1),
        height: Math.max(frame.top + frame.height - y, 0).toFixed(1)
      }, tip));
    });
  }
  return el('figure', { class: 'jp-jhops-stat' }, chart, el('figcaption', {}, title));
}
