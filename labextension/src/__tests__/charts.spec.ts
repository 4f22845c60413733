/**
 * @jest-environment jsdom
 */
import { axisScale, formatTick, histogram, legend, lineChart, tickStep } from '../charts';
import { hardCodedColours, roundSteps, tickLabels } from './see';

const CHAR = 10 * 0.62;

describe('axis ticks', () => {
  it('are 1, 2 or 5 times a power of ten', () => {
    expect(tickStep(0.87, 5)).toBeCloseTo(0.2);
    expect(tickStep(47, 5)).toBe(10);
    expect(tickStep(3, 10, true)).toBe(1); // steps are whole: never 0.5
    const scale = axisScale(0.52, 0.91, 4, { nice: true });
    expect(scale.ticks).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]); // no 0.30000000000000004
    expect([scale.low, scale.high]).toEqual([0.5, 1]);
    expect(axisScale(0, 47, 5).ticks).toEqual([0, 10, 20, 30, 40]);
    expect(axisScale(3, 3, 4, { whole: true }).ticks).toEqual([3, 4]); // one step still gets an axis
  });

  it('give a single value an axis that does not go below zero for what cannot', () => {
    // one monitoring bucket: 0 s since start, 0 requests/s
    const chart = lineChart({ rate: [[0, 0]] }, { xLabel: 'seconds since start' });
    expect(tickLabels(chart, 'x').map(Number).every(v => v >= 0)).toBe(true);
    expect(tickLabels(chart, 'y').map(Number).every(v => v >= 0)).toBe(true);
    expect(tickLabels(chart, 'y').length).toBeGreaterThanOrEqual(2);
    expect(axisScale(-2, -2, 4, { nice: true }).low).toBeLessThan(-2);
  });

  it('are labelled in the decimals the step needs, with k and M for large numbers', () => {
    expect(formatTick(0.6000000000000001, 0.1)).toBe('0.6');
    expect(formatTick(-0, 0.1)).toBe('0');
    expect(formatTick(2500, 500)).toBe('2.5k');
    expect(formatTick(3000000, 1000000)).toBe('3M');
    expect(formatTick(0.025, 0.005)).toBe('0.025');
  });
});

describe('lineChart', () => {
  const curves = {
    'trial 0': Array.from({ length: 12 }, (_, s) => [s, 0.52 + 0.0354 * s] as [number, number]),
    'trial 1': Array.from({ length: 9 }, (_, s) => [s, 0.6 + 0.02 * s] as [number, number])
  };

  it('draws one line per series on axes with round ticks and titles', () => {
    const chart = lineChart(curves, { xLabel: 'step', yLabel: 'accuracy' });
    expect(chart.querySelectorAll('polyline')).toHaveLength(2);
    expect([...chart.querySelectorAll('polyline title')].map(t => t.textContent)).toEqual(['trial 0', 'trial 1']);
    const y = tickLabels(chart, 'y').map(Number);
    expect(y.length).toBeGreaterThanOrEqual(3);
    expect(roundSteps(y)).toBe(true);
    expect(y[0]).toBeLessThanOrEqual(0.52);
    expect(y[y.length - 1]).toBeGreaterThanOrEqual(0.909);
    const x = tickLabels(chart, 'x').map(Number);
    expect(roundSteps(x)).toBe(true);
    expect(x.every(Number.isInteger)).toBe(true);
    expect([...chart.querySelectorAll('.jp-jhops-axis-title')].map(t => t.textContent)).toEqual(['step', 'accuracy']);
  });

  it('keeps tick labels apart on a narrow chart with long labels', () => {
    const traffic = { rate: Array.from({ length: 100 }, (_, i) => [i * 37, 1e6 + 12345 * i] as [number, number]) };
    const chart = lineChart(traffic, { width: 220, height: 120 });
    const ticks = [...chart.querySelectorAll('.jp-jhops-axis-x .jp-jhops-tick text')];
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < ticks.length; i++) {
      const gap = Number(ticks[i].getAttribute('x')) - Number(ticks[i - 1].getAttribute('x'));
      const halfWidths = ((ticks[i].textContent!.length + ticks[i - 1].textContent!.length) / 2) * CHAR;
      expect(gap).toBeGreaterThan(halfWidths);
    }
    expect(tickLabels(chart, 'y').every(label => /^(0|[\d.]+M)$/.test(label))).toBe(true);
    const ys = [...chart.querySelectorAll('.jp-jhops-axis-y .jp-jhops-tick text')].map(t => Number(t.getAttribute('y')));
    expect(ys.every((y, i) => i === 0 || Math.abs(y - ys[i - 1]) >= 10)).toBe(true);
  });

  it('colours series through classes the theme styles, never with colours of its own', () => {
    const chart = lineChart(curves);
    const classes = [...chart.querySelectorAll('polyline')].map(p => p.getAttribute('class'));
    expect(classes).toEqual(['jp-jhops-line jp-jhops-series-0', 'jp-jhops-line jp-jhops-series-1']);
    expect(hardCodedColours(chart)).toEqual([]);
    const key = legend(Object.keys(curves));
    expect([...key.querySelectorAll('.jp-jhops-swatch')].map(s => s.className)).toEqual([
      'jp-jhops-swatch jp-jhops-series-0',
      'jp-jhops-swatch jp-jhops-series-1'
    ]);
    expect(hardCodedColours(key)).toEqual([]);
  });

  it('says there is nothing yet, and marks a single point', () => {
    expect(lineChart({}).textContent).toBe('no data yet');
    expect(lineChart({ a: [[0, Number.NaN]] }).textContent).toBe('no data yet');
    const one = lineChart({ a: [[0, 0.5]] });
    expect(one.querySelectorAll('circle.jp-jhops-point')).toHaveLength(1);
  });
});

describe('histogram', () => {
  it('draws bars on a value axis and a count axis, under its title', () => {
    const figure = histogram({ edges: [30, 32.5, 35, 37.5, 40, 42.5], counts: [3, 17, 40, 22, 6] }, 'inc_angle');
    const chart = figure.querySelector('svg.jp-jhops-histogram')!;
    expect(chart.querySelectorAll('rect.jp-jhops-bar')).toHaveLength(5);
    expect(chart.querySelector('rect title')!.textContent).toBe('[30.00, 32.50): 3');
    const values = tickLabels(chart, 'x').map(Number);
    expect(roundSteps(values)).toBe(true);
    expect(values[0]).toBeGreaterThanOrEqual(30);
    const counts = tickLabels(chart, 'y').map(Number);
    expect(counts[0]).toBe(0);
    expect(counts[counts.length - 1]).toBeGreaterThanOrEqual(40);
    expect(counts.every(Number.isInteger)).toBe(true);
    expect(figure.querySelector('figcaption')!.textContent).toBe('inc_angle');
    expect(hardCodedColours(figure)).toEqual([]);
  });

  it('takes the colour of the series it is given', () => {
    const live = histogram({ edges: [0, 1, 2], counts: [1, 2] }, 'live', { series: 1 });
    expect(live.querySelector('rect')!.getAttribute('class')).toBe('jp-jhops-bar jp-jhops-series-1');
    expect(histogram({ edges: [0, 1], counts: [] }, 'empty').textContent).toContain('no values');
  });
});
