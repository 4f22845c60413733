/**
 * The jhops sidebar: the Compute, Experiments, Feature Store and Models & Serving sections over the model.
 * It holds the lists and their actions; an entity's detail opens in a main-area tab through `open`.
 */
import { SidePanel } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { computeForm } from './compute';
import { el, missingExtra } from './dom';
import { experimentList } from './experiments';
import { groupList } from './featurestore';
import { DetailKind, groupId, JhopsModel } from './model';
import { servingList } from './serving';

/** A section whose body the owner re-renders. */
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

/** Opens an entity's detail in a main-area tab (the `jhops:open-detail` command). */
export type OpenDetail = (kind: DetailKind, id: string) => void;

export class JhopsSidebar extends SidePanel {
  constructor(
    readonly model: JhopsModel,
    readonly open: OpenDetail
  ) {
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
    // Each list is rebuilt only when what it shows changes, so a poll does not replace a row under the pointer.
    if (this._changedSince('experiments', m.experiments)) {
      this._experiments.setContent(
        experimentList(m.experiments, {
          open: id => this.open('experiment', String(id)),
          stop: id => void m.stopExperiment(id)
        })
      );
    }
    const featureStore = m.hasExtra('featurestore');
    if (this._changedSince('groups', [m.featureGroups, m.searchHits, featureStore])) {
      this._search.hidden = !featureStore;
      this._fsBody.replaceChildren(
        featureStore
          ? groupList(m.featureGroups, m.searchHits, {
              open: (name, version) => this.open('feature-group', groupId(name, version))
            })
          : missingExtra('featurestore', 'The feature store')
      );
    }
    const serving = m.hasExtra('serving');
    if (this._changedSince('serving', [m.models, m.deployments, [...m.pending], serving])) {
      this._serving.setContent(
        servingList(
          m.models,
          m.deployments,
          m.pending,
          {
            open: name => this.open('deployment', name),
            action: (name, action) => void m.deploymentAction(name, action)
          },
          serving
        )
      );
    }
  }

  /** Whether `state` differs from what the part last showed (and remember it). */
  private _changedSince(part: string, state: unknown): boolean {
    const key = JSON.stringify(state);
    if (this._keys.get(part) === key) {
      return false;
    }
    this._keys.set(part, key);
    return true;
  }

  private _banner: Widget;
  private _compute = new Section('jhops-compute', 'Compute');
  private _experiments = new Section('jhops-experiments', 'Experiments');
  private _featureStore = new Section('jhops-featurestore', 'Feature Store');
  private _serving = new Section('jhops-serving', 'Models & Serving');
  private _search: HTMLInputElement;
  private _fsBody: HTMLElement;
  private _computeKey = '';
  private _keys = new Map<string, string>();
  private _saved = false;
}
