/**
 * The sidebar's state: what the server last said, refreshed by a `Poll` that stands by while the panel is
 * hidden. Widgets read it and call its actions; only the client touches the network.
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

/** The last test request of the selected deployment, and what came back. */
export interface ITestRequest {
  deployment: string;
  instances: string;
  predictions: unknown[] | null;
  error: string | null;
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
      // Stand by while the panel is hidden, and while the browser tab is.
      standby: () => !this._visible || 'when-hidden',
      name: 'jhops:sidebar'
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
  selectedExperiment: IExperimentDetail | null = null;
  featureGroups: IFeatureGroup[] = [];
  selectedGroup: IFeatureGroupDetail | null = null;
  statistics: IStatisticsAnswer | null = null;
  searchHits: ISearchHit[] | null = null;
  models: IModel[] = [];
  deployments: IDeploymentStatus[] = [];
  selectedDeployment: IDeploymentDetail | null = null;
  monitoring: IMonitoringReport | null = null;
  testRequest: ITestRequest | null = null;
  /** How long after a test request its record reaches the inference log (the server flushes every second). */
  logFlushMs = 1500;
  /** Deployments whose start or stop is in flight (the server answers once the model server is up or down). */
  pending = new Set<string>();
  /** The last error of a refresh or an action, shown in the panel. */
  error: string | null = null;

  /** The server and the front end disagree on the version: the page should be reloaded. */
  get versionMismatch(): boolean {
    return this.status !== null && this.status.version !== this.frontendVersion;
  }

  get poll(): Poll {
    return this._poll;
  }

  /** Tell the model whether the panel is shown: the poll stands by while it is hidden. */
  setVisible(visible: boolean): void {
    this._visible = visible;
    if (visible) {
      void this._poll.refresh();
    }
  }

  /** Read everything the panel shows once. */
  async refresh(): Promise<void> {
    try {
      if (this.status === null) {
        this.status = await this.client.status();
      }
      if (this.compute === null) {
        this.compute = await this.client.computeSettings();
      }
      this.experiments = await this.client.experiments();
      if (this.selectedExperiment !== null) {
        this.selectedExperiment = await this.client.experiment(this.selectedExperiment.id);
      }
      this.featureGroups = await this.client.featureGroups();
      this.models = await this.client.models();
      this.deployments = await this.client.deployments();
      if (this.selectedDeployment !== null) {
        this.selectedDeployment = await this.client.deployment(this.selectedDeployment.name);
      }
      this.error = null;
    } catch (reason) {
      this.error = messageOf(reason);
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

  async selectExperiment(id: number | null): Promise<void> {
    await this._act(async () => {
      this.selectedExperiment = id === null ? null : await this.client.experiment(id);
    });
  }

  async stopExperiment(id: number): Promise<void> {
    await this._act(async () => {
      await this.client.stopExperiment(id);
      this.experiments = await this.client.experiments();
    });
  }

  async selectGroup(name: string | null, version?: number): Promise<void> {
    await this._act(async () => {
      if (name === null || version === undefined) {
        this.selectedGroup = null;
        this.statistics = null;
        return;
      }
      this.selectedGroup = await this.client.featureGroup(name, version);
      this.statistics =
        this.selectedGroup.latest_commit === null ? null : await this.client.statistics(name, version);
    });
  }

  async search(text: string): Promise<void> {
    await this._act(async () => {
      this.searchHits = text.trim() ? await this.client.search(text) : null;
    });
  }

  /** Open a deployment with its monitoring report, or go back to the list (null). */
  async selectDeployment(name: string | null): Promise<void> {
    await this._act(async () => {
      if (name === null) {
        this.selectedDeployment = null;
        this.monitoring = null;
        return;
      }
      this.selectedDeployment = await this.client.deployment(name);
      this.monitoring = await this.client.monitoring(name);
    });
  }

  /** Read the selected deployment's monitoring report again (it reads the inference log: not polled). */
  async refreshMonitoring(): Promise<void> {
    const name = this.selectedDeployment?.name;
    if (name !== undefined) {
      await this._act(async () => {
        this.monitoring = await this.client.monitoring(name);
      });
    }
  }

  /** Start or stop a deployment; the list shows it pending until the server has answered. */
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
        if (this.selectedDeployment?.name === name) {
          this.selectedDeployment = await this.client.deployment(name);
        }
      });
    }
  }

  /**
   * Send the JSON text of a list of instances to a running deployment. A text that is not a JSON list, or a
   * request the model refuses, ends in `testRequest.error`; the monitoring report is read again after it.
   */
  async sendTestRequest(name: string, text: string): Promise<void> {
    let instances: unknown;
    try {
      instances = JSON.parse(text);
    } catch (reason) {
      this.testRequest = { deployment: name, instances: text, predictions: null, error: `Not JSON: ${messageOf(reason)}` };
      this._changed.emit();
      return;
    }
    if (!Array.isArray(instances) || instances.length === 0) {
      this.testRequest = {
        deployment: name,
        instances: text,
        predictions: null,
        error: 'Give a JSON list of instances, for example [[5.1, 3.5, 1.4, 0.2]]'
      };
      this._changed.emit();
      return;
    }
    try {
      const predictions = await this.client.predict(name, instances);
      this.testRequest = { deployment: name, instances: text, predictions, error: null };
    } catch (reason) {
      this.testRequest = { deployment: name, instances: text, predictions: null, error: messageOf(reason) };
    }
    this._changed.emit();
    // The model server writes its inference log about once a second: read the report once the request is in it.
    await new Promise(resolve => setTimeout(resolve, this.logFlushMs));
    await this.refreshMonitoring();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
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
  private _visible = false;
  private _changed = new Signal<this, void>(this);
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
