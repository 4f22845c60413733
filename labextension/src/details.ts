/**
 * One entity's detail in a main-area tab: an experiment, a feature group version or a deployment. It renders
 * from the model's state, tells the model while it is shown (so the poll reads it), and does no network itself.
 */
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { el } from './dom';
import { experimentDetail } from './experiments';
import { groupDetail } from './featurestore';
import { DetailKind, IDetailView, JhopsModel } from './model';
import { deploymentDetail } from './serving';

/** What a tab is called before its entity is read, and after. */
export function detailTitle(kind: DetailKind, id: string, view?: IDetailView): { label: string; caption: string } {
  if (kind === 'experiment') {
    const name = view?.kind === 'experiment' && view.detail ? ` ${view.detail.name}` : '';
    return { label: `#${id}${name}`, caption: `Experiment #${id}${name}` };
  }
  if (kind === 'feature-group') {
    const label = id.replace(/\/(\d+)$/, ' v$1');
    return { label, caption: `Feature group ${label}` };
  }
  return { label: id, caption: `Deployment ${id}` };
}

export class DetailPanel extends Widget {
  constructor(
    readonly model: JhopsModel,
    readonly kind: DetailKind,
    readonly entityId: string
  ) {
    super();
    this.addClass('jp-jhops-detail');
    this.addClass(`jp-jhops-detail-${kind}`);
    this.node.dataset.kind = kind;
    this.node.dataset.id = entityId;
    this.node.tabIndex = -1;
    this._setTitle();
    this.node.replaceChildren(el('p', { class: 'jp-jhops-empty' }, 'Reading…'));
    model.changed.connect(this._render, this);
    void model.openDetail(kind, entityId);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.changed.disconnect(this._render, this);
    this.model.closeDetail(this.kind, this.entityId);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setDetailVisible(this.kind, this.entityId, this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setDetailVisible(this.kind, this.entityId, false);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setDetailVisible(this.kind, this.entityId, true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setDetailVisible(this.kind, this.entityId, false);
  }

  private _setTitle(): void {
    const { label, caption } = detailTitle(this.kind, this.entityId, this.model.detail(this.kind, this.entityId));
    this.title.label = label;
    this.title.caption = caption;
  }

  private _render(): void {
    const view = this.model.detail(this.kind, this.entityId);
    if (!view) {
      return;
    }
    const pending = view.kind === 'deployment' && this.model.pending.has(view.id);
    // Rebuilt only when what it shows changes, so a poll never eats typing, a scroll position or an open log.
    const key = JSON.stringify([view, pending]);
    if (key === this._key) {
      return;
    }
    this._key = key;
    this._setTitle();
    const m = this.model;
    let body: HTMLElement | null = null;
    if (view.kind === 'experiment' && view.detail) {
      body = experimentDetail(view.detail, { stop: id => void m.stopExperiment(id) });
    } else if (view.kind === 'feature-group' && view.detail) {
      body = groupDetail(view.detail, view.statistics);
    } else if (view.kind === 'deployment' && view.detail) {
      const test = view.testRequest;
      body = deploymentDetail(view.detail, pending, test, view.monitoring, {
        action: (name, action) => void m.deploymentAction(name, action),
        send: (name, instances) => void m.sendTestRequest(name, instances),
        refresh: name => void m.refreshMonitoring(name)
      });
    }
    const typed = this.node.querySelector<HTMLTextAreaElement>('.jp-jhops-test-input');
    const typing = typed !== null && document.activeElement === typed;
    const open = new Map(
      [...this.node.querySelectorAll('details')].map(d => [d.querySelector('summary')?.textContent ?? '', d.open])
    );
    const scroll = this.node.scrollTop;
    this.node.replaceChildren(
      ...(view.error ? [el('div', { class: 'jp-jhops-error' }, view.error)] : []),
      body ?? el('p', { class: 'jp-jhops-empty' }, view.error ? '' : 'Reading…')
    );
    for (const d of this.node.querySelectorAll('details')) {
      const was = open.get(d.querySelector('summary')?.textContent ?? '');
      if (was !== undefined) {
        d.open = was;
      }
    }
    const box = this.node.querySelector<HTMLTextAreaElement>('.jp-jhops-test-input');
    if (box && typed) {
      box.value = typed.value; // what the person was typing survives a state change
      if (typing) {
        box.focus();
        box.setSelectionRange(typed.selectionStart, typed.selectionEnd);
      }
    }
    this.node.scrollTop = scroll;
  }

  private _key = '';
}
