/**
 * @jest-environment jsdom
 */
import { IDeploymentDetail, IDeploymentStatus, IModel } from '../api';
import { deploymentDetail, exampleInstances, monitoringView, servingList, timeAxis } from '../serving';
import { deployment, report } from './fixtures';
import { click, hardCodedColours, roundSteps, text, tickLabels } from './see';

function withInput(shape: Array<number | null>, inputs = 1): IDeploymentDetail {
  const spec = { name: 'x', dtype: 'float32', shape };
  return { signature: { inputs: Array.from({ length: inputs }, () => spec) } } as unknown as IDeploymentDetail;
}

describe('exampleInstances', () => {
  it('fills the test box with a batch of one, zeros in the signature shape', () => {
    expect(exampleInstances(withInput([null, 4]))).toBe('[[0,0,0,0]]');
    expect(exampleInstances(withInput([null, 2, 2]))).toBe('[[[0,0],[0,0]]]');
  });

  it('leaves it empty where typing an example makes no sense', () => {
    expect(exampleInstances(withInput([null, 75, 75, 3]))).toBe(''); // a SAR chip: 16875 numbers
    expect(exampleInstances(withInput([null, null]))).toBe(''); // a variable axis
    expect(exampleInstances(withInput([null, 4], 2))).toBe(''); // several inputs
    expect(exampleInstances({ signature: {} } as unknown as IDeploymentDetail)).toBe('');
  });
});

const MODELS = [
  { name: 'iceberg-cnn', versions: [{}, {}], latest: { version: 2, framework: 'keras', metrics: { accuracy: 0.8612 } } }
] as unknown as IModel[];

function status(name: string, state: IDeploymentStatus['state']): IDeploymentStatus {
  return { ...deployment({ name, state }) };
}

describe('servingList', () => {
  it('lists models with their metrics and deployments with Start or Stop', () => {
    const on = { open: jest.fn(), action: jest.fn() };
    const list = servingList(MODELS, [status('iceberg', 'RUNNING'), status('canary', 'STOPPED')], new Set(), on);
    expect(text(list.querySelector('.jp-jhops-model-item')!)).toBe('iceberg-cnn v2 keras, 2 version(s)accuracy 0.8612');
    click(list.querySelector('[data-name="iceberg"] .jp-jhops-deployment-stop'));
    expect(on.action).toHaveBeenCalledWith('iceberg', 'stop');
    click(list.querySelector('[data-name="canary"] .jp-jhops-deployment-start'));
    expect(on.action).toHaveBeenCalledWith('canary', 'start');
    expect(on.open).not.toHaveBeenCalled(); // the buttons act, they do not open the tab
    click(list.querySelector('[data-name="canary"] .jp-jhops-name'));
    expect(on.open).toHaveBeenCalledWith('canary');
    expect(hardCodedColours(list)).toEqual([]);
  });

  it('shows a start or stop in flight instead of its button, and says how to begin', () => {
    const list = servingList([], [status('iceberg', 'STOPPED')], new Set(['iceberg']), { open: jest.fn(), action: jest.fn() });
    expect(list.querySelector('.jp-Button')).toBeNull();
    expect(text(list.querySelector('.jp-jhops-pending')!)).toBe('starting…');
    expect(text(list)).toContain('No models yet');
    expect(text(servingList([], [], new Set(), { open: jest.fn(), action: jest.fn() }))).toContain('No deployments yet');
  });
});

describe('deploymentDetail', () => {
  const on = () => ({ action: jest.fn(), send: jest.fn(), refresh: jest.fn() });

  it('shows the configuration and sends what is typed in the test box', () => {
    const callbacks = on();
    const detail = deploymentDetail(deployment(), false, null, report(), callbacks);
    expect(text(detail)).toContain('iceberg-cnn v2 · python · runtime python');
    expect(text(detail)).toContain('batching up to 8 within 5 ms · inference logging ALL');
    expect(text(detail.querySelector('.jp-jhops-url')!)).toBe('http://127.0.0.1:8501/v1/models/iceberg:predict');
    const box = detail.querySelector('.jp-jhops-test-input') as HTMLTextAreaElement;
    expect(box.value).toBe('[[0,0,0,0]]');
    box.value = '[[1, 1, 1, 1]]';
    click(detail.querySelector('.jp-jhops-send'));
    expect(callbacks.send).toHaveBeenCalledWith('iceberg', '[[1, 1, 1, 1]]');
    click(detail.querySelector('.jp-jhops-refresh'));
    expect(callbacks.refresh).toHaveBeenCalledWith('iceberg');
    click(detail.querySelector('.jp-jhops-deployment-stop'));
    expect(callbacks.action).toHaveBeenCalledWith('iceberg', 'stop');
  });

  it('shows the answer or the refusal of the last test request', () => {
    const answered = deploymentDetail(deployment(), false, { instances: '[[1,1,1,1]]', predictions: [[0.98]], error: null },
                                      null, on());
    expect(text(answered.querySelector('.jp-jhops-test-output')!)).toBe('[[0.98]]');
    expect((answered.querySelector('.jp-jhops-test-input') as HTMLTextAreaElement).value).toBe('[[1,1,1,1]]');
    expect(text(answered)).toContain('Reading the inference log…');
    const refused = deploymentDetail(deployment(), false, { instances: '[[1]]', predictions: null, error: 'expected shape (None, 4)' },
                                     null, on());
    expect(text(refused.querySelector('.jp-jhops-test-error')!)).toBe('expected shape (None, 4)');
  });

  it('offers no Send while stopped, and Start instead of Stop', () => {
    const stopped = deploymentDetail(deployment({ state: 'STOPPED' }), false, null, null, on());
    expect(stopped.querySelector('.jp-jhops-send')).toBeNull();
    expect(text(stopped)).toContain('start it to send requests');
    expect(stopped.querySelector('.jp-jhops-deployment-start')).not.toBeNull();
  });
});

describe('monitoringView', () => {
  it('shows traffic, latency and predictions over time on charts with time axes', () => {
    const view = monitoringView(report());
    expect(text(view)).toContain('60 requests (60 instances) · 0.170/s · errors 1 (1.7%)');
    expect(text(view.querySelector('.jp-jhops-latency')!)).toBe('latency p50 3.200 ms · p95 7.900 ms · p99 12.50 ms');
    const charts = [...view.querySelectorAll('svg.jp-jhops-chart')];
    expect(charts).toHaveLength(3); // request rate, latency, mean prediction
    for (const chart of charts) {
      expect(roundSteps(tickLabels(chart, 'x').map(Number))).toBe(true);
      expect(roundSteps(tickLabels(chart, 'y').map(Number))).toBe(true);
      expect(chart.querySelector('.jp-jhops-axis-title')!.textContent).toBe('minutes since start');
    }
    expect([...charts[1].querySelectorAll('polyline title')].map(t => t.textContent)).toEqual(['p50', 'p95', 'p99']);
    expect([...view.querySelectorAll('.jp-jhops-axis-title')].map(t => t.textContent)).toContain('ms');
    expect(view.querySelectorAll('svg.jp-jhops-histogram').length).toBeGreaterThanOrEqual(1);
    expect(hardCodedColours(view)).toEqual([]);
  });

  it('flags drifted features, with training and live histograms in two series colours', () => {
    const view = monitoringView(report());
    const rows = [...view.querySelectorAll('.jp-jhops-drift tbody tr')].map(r => [...r.querySelectorAll('td')].map(text));
    expect(rows[0]).toEqual(['inc_angle', '0.410', '0.300', '44.10', '39.20', 'DRIFT (psi+ks)']);
    expect(rows[1][5]).toBe('ok');
    const pair = view.querySelector('.jp-jhops-drift-pair')!;
    expect([...pair.querySelectorAll('figcaption')].map(text)).toEqual(['inc_angle: training', 'inc_angle: live']);
    const bars = [...pair.querySelectorAll('svg')].map(s => s.querySelector('rect')!.getAttribute('class'));
    expect(bars).toEqual(['jp-jhops-bar jp-jhops-series-0', 'jp-jhops-bar jp-jhops-series-1']);
  });

  it('says when the log may lack the last requests', () => {
    expect(monitoringView(report()).querySelector('.jp-jhops-log-note')).toBeNull();
    const note = 'the model server did not confirm it wrote every request: the last second may be missing';
    expect(text(monitoringView({ ...report(), log_note: note }).querySelector('.jp-jhops-log-note')!)).toBe(note);
  });

  it('says when there are no requests yet', () => {
    expect(text(monitoringView(report(0)))).toBe('No requests yet: send one with serving.predict("iceberg", ...).');
  });

  it('picks the time unit from the window', () => {
    expect(timeAxis(90)).toEqual([1, 'seconds since start']);
    expect(timeAxis(3600)).toEqual([60, 'minutes since start']);
    expect(timeAxis(86400)).toEqual([3600, 'hours since start']);
  });
});
