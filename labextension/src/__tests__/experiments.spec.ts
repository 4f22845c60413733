/**
 * @jest-environment jsdom
 */
import { experimentDetail, experimentList } from '../experiments';
import { experiment, summary } from './fixtures';
import { click, hardCodedColours, roundSteps, text, tickLabels } from './see';

describe('experimentList', () => {
  it('lists experiments with their state, progress and best value', () => {
    const list = experimentList(
      [summary(), summary({ id: 6, name: 'iceberg-cnn', state: 'FINISHED', best_metric: 0.8612,
                            progress: { ...summary().progress, done: 1, total: 1 } })],
      { open: jest.fn(), stop: jest.fn() }
    );
    const rows = [...list.querySelectorAll('.jp-jhops-experiment-item')];
    expect(rows.map(r => r.getAttribute('data-state'))).toEqual(['RUNNING', 'FINISHED']);
    expect(text(rows[0].querySelector('.jp-jhops-name')!)).toBe('#7 iceberg-lr-grid');
    expect(text(rows[0].querySelector('.jp-jhops-state')!)).toBe('RUNNING');
    expect(text(rows[0])).toContain('1/3, best accuracy 0.8100');
    expect((rows[0].querySelector('progress') as HTMLProgressElement).getAttribute('value')).toBe('1');
    expect(text(rows[1])).toContain('1/1, best accuracy 0.8612');
    expect(hardCodedColours(list)).toEqual([]);
  });

  it('opens an experiment on a click, and stops a running one from its row without opening it', () => {
    const on = { open: jest.fn(), stop: jest.fn() };
    const list = experimentList([summary(), summary({ id: 6, state: 'FINISHED' })], on);
    click(list.querySelector('[data-id="6"]'));
    expect(on.open).toHaveBeenCalledWith(6);
    expect(list.querySelector('[data-id="6"] .jp-jhops-stop')).toBeNull(); // nothing to stop
    click(list.querySelector('[data-id="7"] .jp-jhops-stop'));
    expect(on.stop).toHaveBeenCalledWith(7);
    expect(on.open).toHaveBeenCalledTimes(1);
  });

  it('says stopping once asked, and how to start when there is nothing', () => {
    const list = experimentList([summary({ stop_requested: 1767225700 })], { open: jest.fn(), stop: jest.fn() });
    expect(list.querySelector('.jp-jhops-stop')).toBeNull();
    expect(text(list)).toContain('stopping…');
    expect(text(experimentList([], { open: jest.fn(), stop: jest.fn() }))).toBe('No experiments yet: run a %%hops cell.');
  });
});

describe('experimentDetail', () => {
  it('shows the best trial, one curve per trial on axes with ticks, the trials and the shared parameters', () => {
    const detail = experimentDetail(experiment(), { stop: jest.fn() });
    expect(text(detail.querySelector('h2')!)).toBe('#7 iceberg-lr-grid RUNNING');
    expect(text(detail)).toContain('1/3 trials on 2 local worker(s)');
    expect(text(detail.querySelector('.jp-jhops-best')!)).toBe('best accuracy = 0.9000 with {"lr":0.01}');
    expect(text(detail.querySelector('.jp-jhops-shared')!)).toBe('every trial: batch=32');
    const chart = detail.querySelector('svg.jp-jhops-chart')!;
    expect(chart.querySelectorAll('polyline')).toHaveLength(3);
    expect(roundSteps(tickLabels(chart, 'x').map(Number))).toBe(true);
    expect(roundSteps(tickLabels(chart, 'y').map(Number))).toBe(true);
    expect(text(detail.querySelector('.jp-jhops-legend')!)).toBe('trial 0trial 1trial 2');
    const rows = [...detail.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(text));
    expect(rows[0]).toEqual(['0', 'FINISHED', '{"lr":0.01}', '0.9000', '12.3']);
    expect(rows[2]).toEqual(['2', 'RUNNING', '{"lr":0.0001}', '', '']);
    expect(hardCodedColours(detail)).toEqual([]);
  });

  it('says why each trial that did not finish ended', () => {
    const reason = 'at step 3 its best accuracy 0.612 was below the median 0.701 of the running averages of 5 finished trials';
    const e = experiment();
    e.trials[1] = { ...e.trials[1], state: 'EARLY_STOPPED', metrics: {}, error: reason };
    e.trials[2] = { ...e.trials[2], state: 'ERROR', error: 'Traceback (most recent call last):\nValueError: boom' };
    const endings = [...experimentDetail(e, { stop: jest.fn() }).querySelectorAll('.jp-jhops-ending summary')];
    expect(endings.map(text)).toEqual([`trial 1 EARLY_STOPPED: ${reason}`, 'trial 2 ERROR: ValueError: boom']);
  });

  it('draws the curves a run without a metric name reported under "metric"', () => {
    // A cell without --metric: bare values are recorded as "metric", the key comes from the returned dict.
    const e = experiment({ metric_key: 'acc' });
    e.trials = e.trials.map(t => ({ ...t, history: { metric: t.history.accuracy } }));
    const chart = experimentDetail(e, { stop: jest.fn() }).querySelector('svg.jp-jhops-chart')!;
    expect(chart.querySelectorAll('polyline')).toHaveLength(3);
  });

  it('has Stop while it runs, and none once it has ended', () => {
    const stop = jest.fn();
    click(experimentDetail(experiment(), { stop }).querySelector('.jp-jhops-stop'));
    expect(stop).toHaveBeenCalledWith(7);
    const ended = experimentDetail(experiment({ state: 'KILLED', error: 'stopped from the sidebar' }), { stop });
    expect(ended.querySelector('.jp-jhops-stop')).toBeNull();
    expect(ended.getAttribute('data-state')).toBe('KILLED');
    expect(text(ended.querySelector('.jp-jhops-error')!)).toBe('stopped from the sidebar');
  });

  it('shows the worker logs', () => {
    const base = experiment();
    const detail = experimentDetail(
      experiment({ progress: { ...base.progress, logs: [{ trial: 1, worker: 0, stream: 'stdout', text: 'epoch 3' },
                                                       { trial: null, worker: 1, stream: 'stderr', text: 'ready' }] } }),
      { stop: jest.fn() }
    );
    expect(detail.querySelector('.jp-jhops-logs')!.textContent).toBe('[trial 1] epoch 3\nready');
  });
});
