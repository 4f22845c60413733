import { IClient, JhopsModel } from '../model';
import { JhopsRequestError } from '../request';
import { FRONTEND_VERSION } from '../version';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const pkg = require('../../../package.json');

const SETTINGS = {
  mode: 'experiment' as const,
  executor: 'local' as const,
  workers: 2,
  gpus_per_worker: 0,
  spark_master: null,
  memory_per_worker: '2g'
};

function fakeClient(overrides: Partial<Record<keyof IClient, jest.Mock>> = {}): Record<keyof IClient, jest.Mock> {
  return {
    status: jest.fn().mockResolvedValue({ version: FRONTEND_VERSION, project: '/p', executors: ['local'], python: '3' }),
    computeSettings: jest.fn().mockResolvedValue({ settings: SETTINGS, modes: {} }),
    saveComputeSettings: jest.fn(),
    experiments: jest.fn().mockResolvedValue([{ id: 1, state: 'RUNNING' }]),
    experiment: jest.fn().mockResolvedValue({ id: 1, state: 'RUNNING', trials: [] }),
    stopExperiment: jest.fn().mockResolvedValue({ id: 1 }),
    featureGroups: jest.fn().mockResolvedValue([{ name: 'iceberg', version: 1 }]),
    featureGroup: jest.fn().mockResolvedValue({ name: 'iceberg', version: 1, latest_commit: 0 }),
    statistics: jest.fn().mockResolvedValue({ commit: 0, statistics: { rows: 3 } }),
    search: jest.fn().mockResolvedValue([{ name: 'iceberg' }]),
    models: jest.fn().mockResolvedValue([{ name: 'iceberg-cnn', versions: [], latest: { version: 1 } }]),
    deployments: jest.fn().mockResolvedValue([{ name: 'iceberg', state: 'STOPPED' }]),
    deployment: jest.fn().mockResolvedValue({ name: 'iceberg', state: 'STOPPED', signature: {} }),
    deploymentAction: jest.fn().mockResolvedValue({ name: 'iceberg', state: 'RUNNING' }),
    predict: jest.fn().mockResolvedValue([0.9]),
    monitoring: jest.fn().mockResolvedValue({ requests: { count: 0 } }),
    ...overrides
  };
}

describe('JhopsModel', () => {
  it('keeps the front-end version equal to package.json', () => {
    expect(FRONTEND_VERSION).toBe(pkg.version);
  });

  it('refreshes everything the panel shows and signals the change', async () => {
    const client = fakeClient();
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    const seen: number[] = [];
    model.changed.connect(() => seen.push(1));

    await model.refresh();

    expect(model.experiments).toEqual([{ id: 1, state: 'RUNNING' }]);
    expect(model.featureGroups.map(g => g.name)).toEqual(['iceberg']);
    expect(model.compute?.settings).toEqual(SETTINGS);
    expect(model.versionMismatch).toBe(false);
    expect(seen.length).toBe(1);
    model.dispose();
  });

  it('flags a server of another version', async () => {
    const client = fakeClient({
      status: jest.fn().mockResolvedValue({ version: '9.9.9', project: '/p', executors: [], python: '3' })
    });
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    await model.refresh();
    expect(model.versionMismatch).toBe(true);
    model.dispose();
  });

  it('keeps the server message of refused settings, and does not lose the saved ones', async () => {
    const refused = new JhopsRequestError('workers must be a whole number from 1 to 1024, got 0', 400, new Response());
    const client = fakeClient({ saveComputeSettings: jest.fn().mockRejectedValue(refused) });
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    await model.refresh();

    const ok = await model.saveCompute({ ...SETTINGS, workers: 0 });

    expect(ok).toBe(false);
    expect(model.computeError).toContain('workers must be a whole number');
    expect(model.compute?.settings.workers).toBe(2);
    model.dispose();
  });

  it('selects an experiment, stops it, and refreshes the detail on the next poll', async () => {
    const client = fakeClient();
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    await model.selectExperiment(1);
    await model.stopExperiment(1);
    await model.refresh();
    expect(client.stopExperiment).toHaveBeenCalledWith(1);
    expect(client.experiment).toHaveBeenCalledTimes(2); // on select, and again on refresh
    expect(model.selectedExperiment?.id).toBe(1);
    model.dispose();
  });

  it('selects a group with its statistics, searches, and shows an error without throwing', async () => {
    const client = fakeClient({ featureGroup: jest.fn().mockRejectedValue(new Error('No feature group named x')) });
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    await model.search('band');
    expect(model.searchHits).toEqual([{ name: 'iceberg' }]);
    await model.search('  ');
    expect(model.searchHits).toBeNull();
    await model.selectGroup('x', 1);
    expect(model.error).toBe('No feature group named x');
    model.dispose();
  });

  it('stands by while hidden and polls again when shown', async () => {
    const client = fakeClient();
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION, 50);
    await new Promise(resolve => setTimeout(resolve, 200));
    const hiddenCalls = client.experiments.mock.calls.length;
    expect(hiddenCalls).toBe(0);
    model.setVisible(true);
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(client.experiments.mock.calls.length).toBeGreaterThan(hiddenCalls);
    model.dispose();
  });

  it('refreshes the models and deployments, and a selected deployment with its monitoring', async () => {
    const client = fakeClient();
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    await model.refresh();
    expect(model.models.map(m => m.name)).toEqual(['iceberg-cnn']);
    expect(model.deployments.map(d => d.state)).toEqual(['STOPPED']);
    await model.selectDeployment('iceberg');
    expect(model.selectedDeployment?.name).toBe('iceberg');
    expect(model.monitoring?.requests.count).toBe(0);
    await model.refresh();
    expect(client.deployment).toHaveBeenCalledTimes(2); // the open deployment is polled
    expect(client.monitoring).toHaveBeenCalledTimes(1); // its report reads the log: only on demand
    await model.selectDeployment(null);
    expect(model.selectedDeployment).toBeNull();
    expect(model.monitoring).toBeNull();
    model.dispose();
  });

  it('shows a deployment pending while it starts, then its new state', async () => {
    let finish: (value: unknown) => void = () => undefined;
    const client = fakeClient({
      deploymentAction: jest.fn().mockReturnValue(new Promise(resolve => (finish = resolve))),
      deployments: jest.fn().mockResolvedValue([{ name: 'iceberg', state: 'RUNNING' }])
    });
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    const action = model.deploymentAction('iceberg', 'start');
    expect(model.pending.has('iceberg')).toBe(true);
    finish({ name: 'iceberg', state: 'RUNNING' });
    await action;
    expect(model.pending.has('iceberg')).toBe(false);
    expect(client.deploymentAction).toHaveBeenCalledWith('iceberg', 'start');
    expect(model.deployments[0].state).toBe('RUNNING');
    model.dispose();
  });

  it('sends a test request, and says what is wrong with text that is not a list of instances', async () => {
    const client = fakeClient();
    const model = new JhopsModel(client as unknown as IClient, FRONTEND_VERSION);
    model.logFlushMs = 0;
    await model.selectDeployment('iceberg');
    await model.sendTestRequest('iceberg', '[[1, 2, 3]]');
    expect(client.predict).toHaveBeenCalledWith('iceberg', [[1, 2, 3]]);
    expect(model.testRequest).toEqual({ deployment: 'iceberg', instances: '[[1, 2, 3]]', predictions: [0.9], error: null });
    expect(client.monitoring).toHaveBeenCalledTimes(2); // read again after the request

    await model.sendTestRequest('iceberg', '[[1, 2');
    expect(model.testRequest?.error).toMatch(/^Not JSON/);
    await model.sendTestRequest('iceberg', '{"a": 1}');
    expect(model.testRequest?.error).toContain('JSON list of instances');
    expect(client.predict).toHaveBeenCalledTimes(1);

    const refusing = fakeClient({
      predict: jest.fn().mockRejectedValue(new JhopsRequestError('expected shape (None, 3)', 400, new Response()))
    });
    const other = new JhopsModel(refusing as unknown as IClient, FRONTEND_VERSION);
    other.logFlushMs = 0;
    await other.sendTestRequest('iceberg', '[[1]]');
    expect(other.testRequest?.error).toBe('expected shape (None, 3)');
    model.dispose();
    other.dispose();
  });
});
