/**
 * The front end's state: what the server last said, refreshed by a `Poll` that stands by while nothing that
 * shows it is visible. The sidebar shows the lists; each main-area tab shows one entity's detail (an
 * experiment, a feature group version or a deployment), which the model keeps while the tab is open and
 * refreshes while the tab is visible. Widgets read the state and call the actions; only the client touches
 * the network.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IComputeAnswer,
  IComputeSettings,
  IDeploymentDetail,
  IDeploymentStatus,
  IExperimentDetail,
  IExperimentSummary,
  IFeatureGroup,
  IFeatureGroupDetail,
  IModel,
  IMonitoringReport,
  ISearchHit,
  IStatisticsAnswer,
  IStatus,
  JhopsClient
} from './api';

/** The kinds of entity a main-area tab shows. */
export type DetailKind = 'experiment' | 'feature-group' | 'deployment';

/** The kinds, for checking a command's arguments. */
export const DETAIL_KINDS: DetailKind[] = ['experiment', 'feature-group', 'deployment'];

/** The last test request of a deployment, and what came back. */
export interface ITestRequest {
  deployment: string;
  instances: string;
  predictions: unknown[] | null;
  error: string | null;
}

interface IDetailBase {
  /** `experiment` id, `feature-group` `name/version`, or `deployment` name. */
  id: string;
  /** Why the last read failed (the entity was deleted, the server is down), or null. */
  error: string | null;
}

export interface IExperimentView extends IDetailBase {
  kind: 'experiment';
  detail: IExperimentDetail | null;
}

export interface IGroupView extends IDetailBase {
  kind: 'feature-group';
  detail: IFeatureGroupDetail | null;
  statistics: IStatisticsAnswer | null;
}

export interface IDeploymentView extends IDetailBase {
  kind: 'deployment';
  detail: IDeploymentDetail | null;
  monitoring: IMonitoringReport | null;
  testRequest: ITestRequest | null;
}

/** What one open tab shows. */
export type IDetailView = IExperimentView | IGroupView | IDeploymentView;

/** The key of an entity's detail, e.g. `experiment:3`, `feature-group:iceberg/1`, `deployment:iceberg`. */
export function detailKey(kind: DetailKind, id: string): string {
  return `${kind}:${id}`;
}

/** The id of a feature group version in a detail key and in the open command's arguments. */
export function groupId(name: string, version: number): string {
  return `${name}/${version}`;
}

/** The name and version of a feature group id (`iceberg/1`); throws on anything else. */
export function parseGroupId(id: string): [string, number] {
  const at = id.lastIndexOf('/');
  const version = Number(id.slice(at + 1));
  if (at <= 0 || !Number.isInteger(version) || version < 1) {
    throw new Error(`A feature group is opened as NAME/VERSION, for example iceberg/1; got ${JSON.stringify(id)}`);
  }
  return [id.slice(0, at), version];
}

/** The subset of the client the model uses (a test passes a fake). */
export type IClient = Pick<
  JhopsClient,
  | 'status'
  | 'computeSettings'
  | 'saveComputeSettings'
  | 'experiments'
  | 'experiment'
  | 'stopExperiment'
  | 'featureGroups'
  | 'featureGroup'
  | 'statistics'
  | 'search'
  | 'models'
  | 'deployments'
  | 'deployment'
  | 'deploymentAction'
  | 'predict'
  | 'monitoring'
>;

export class JhopsModel {
  constructor(
    readonly client: IClient,
    readonly frontendVersion: string,
    interval = 2000
  ) {
    this._poll = new Poll({
      factory: () => this.refresh(),
      frequency: { interval, backoff: true, max: 30 * 1000 },
      // Stand by while neither the sidebar nor a detail tab is shown, and while the browser tab is hidden.
      standby: () => (!this._sidebarVisible && this._visibleDetails.size === 0) || 'when-hidden',
      name: 'jhops:model'
    });
  }

  /** Emitted whenever any part of the state changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  status: IStatus | null = null;
  compute: IComputeAnswer | null = null;
  computeError: string | null = null;
  experiments: IExperimentSummary[] = [];
  featureGroups: IFeatureGroup[] = [];
  searchHits: ISearchHit[] | null = null;
  models: IModel[] = [];
  deployments: IDeploymentStatus[] = [];
  /** How often an open deployment's monitoring report is read again while its tab is visible (it reads the log). */
  monitoringEveryMs = 5000;
  /** Deployments whose start or stop is in flight (the server answers once the model server is up or down). */
  pending = new Set<string>();
  /** The last error of a list refresh or an action, shown in the sidebar. */
  error: string | null = null;

  /** The server and the front end disagree on the version: the page should be reloaded. */
  get versionMismatch(): boolean {
    return this.status !== null && this.status.version !== this.frontendVersion;
  }

  get poll(): Poll {
    return this._poll;
  }

  /** Tell the model whether the sidebar is shown: its lists are read while it is. */
  setVisible(visible: boolean): void {
    this._sidebarVisible = visible;
    if (visible) {
      void this._poll.refresh();
    }
  }

  /** The detail an open tab shows, if that tab is open. */
  detail(kind: DetailKind, id: string): IDetailView | undefined {
    return this._details.get(detailKey(kind, id));
  }

  /** The keys of the open details. */
  get openDetails(): string[] {
    return [...this._details.keys()];
  }

  /** Keep an entity's detail while its tab is open, and read it now. A feature group's id is `name/version`. */
  async openDetail(kind: DetailKind, id: string): Promise<IDetailView> {
    const key = detailKey(kind, id);
    let view = this._details.get(key);
    if (view === undefined) {
      view =
        kind === 'experiment'
          ? { kind, id, detail: null, error: null }
          : kind === 'feature-group'
            ? { kind, id, detail: null, statistics: null, error: null }
            : { kind, id, detail: null, monitoring: null, testRequest: null, error: null };
      this._details.set(key, view);
      this._changed.emit();
    }
    await this._load(view);
    return view;
  }

  /** Forget a detail (its tab closed). */
  closeDetail(kind: DetailKind, id: string): void {
    const key = detailKey(kind, id);
    this._visibleDetails.delete(key);
    this._monitoringRead.delete(key);
    if (this._details.delete(key)) {
      this._changed.emit();
    }
  }

  /** Tell the model whether a detail's tab is shown: shown details are read on every poll. */
  setDetailVisible(kind: DetailKind, id: string, visible: boolean): void {
    const key = detailKey(kind, id);
    if (visible && this._details.has(key)) {
      this._visibleDetails.add(key);
      void this._poll.refresh();
    } else {
      this._visibleDetails.delete(key);
    }
  }

  /**
   * Whether the server has the optional part `extra` of jhops (`pip install 'jhops[extra]'`); true until the
   * status says otherwise, and for a server too old to say.
   */
  hasExtra(extra: 'featurestore' | 'serving'): boolean {
    return this.status?.extras?.[extra] !== false;
  }

  /** Read what the visible sidebar and tabs show once. */
  async refresh(): Promise<void> {
    if (this._sidebarVisible) {
      try {
        if (this.status === null) {
          this.status = await this.client.status();
        }
        if (this.compute === null) {
          this.compute = await this.client.computeSettings();
        }
        this.experiments = await this.client.experiments();
        // A part whose extra the server lacks would only answer 501: its section says what to install instead.
        this.featureGroups = this.hasExtra('featurestore') ? await this.client.featureGroups() : [];
        this.models = await this.client.models();
        this.deployments = this.hasExtra('serving') ? await this.client.deployments() : [];
        this.error = null;
      } catch (reason) {
        this.error = messageOf(reason);
      }
    }
    for (const key of [...this._visibleDetails]) {
      const view = this._details.get(key);
      if (view) {
        await this._load(view, false);
      }
    }
    this._changed.emit();
  }

  async saveCompute(settings: IComputeSettings): Promise<boolean> {
    try {
      this.compute = await this.client.saveComputeSettings(settings);
      this.computeError = null;
      return true;
    } catch (reason) {
      this.computeError = messageOf(reason);
      return false;
    } finally {
      this._changed.emit();
    }
  }

  /** Ask a running experiment to stop; the list and its open tab show it stopping. */
  async stopExperiment(id: number): Promise<void> {
    await this._act(async () => {
      await this.client.stopExperiment(id);
      this.experiments = await this.client.experiments();
    });
    const view = this._details.get(detailKey('experiment', String(id)));
    if (view) {
      await this._load(view);
    }
  }

  async search(text: string): Promise<void> {
    await this._act(async () => {
      this.searchHits = text.trim() ? await this.client.search(text) : null;
    });
  }

  /** Read a deployment's monitoring report again (it reads the inference log: polled only every few seconds). */
  async refreshMonitoring(name: string): Promise<void> {
    const view = this._details.get(detailKey('deployment', name)) as IDeploymentView | undefined;
    if (view) {
      await this._readMonitoring(view);
      this._changed.emit();
    }
  }

  /** Start or stop a deployment; the list and its tab show it pending until the server has answered. */
  async deploymentAction(name: string, action: 'start' | 'stop'): Promise<void> {
    this.pending.add(name);
    this._changed.emit();
    try {
      await this._act(async () => {
        await this.client.deploymentAction(name, action);
      });
    } finally {
      this.pending.delete(name);
      await this._act(async () => {
        this.deployments = await this.client.deployments();
      });
      const view = this._details.get(detailKey('deployment', name));
      if (view) {
        await this._load(view);
      }
    }
  }

  /**
   * Send the JSON text of a list of instances to a running deployment. A text that is not a JSON list, or a
   * request the model refuses, ends in the test request's `error`; the monitoring report is read again after it.
   */
  async sendTestRequest(name: string, text: string): Promise<void> {
    // Sent from the deployment's tab, whose detail is open; a test request from elsewhere opens it.
    const view = (this._details.get(detailKey('deployment', name)) ??
      (await this.openDetail('deployment', name))) as IDeploymentView;
    const answer = (predictions: unknown[] | null, error: string | null): void => {
      view.testRequest = { deployment: name, instances: text, predictions, error };
      this._changed.emit();
    };
    let instances: unknown;
    try {
      instances = JSON.parse(text);
    } catch (reason) {
      answer(null, `Not JSON: ${messageOf(reason)}`);
      return;
    }
    if (!Array.isArray(instances) || instances.length === 0) {
      answer(null, 'Give a JSON list of instances, for example [[5.1, 3.5, 1.4, 0.2]]');
      return;
    }
    try {
      answer(await this.client.predict(name, instances), null);
    } catch (reason) {
      answer(null, messageOf(reason));
    }
    // The monitoring route has the model server write its inference log first: the report counts this request.
    await this.refreshMonitoring(name);
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** Read one detail; `emit` false when the caller signals once for several. */
  private async _load(view: IDetailView, emit = true): Promise<void> {
    try {
      if (view.kind === 'experiment') {
        view.detail = await this.client.experiment(Number(view.id));
      } else if (view.kind === 'feature-group') {
        const [name, version] = parseGroupId(view.id);
        view.detail = await this.client.featureGroup(name, version);
        // Statistics belong to a commit: read them again only when there is a new one.
        const commit = view.detail.latest_commit;
        if (commit === null) {
          view.statistics = null;
        } else if (view.statistics?.commit !== commit) {
          view.statistics = await this.client.statistics(name, version);
        }
      } else {
        view.detail = await this.client.deployment(view.id);
        const key = detailKey(view.kind, view.id);
        const last = this._monitoringRead.get(key);
        // A running deployment gets traffic: its report is read again every few seconds while its tab shows.
        const due =
          last === undefined || (view.detail.state === 'RUNNING' && Date.now() - last >= this.monitoringEveryMs);
        if (due) {
          await this._readMonitoring(view);
        }
      }
      view.error = null;
    } catch (reason) {
      view.error = messageOf(reason);
    }
    if (emit) {
      this._changed.emit();
    }
  }

  private async _readMonitoring(view: IDeploymentView): Promise<void> {
    this._monitoringRead.set(detailKey(view.kind, view.id), Date.now());
    try {
      view.monitoring = await this.client.monitoring(view.id);
      view.error = null;
    } catch (reason) {
      view.error = messageOf(reason);
    }
  }

  private async _act(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.error = null;
    } catch (reason) {
      this.error = messageOf(reason);
    }
    this._changed.emit();
  }

  private _poll: Poll;
  private _sidebarVisible = false;
  private _details = new Map<string, IDetailView>();
  private _visibleDetails = new Set<string>();
  private _monitoringRead = new Map<string, number>();
  private _changed = new Signal<this, void>(this);
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
