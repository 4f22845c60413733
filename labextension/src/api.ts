/**
 * A typed client of the jhops server extension. Widgets use this, never `fetch` or URLs.
 *
 * The types are those of the REST contract, `jhops/server/openapi.yaml`: `schema.ts` is generated from it
 * (`jlpm build:schema`, checked by a test), and the names below are aliases of its schemas.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import type { components } from './schema';

type Schemas = components['schemas'];

/** An executor that can run trials: mirrors the names the Python side reports. */
export type ExecutorName = Schemas['ExecutorName'];

/** `GET /jhops/status`: the version, the project root and the executors of the server extension. */
export type IStatus = Schemas['Status'];

/** The launch mode of a bare `%%hops` cell. */
export type LaunchMode = Schemas['LaunchMode'];

/** `jhops.compute.settings.ComputeSettings`. */
export type IComputeSettings = Schemas['ComputeSettings'];

/** `GET|PUT /jhops/compute`: the settings and the modes with their labels. */
export type IComputeAnswer = Schemas['ComputeAnswer'];

export type ExperimentState = Schemas['ExperimentState'];
export type TrialState = Schemas['TrialState'];

/** A worker log line the driver published. */
export type ILogLine = Schemas['LogLine'];

/** An experiment's progress: trials done out of planned, by state, and the best so far. */
export type IProgress = Schemas['Progress'];

/** `GET /jhops/experiments` items. */
export type IExperimentSummary = Schemas['ExperimentSummary'];

/** A trial as `Trial.to_dict` writes it; `history` maps a metric to `[step, value]` pairs. */
export type ITrial = Schemas['Trial'];

/** `GET /jhops/experiments/{id}`. */
export type IExperimentDetail = Schemas['ExperimentDetail'];

/** A feature of a group's schema. */
export type IFeature = Schemas['Feature'];

/** `GET /jhops/featurestore/groups` items. */
export type IFeatureGroup = Schemas['FeatureGroup'];

/** `GET /jhops/featurestore/groups/{name}/{version}`. */
export type IFeatureGroupDetail = Schemas['FeatureGroupDetail'];

/** A histogram: `edges` has one more value than `counts`. */
export type IHistogram = Schemas['Histogram'];

/** `GET .../statistics`: `jhops.featurestore.statistics.compute_statistics` of a commit. */
export type IStatisticsAnswer = Schemas['StatisticsAnswer'];

/** `GET /jhops/featurestore/search?q=` hits. */
export type ISearchHit = Schemas['SearchHit'];

/** A tensor of a model signature: `shape` has `null` for the batch axis and any variable axis. */
export type ITensorSpec = Schemas['TensorSpec'];

/** `GET /jhops/models/{name}/{version}`: `jhops.models.ModelVersion.to_dict`. */
export type IModelVersion = Schemas['ModelVersion'];

/** `GET /jhops/models`: one model with its versions, the newest last. */
export type IModel = Schemas['Model'];

export type DeploymentState = Schemas['DeploymentState'];

/** `GET /jhops/deployments` items: `jhops.serving.DeploymentStatus.to_json`. */
export type IDeploymentStatus = Schemas['DeploymentStatus'];

/** `GET /jhops/deployments/{name}`: the status and the deployment's configuration. */
export type IDeploymentDetail = Schemas['DeploymentDetail'];

/** One time bucket of a monitoring report. */
export type IMonitoringBucket = Schemas['MonitoringBucket'];

/** The drift of one input feature (or one per-chip summary of an image band) against the training data. */
export type IFeatureDrift = Schemas['FeatureDrift'];

/** `GET /jhops/deployments/{name}/monitoring`: `jhops.serving.monitoring.MonitoringReport.to_dict`. */
export type IMonitoringReport = Schemas['MonitoringReport'];

export class JhopsClient {
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** The server extension's version, project root and executors. */
  status(): Promise<IStatus> {
    return requestAPI<IStatus>('status', { method: 'GET' }, this.settings);
  }

  /** The saved launch settings and the modes' labels. */
  computeSettings(): Promise<IComputeAnswer> {
    return requestAPI<IComputeAnswer>('compute', { method: 'GET' }, this.settings);
  }

  /** Validate and save launch settings; rejects with the server's message (400) when they are invalid. */
  saveComputeSettings(settings: IComputeSettings): Promise<IComputeAnswer> {
    return requestAPI<IComputeAnswer>(
      'compute',
      { method: 'PUT', body: JSON.stringify(settings) },
      this.settings
    );
  }

  /** Experiments with live progress, running ones first. */
  async experiments(limit = 50): Promise<IExperimentSummary[]> {
    const answer = await requestAPI<{ experiments: IExperimentSummary[] }>(
      `experiments?limit=${limit}`,
      { method: 'GET' },
      this.settings
    );
    return answer.experiments;
  }

  experiment(id: number): Promise<IExperimentDetail> {
    return requestAPI<IExperimentDetail>(`experiments/${id}`, { method: 'GET' }, this.settings);
  }

  /** Ask a running experiment to stop (it ends KILLED); rejects with 409 when it has ended. */
  stopExperiment(id: number): Promise<IExperimentSummary> {
    return requestAPI<IExperimentSummary>(`experiments/${id}`, { method: 'DELETE' }, this.settings);
  }

  async featureGroups(): Promise<IFeatureGroup[]> {
    const answer = await requestAPI<{ feature_groups: IFeatureGroup[] }>(
      'featurestore/groups',
      { method: 'GET' },
      this.settings
    );
    return answer.feature_groups;
  }

  featureGroup(name: string, version: number): Promise<IFeatureGroupDetail> {
    return requestAPI<IFeatureGroupDetail>(
      URLExt.join('featurestore/groups', encodeURIComponent(name), String(version)),
      { method: 'GET' },
      this.settings
    );
  }

  statistics(name: string, version: number, commit?: number): Promise<IStatisticsAnswer> {
    const query = commit === undefined ? '' : `?commit=${commit}`;
    return requestAPI<IStatisticsAnswer>(
      URLExt.join('featurestore/groups', encodeURIComponent(name), String(version), 'statistics') + query,
      { method: 'GET' },
      this.settings
    );
  }

  async search(text: string): Promise<ISearchHit[]> {
    const answer = await requestAPI<{ query: string; hits: ISearchHit[] }>(
      `featurestore/search?q=${encodeURIComponent(text)}`,
      { method: 'GET' },
      this.settings
    );
    return answer.hits;
  }

  async models(): Promise<IModel[]> {
    const answer = await requestAPI<{ models: IModel[] }>('models', { method: 'GET' }, this.settings);
    return answer.models;
  }

  async deployments(): Promise<IDeploymentStatus[]> {
    const answer = await requestAPI<{ deployments: IDeploymentStatus[] }>(
      'deployments',
      { method: 'GET' },
      this.settings
    );
    return answer.deployments;
  }

  deployment(name: string): Promise<IDeploymentDetail> {
    return requestAPI<IDeploymentDetail>(
      URLExt.join('deployments', encodeURIComponent(name)),
      { method: 'GET' },
      this.settings
    );
  }

  /** Start or stop a deployment's model server; resolves once it is RUNNING (or STOPPED). */
  deploymentAction(name: string, action: 'start' | 'stop'): Promise<IDeploymentStatus> {
    return requestAPI<IDeploymentStatus>(
      URLExt.join('deployments', encodeURIComponent(name), action),
      { method: 'POST' },
      this.settings
    );
  }

  /** A test request (V1 instances) to a running deployment; rejects with the server's 400 message. */
  async predict(name: string, instances: unknown[]): Promise<unknown[]> {
    const answer = await requestAPI<{ predictions: unknown[] }>(
      URLExt.join('deployments', encodeURIComponent(name), 'predict'),
      { method: 'POST', body: JSON.stringify({ instances }) },
      this.settings
    );
    return answer.predictions;
  }

  monitoring(name: string): Promise<IMonitoringReport> {
    return requestAPI<IMonitoringReport>(
      URLExt.join('deployments', encodeURIComponent(name), 'monitoring'),
      { method: 'GET' },
      this.settings
    );
  }
}
