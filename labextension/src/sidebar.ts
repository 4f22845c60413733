/**
 * The jhops sidebar: Compute, Experiments, Feature Store and Models & Serving sections over the model.
 */
import { SidePanel } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import {
  computeForm,
  deploymentDetail,
  el,
  experimentDetail,
  experimentList,
  groupDetail,
  groupList,
  servingList
} from './components';
import { JhopsModel } from './model';

/** A section whose body the owner re-renders; `render` returns the new content. */
class Section extends Widget {
  constructor(id: string, label: string) {
    super();
    this.id = id;
    this.addClass('jp-jhops-section');
    this.title.label = label;
  }

  setContent(content: HTMLElement): void {
    this.node.replaceChildren(content);
  }
}

export class JhopsSidebar extends SidePanel {
  constructor(readonly model: JhopsModel) {
    super();
    this.id = 'jhops-sidebar';
    this.addClass('jp-jhops-sidebar');
    this.title.caption = 'jhops: compute, experiments, feature store, models and serving';
    this._banner = new Widget({ node: el('div', { class: 'jp-jhops-banner' }) });
    this.header.addWidget(this._banner);
    this.addWidget(this._compute);
    this.addWidget(this._experiments);
    this._search = el('input', {
      class: 'jp-jhops-search',
      type: 'search',
      placeholder: 'Search features, groups, tags…'
    }) as HTMLInputElement;
    this._search.addEventListener('change', () => void model.search(this._search.value));
    this._fsBody = el('div', { class: 'jp-jhops-fs-body' });
    this._featureStore.node.replaceChildren(this._search, this._fsBody);
    this.addWidget(this._featureStore);
    this.addWidget(this._serving);
    model.changed.connect(this._render, this);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // A restored layout attaches the panel already shown, without an after-show message.
    this.model.setVisible(this.isVisible);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  private _render(): void {
    const m = this.model;
    this._banner.node.replaceChildren(
      ...(m.versionMismatch && m.status
        ? [el('div', { class: 'jp-jhops-warning' },
            `jhops server ${m.status.version} and front end ${m.frontendVersion} differ: reload the page after ` +
              'reinstalling, or restart the server.')]
        : []),
      ...(m.error ? [el('div', { class: 'jp-jhops-error' }, m.error)] : [])
    );
    // The form is rebuilt only when the saved settings change, so typing is never interrupted by a poll.
    const compute = m.compute;
    const key = JSON.stringify([compute, m.computeError]);
    if (compute && key !== this._computeKey) {
      this._computeKey = key;
      this._compute.setContent(
        computeForm(
          {
            settings: compute.settings,
            modes: compute.modes,
            executors: m.status?.executors ?? ['local'],
            error: m.computeError,
            saved: this._saved
          },
          settings => {
            this._saved = true;
            void m.saveCompute(settings);
          }
        )
      );
    }
    const callbacks = {
      select: (id: number | null) => void m.selectExperiment(id),
      stop: (id: number) => void m.stopExperiment(id)
    };
    this._experiments.setContent(
      m.selectedExperiment ? experimentDetail(m.selectedExperiment, callbacks) : experimentList(m.experiments, callbacks)
    );
    const fsCallbacks = { select: (name: string | null, version?: number) => void m.selectGroup(name, version) };
    this._fsBody.replaceChildren(
      m.selectedGroup
        ? groupDetail(m.selectedGroup, m.statistics, fsCallbacks)
        : groupList(m.featureGroups, m.searchHits, fsCallbacks)
    );
    const servingCallbacks = {
      select: (name: string | null) => void m.selectDeployment(name),
      action: (name: string, action: 'start' | 'stop') => void m.deploymentAction(name, action),
      send: (name: string, instances: string) => void m.sendTestRequest(name, instances),
      refresh: () => void m.refreshMonitoring()
    };
    const selected = m.selectedDeployment;
    // The detail holds a text box: rebuilt only when what it shows changes, so a poll never eats typing.
    const servingKey = JSON.stringify([m.models, m.deployments, selected, m.monitoring, m.testRequest, [...m.pending]]);
    if (servingKey !== this._servingKey) {
      this._servingKey = servingKey;
      const test = selected && m.testRequest?.deployment === selected.name ? m.testRequest : null;
      const typed = this._serving.node.querySelector<HTMLTextAreaElement>('.jp-jhops-test-input');
      const typedFor = typed?.closest<HTMLElement>('.jp-jhops-deployment-detail')?.dataset.name;
      this._serving.setContent(
        selected
          ? deploymentDetail(selected, m.pending.has(selected.name), test, m.monitoring, servingCallbacks)
          : servingList(m.models, m.deployments, m.pending, servingCallbacks)
      );
      const box = this._serving.node.querySelector<HTMLTextAreaElement>('.jp-jhops-test-input');
      if (box && typed && typedFor === selected?.name) {
        box.value = typed.value; // what the person was typing survives a state change
      }
    }
  }

  private _banner: Widget;
  private _compute = new Section('jhops-compute', 'Compute');
  private _experiments = new Section('jhops-experiments', 'Experiments');
  private _featureStore = new Section('jhops-featurestore', 'Feature Store');
  private _serving = new Section('jhops-serving', 'Models & Serving');
  private _search: HTMLInputElement;
  private _fsBody: HTMLElement;
  private _computeKey = '';
  private _servingKey = '';
  private _saved = false;
}
