/**
 * The sidebar's state: what the server last said, refreshed by a `Poll` that stands by while the panel is
 * hidden. Widgets read it and call its actions; only the client touches the network.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IComputeAnswer,
  IComputeSettings,
  IExperimentDetail,
  IExperimentSummary,
  IFeatureGroup,
  IFeatureGroupDetail,
  ISearchHit,
  IStatisticsAnswer,
  IStatus,
  JhopsClient
} from './api';

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
