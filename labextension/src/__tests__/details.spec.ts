/**
 * @jest-environment jsdom
 */
import { Widget } from '@lumino/widgets';

import { DetailPanel, detailTitle } from '../details';
import { IClient, JhopsModel } from '../model';
import { JhopsRequestError } from '../request';
import { FRONTEND_VERSION } from '../version';
import { deployment, experiment, group, report, statistics } from './fixtures';
import { click, hardCodedColours, text } from './see';

function client(): Record<string, jest.Mock> {
  return {
    experiment: jest.fn().mockResolvedValue(experiment({ id: 3, name: 'galata-run' })),
    stopExperiment: jest.fn().mockResolvedValue({}),
    experiments: jest.fn().mockResolvedValue([]),
    featureGroup: jest.fn().mockResolvedValue(group()),
    statistics: jest.fn().mockResolvedValue(statistics()),
    deployment: jest.fn().mockResolvedValue(deployment()),
    monitoring: jest.fn().mockResolvedValue(report()),
    predict: jest.fn().mockResolvedValue([[0.98]])
  };
}

const settle = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 0));

async function panel(kind: 'experiment' | 'feature-group' | 'deployment', id: string, fake = client()) {
  const model = new JhopsModel(fake as unknown as IClient, FRONTEND_VERSION);
  const widget = new DetailPanel(model, kind, id);
  Widget.attach(widget, document.body);
  await settle();
  return { model, widget, fake };
}

describe('DetailPanel', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows an experiment from the model, named in its tab title, and follows it', async () => {
    const { model, widget, fake } = await panel('experiment', '3');
    expect(widget.title.label).toBe('#3 galata-run');
    expect(widget.title.caption).toBe('Experiment #3 galata-run');
    const detail = widget.node.querySelector('.jp-jhops-experiment-detail')!;
    expect(detail.getAttribute('data-state')).toBe('RUNNING');
    expect(detail.querySelectorAll('svg.jp-jhops-chart polyline')).toHaveLength(3);
    expect(hardCodedColours(widget.node)).toEqual([]);

    fake.experiment.mockResolvedValue(experiment({ id: 3, name: 'galata-run', state: 'FINISHED' }));
    await model.refresh(); // its tab is visible: the poll reads it
    expect(widget.node.querySelector('.jp-jhops-experiment-detail')!.getAttribute('data-state')).toBe('FINISHED');
    widget.dispose();
    model.dispose();
  });

  it('stops a running experiment through the model', async () => {
    const { model, widget, fake } = await panel('experiment', '3');
    click(widget.node.querySelector('.jp-jhops-stop'));
    await settle();
    expect(fake.stopExperiment).toHaveBeenCalledWith(3);
    widget.dispose();
    model.dispose();
  });

  it('shows a feature group with its histograms', async () => {
    const { model, widget } = await panel('feature-group', 'iceberg/1');
    expect(widget.title.label).toBe('iceberg v1');
    expect(widget.node.querySelectorAll('svg.jp-jhops-histogram')).toHaveLength(2);
    expect(text(widget.node)).toContain('Statistics (1604 rows)');
    widget.dispose();
    model.dispose();
  });

  it('keeps what is typed in the test box, and an opened log, when a poll brings news', async () => {
    const { model, widget, fake } = await panel('deployment', 'iceberg');
    expect(widget.title.caption).toBe('Deployment iceberg');
    const box = widget.node.querySelector('.jp-jhops-test-input') as HTMLTextAreaElement;
    box.value = '[[1, 1,';
    (widget.node.querySelector('details') as HTMLDetailsElement).open = true; // the server log
    fake.deployment.mockResolvedValue(deployment({ log_tail: 'INFO started\nINFO one more line' }));
    await model.refresh();
    expect(widget.node.querySelector('details pre')!.textContent).toContain('one more line');
    expect((widget.node.querySelector('.jp-jhops-test-input') as HTMLTextAreaElement).value).toBe('[[1, 1,');
    expect((widget.node.querySelector('details') as HTMLDetailsElement).open).toBe(true);
    widget.dispose();
    model.dispose();
  });

  it('sends a test request and shows the answer', async () => {
    const { model, widget, fake } = await panel('deployment', 'iceberg');
    (widget.node.querySelector('.jp-jhops-test-input') as HTMLTextAreaElement).value = '[[1, 1, 1, 1]]';
    click(widget.node.querySelector('.jp-jhops-send'));
    await settle();
    await settle();
    expect(fake.predict).toHaveBeenCalledWith('iceberg', [[1, 1, 1, 1]]);
    expect(text(widget.node.querySelector('.jp-jhops-test-output')!)).toBe('[[0.98]]');
    widget.dispose();
    model.dispose();
  });

  it('says why its entity cannot be read', async () => {
    const fake = client();
    fake.deployment.mockRejectedValue(new JhopsRequestError('No deployment named gone', 404, {} as Response));
    const { model, widget } = await panel('deployment', 'gone', fake);
    expect(text(widget.node.querySelector('.jp-jhops-error')!)).toBe('No deployment named gone');
    widget.dispose();
    model.dispose();
  });

  it('is read while shown, and forgotten once closed', async () => {
    const { model, widget, fake } = await panel('experiment', '3');
    widget.hide();
    const calls = fake.experiment.mock.calls.length;
    await model.refresh();
    expect(fake.experiment.mock.calls.length).toBe(calls); // hidden: not read
    widget.show();
    await model.refresh();
    expect(fake.experiment.mock.calls.length).toBeGreaterThan(calls);
    widget.dispose();
    expect(model.openDetails).toEqual([]);
    model.dispose();
  });

  it('names the tab before the entity is read', () => {
    expect(detailTitle('feature-group', 'iceberg/2')).toEqual({ label: 'iceberg v2', caption: 'Feature group iceberg v2' });
    expect(detailTitle('experiment', '5').label).toBe('#5');
  });
});
