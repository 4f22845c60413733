/**
 * @jest-environment jsdom
 */
import { Widget } from '@lumino/widgets';

import { IClient, JhopsModel } from '../model';
import { JhopsSidebar } from '../sidebar';
import { FRONTEND_VERSION } from '../version';
import { deployment, group, summary } from './fixtures';
import { click, hardCodedColours, text } from './see';

function client(): Record<string, jest.Mock> {
  return {
    status: jest.fn().mockResolvedValue({ version: FRONTEND_VERSION, project: '/p', executors: ['local', 'spark'], python: '3' }),
    computeSettings: jest.fn().mockResolvedValue({
      settings: { mode: 'experiment', executor: 'local', workers: 2, gpus_per_worker: 0, spark_master: null, memory_per_worker: '2g' },
      modes: { experiment: 'Experiment', parallel: 'Parallel Experiments', distributed: 'Distributed Training' }
    }),
    experiments: jest.fn().mockResolvedValue([summary()]),
    stopExperiment: jest.fn().mockResolvedValue({}),
    featureGroups: jest.fn().mockResolvedValue([group()]),
    models: jest.fn().mockResolvedValue([]),
    deployments: jest.fn().mockResolvedValue([deployment({ state: 'STOPPED' })]),
    deploymentAction: jest.fn().mockResolvedValue({}),
    search: jest.fn().mockResolvedValue([])
  };
}

describe('JhopsSidebar', () => {
  it('lists, and opens details through the open command rather than in itself', async () => {
    const fake = client();
    const model = new JhopsModel(fake as unknown as IClient, FRONTEND_VERSION);
    const open = jest.fn();
    const sidebar = new JhopsSidebar(model, open);
    Widget.attach(sidebar, document.body);
    model.setVisible(true);
    await model.refresh();

    expect(text(sidebar.node.querySelector('.jp-jhops-compute')!)).toContain('not used yet');
    click(sidebar.node.querySelector('.jp-jhops-experiment-item'));
    click(sidebar.node.querySelector('.jp-jhops-group-item'));
    click(sidebar.node.querySelector('.jp-jhops-deployment-item'));
    expect(open.mock.calls).toEqual([
      ['experiment', '7'],
      ['feature-group', 'iceberg/1'],
      ['deployment', 'iceberg']
    ]);
    expect(sidebar.node.querySelectorAll('.jp-jhops-detail-body')).toHaveLength(0);

    click(sidebar.node.querySelector('.jp-jhops-experiment-item .jp-jhops-stop'));
    click(sidebar.node.querySelector('.jp-jhops-deployment-item .jp-jhops-deployment-start'));
    expect(fake.stopExperiment).toHaveBeenCalledWith(7);
    expect(fake.deploymentAction).toHaveBeenCalledWith('iceberg', 'start');
    expect(open).toHaveBeenCalledTimes(3); // the actions do not open tabs
    expect(hardCodedColours(sidebar.node)).toEqual([]);
    sidebar.dispose();
    model.dispose();
  });

  it('says which extra a section needs on a server installed without it, and does not ask for its lists', async () => {
    const fake = client();
    const extras = { spark: false, tensorflow: false, torch: false, serving: false, featurestore: false, models: false, tpe: false };
    fake.status.mockResolvedValue({ version: FRONTEND_VERSION, project: '/p', executors: ['local'], python: '3', extras });
    const model = new JhopsModel(fake as unknown as IClient, FRONTEND_VERSION);
    const sidebar = new JhopsSidebar(model, jest.fn());
    Widget.attach(sidebar, document.body);
    model.setVisible(true);
    await model.refresh();

    expect(fake.featureGroups).not.toHaveBeenCalled();
    expect(fake.deployments).not.toHaveBeenCalled();
    expect(model.error).toBeNull();
    const notes = [...sidebar.node.querySelectorAll('.jp-jhops-missing-extra')].map(text);
    expect(notes).toEqual([
      "The feature store needs the 'featurestore' extra of jhops: pip install 'jhops[featurestore]', then restart the Jupyter server.",
      "Model serving needs the 'serving' extra of jhops: pip install 'jhops[serving]', then restart the Jupyter server."
    ]);
    expect((sidebar.node.querySelector('.jp-jhops-search') as HTMLInputElement).hidden).toBe(true);
    expect(sidebar.node.querySelectorAll('.jp-jhops-experiment-item')).toHaveLength(1); // experiments need no extra
    sidebar.dispose();
    model.dispose();
  });
});
