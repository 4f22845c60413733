import { IClient, IDeploymentView, IGroupView, JhopsModel, parseGroupId } from '../model';
import { JhopsRequestError } from '../request';
import { FRONTEND_VERSION } from '../version';
import { deployment, experiment, group, report, statistics } from './fixtures';

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
    experiment: jest.fn().mockResolvedValue(experiment({ id: 1 })),
    stopExperiment: jest.fn().mockResolvedValue({ id: 1 }),
    featureGroups: jest.fn().mockResolvedValue([{ name: 'iceberg', version: 1 }]),
    featureGroup: jest.fn().mockResolvedValue(group()),
    statistics: jest.fn().mockResolvedValue(statistics(1)),
    search: jest.fn().mockResolvedValue([{ name: 'iceberg' }]),
    models: jest.fn().mockResolvedValue([{ name: 'iceberg-cnn', versions: [], latest: { version: 1 } }]),
    deployments: jest.fn().mockResolvedValue([{ name: 'iceberg', state: 'STOPPED' }]),
    deployment: jest.fn().mockResolvedValue(deployment({ state: 'STOPPED' })),
    deploymentAction: jest.fn().mockResolvedValue({ name: 'iceberg', state: 'RUNNING' }),
    predict: jest.fn().mockResolvedValue([0.9]),
    monitoring: jest.fn().mockResolvedValue(report(0)),
    ...overrides
  };
}

function modelOf(client: Record<keyof IClient, jest.Mock>, interval?: number): JhopsModel {
  return new JhopsModel(client as unknown as IClient, FRONTEND_VERSION, interval);
}

const settle = (ms = 0): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

describe('JhopsModel: the lists', () => {
  it('keeps the front-end version equal to package.json', () => {
    expect(FRONTEND_VERSION).toBe(pkg.version);
  });

  it('refreshes what the sidebar shows and signals the change', async () => {
    const client = fakeClient();
    const model = modelOf(client);
    const seen: number[] = [];
    model.changed.connect(() => seen.push(1));
    model.setVisible(true);
    await model.refresh();

    expect(model.experiments).toEqual([{ id: 1, state: 'RUNNING' }]);
    expect(model.featureGroups.map(g => g.name)).toEqual(['iceberg']);
    expect(model.models.map(m => m.name)).toEqual(['iceberg-cnn']);
    expect(model.deployments.map(d => d.state)).toEqual(['STOPPED']);
    expect(model.compute?.settings).toEqual(SETTINGS);
    expect(model.versionMismatch).toBe(false);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    model.dispose();
  });

  it('flags a server of another version', async () => {
    const client = fakeClient({
      status: jest.fn().mockResolvedValue({ version: '9.9.9', project: '/p', executors: [], python: '3' })
    });
    const model = modelOf(client);
    model.setVisible(true);
    await model.refresh();
    expect(model.versionMismatch).toBe(true);
    model.dispose();
  });

  it('keeps the server message of refused settings, and does not lose the saved ones', async () => {
    const refused = new JhopsRequestError('workers must be a whole number from 1 to 1024, got 0', 400, new Response());
    const client = fakeClient({ saveComputeSettings: jest.fn().mockRejectedValue(refused) });
    const model = modelOf(client);
    model.setVisible(true);
    await model.refresh();

    const ok = await model.saveCompute({ ...SETTINGS, workers: 0 });

    expect(ok).toBe(false);
    expect(model.computeError).toContain('workers must be a whole number');
    expect(model.compute?.settings.workers).toBe(2);
    model.dispose();
  });

  it('searches, and shows an error of a list without throwing', async () => {
    const client = fakeClient({ featureGroups: jest.fn().mockRejectedValue(new Error('the server is down')) });
    const model = modelOf(client);
    await model.search('band');
    expect(model.searchHits).toEqual([{ name: 'iceberg' }]);
    await model.search('  ');
    expect(model.searchHits).toBeNull();
    model.setVisible(true);
    await model.refresh();
    expect(model.error).toBe('the server is down');
    model.dispose();
  });

  it('stands by while nothing is shown, and polls again when the sidebar is', async () => {
    const client = fakeClient();
    const model = modelOf(client, 50);
    await settle(200);
    expect(client.experiments).not.toHaveBeenCalled();
    model.setVisible(true);
    await settle(200);
    expect(client.experiments.mock.calls.length).toBeGreaterThan(0);
    model.setVisible(false);
    await settle(100);
    const hidden = client.experiments.mock.calls.length;
    await settle(200);
    expect(client.experiments.mock.calls.length).toBe(hidden);
    model.dispose();
  });

  it('shows a deployment pending while it starts, then its new state, in the list and in its tab', async () => {
    let finish: (value: unknown) => void = () => undefined;
    const client = fakeClient({
      deploymentAction: jest.fn().mockReturnValue(new Promise(resolve => (finish = resolve))),
      deployments: jest.fn().mockResolvedValue([{ name: 'iceberg', state: 'RUNNING' }])
    });
    const model = modelOf(client);
    await model.openDetail('deployment', 'iceberg');
    client.deployment.mockResolvedValue(deployment({ state: 'RUNNING' }));
    const action = model.deploymentAction('iceberg', 'start');
    expect(model.pending.has('iceberg')).toBe(true);
    finish({ name: 'iceberg', state: 'RUNNING' });
    await action;
    expect(model.pending.has('iceberg')).toBe(false);
    expect(client.deploymentAction).toHaveBeenCalledWith('iceberg', 'start');
    expect(model.deployments[0].state).toBe('RUNNING');
    expect((model.detail('deployment', 'iceberg') as IDeploymentView).detail?.state).toBe('RUNNING');
    model.dispose();
  });
});

describe('JhopsModel: details in tabs', () => {
  it('reads a detail when its tab opens, keeps it while open, and forgets it when closed', async () => {
    const client = fakeClient();
    const model = modelOf(client);
    const view = await model.openDetail('experiment', '1');
    expect(client.experiment).toHaveBeenCalledWith(1);
    expect(view.kind === 'experiment' && view.detail?.name).toBe('iceberg-lr-grid');
    expect(model.openDetails).toEqual(['experiment:1']);
    await model.openDetail('experiment', '1'); // opening it again keeps one
    expect(model.openDetails).toEqual(['experiment:1']);
    model.closeDetail('experiment', '1');
    expect(model.detail('experiment', '1')).toBeUndefined();
    model.dispose();
  });

  it('polls the details of visible tabs only, even while the sidebar is hidden', async () => {
    const client = fakeClient();
    const model = modelOf(client, 50);
    await model.openDetail('experiment', '1');
    await model.openDetail('feature-group', 'iceberg/1');
    expect(client.experiment).toHaveBeenCalledTimes(1);
    model.setDetailVisible('experiment', '1', true);
    await settle(250);
    expect(client.experiment.mock.calls.length).toBeGreaterThan(2); // live
    expect(client.featureGroup).toHaveBeenCalledTimes(1); // its tab is behind another one
    expect(client.experiments).not.toHaveBeenCalled(); // the sidebar is hidden: no lists
    model.setDetailVisible('experiment', '1', false);
    await settle(100);
    const calls = client.experiment.mock.calls.length;
    await settle(200);
    expect(client.experiment.mock.calls.length).toBe(calls); // nothing visible: stand by
    model.dispose();
  });

  it('updates an open experiment as it runs, and after a stop', async () => {
    const client = fakeClient();
    const model = modelOf(client);
    await model.openDetail('experiment', '1');
    model.setDetailVisible('experiment', '1', true);
    client.experiment.mockResolvedValue(experiment({ id: 1, state: 'FINISHED' }));
    await model.refresh();
    expect(model.detail('experiment', '1')).toMatchObject({ detail: { state: 'FINISHED' } });
    client.experiment.mockResolvedValue(experiment({ id: 1, state: 'KILLED' }));
    await model.stopExperiment(1);
    expect(client.stopExperiment).toHaveBeenCalledWith(1);
    expect(model.detail('experiment', '1')).toMatchObject({ detail: { state: 'KILLED' } });
    model.dispose();
  });

  it("reads a group's statistics again only when it has a new commit", async () => {
    const client = fakeClient();
    const model = modelOf(client);
    await model.openDetail('feature-group', 'iceberg/1');
    model.setDetailVisible('feature-group', 'iceberg/1', true);
    expect(client.featureGroup).toHaveBeenCalledWith('iceberg', 1);
    await model.refresh();
    expect(client.statistics).toHaveBeenCalledTimes(1);
    client.featureGroup.mockResolvedValue(group({ latest_commit: 2 }));
    client.statistics.mockResolvedValue(statistics(2));
    await model.refresh();
    expect(client.statistics).toHaveBeenCalledTimes(2);
    expect((model.detail('feature-group', 'iceberg/1') as IGroupView).statistics?.commit).toBe(2);
    model.dispose();
  });

  it("says in the tab why its entity cannot be read", async () => {
    const gone = new JhopsRequestError('No feature group named x, version 1', 404, new Response());
    const client = fakeClient({ featureGroup: jest.fn().mockRejectedValue(gone) });
    const model = modelOf(client);
    const view = await model.openDetail('feature-group', 'x/1');
    expect(view.error).toBe('No feature group named x, version 1');
    expect(model.error).toBeNull(); // the sidebar's lists are fine
    model.dispose();
  });

  it("reads a running deployment's monitoring on opening, then every few seconds, not on every poll", async () => {
    const client = fakeClient({ deployment: jest.fn().mockResolvedValue(deployment({ state: 'RUNNING' })) });
    const model = modelOf(client);
    model.monitoringEveryMs = 60 * 60 * 1000;
    await model.openDetail('deployment', 'iceberg');
    model.setDetailVisible('deployment', 'iceberg', true);
    expect(client.monitoring).toHaveBeenCalledTimes(1);
    await model.refresh();
    expect(client.deployment).toHaveBeenCalledTimes(2); // the state is polled
    expect(client.monitoring).toHaveBeenCalledTimes(1); // the report reads the log: not that often
    model.monitoringEveryMs = 0;
    client.monitoring.mockResolvedValue(report(5));
    await model.refresh();
    expect(client.monitoring).toHaveBeenCalledTimes(2);
    expect((model.detail('deployment', 'iceberg') as IDeploymentView).monitoring?.requests.count).toBe(5);
    await model.refreshMonitoring('iceberg'); // the Refresh button
    expect(client.monitoring).toHaveBeenCalledTimes(3);
    model.dispose();
  });

  it('does not read a stopped deployment\'s monitoring again: it gets no traffic', async () => {
    const client = fakeClient();
    const model = modelOf(client);
    model.monitoringEveryMs = 0;
    await model.openDetail('deployment', 'iceberg');
    model.setDetailVisible('deployment', 'iceberg', true);
    await model.refresh();
    await model.refresh();
    expect(client.monitoring).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('sends a test request, and says what is wrong with text that is not a list of instances', async () => {
    const client = fakeClient();
    const model = modelOf(client);
    await model.openDetail('deployment', 'iceberg');
    await model.sendTestRequest('iceberg', '[[1, 2, 3]]');
    const view = model.detail('deployment', 'iceberg') as IDeploymentView;
    expect(client.predict).toHaveBeenCalledWith('iceberg', [[1, 2, 3]]);
    expect(view.testRequest).toEqual({ deployment: 'iceberg', instances: '[[1, 2, 3]]', predictions: [0.9], error: null });
    expect(client.monitoring).toHaveBeenCalledTimes(2); // read again after the request

    await model.sendTestRequest('iceberg', '[[1, 2');
    expect(view.testRequest?.error).toMatch(/^Not JSON/);
    await model.sendTestRequest('iceberg', '{"a": 1}');
    expect(view.testRequest?.error).toContain('JSON list of instances');
    expect(client.predict).toHaveBeenCalledTimes(1);

    const refusing = fakeClient({
      predict: jest.fn().mockRejectedValue(new JhopsRequestError('expected shape (None, 3)', 400, new Response()))
    });
    const other = modelOf(refusing);
    await other.openDetail('deployment', 'iceberg');
    await other.sendTestRequest('iceberg', '[[1]]');
    expect((other.detail('deployment', 'iceberg') as IDeploymentView).testRequest?.error).toBe('expected shape (None, 3)');
    model.dispose();
    other.dispose();
  });

  it('names a feature group NAME/VERSION', () => {
    expect(parseGroupId('iceberg/2')).toEqual(['iceberg', 2]);
    expect(() => parseGroupId('iceberg')).toThrow('NAME/VERSION, for example iceberg/1');
    expect(() => parseGroupId('iceberg/x')).toThrow('NAME/VERSION');
  });
});
