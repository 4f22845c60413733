/**
 * A typed client of the jhops server extension. Widgets use this, never `fetch` or URLs.
 *
 * The interfaces mirror the JSON of the Python handlers in `jhops/server/` (and `openapi.yaml`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

/** An executor that can run trials: mirrors the names the Python side reports. */
export type ExecutorName = 'local' | 'spark';

/** `GET /jhops/status`: mirrors the JSON written by `jhops.server.status.StatusHandler`. */
export interface IStatus {
  /** The version of the jhops Python package. */
  version: string;
  /** The root of the jhops project (a path or an fsspec URL). */
  project: string;
  /** The executors available on the server, `local` first. */
  executors: ExecutorName[];
  /** The Python version of the server, for example `3.11.2`. */
  python: string;
}

/** The launch mode of a bare `%%hops` cell. */
export type LaunchMode = 'experiment' | 'parallel' | 'distributed';

/** `jhops.compute.settings.ComputeSettings`. */
export interface IComputeSettings {
  mode: LaunchMode;
  executor: ExecutorName;
  workers: number;
  gpus_per_worker: number;
  /** A Spark master or Spark Connect URL; null: the active session or `local[workers]`. */
  spark_master: string | null;
  /** For example `2g`. */
  memory_per_worker: string;
}

/** `GET|PUT /jhops/compute`. */
export interface IComputeAnswer {
  settings: IComputeSettings;
  /** The modes with their labels, e.g. `{"parallel": "Parallel Experiments"}`. */
  modes: Record<LaunchMode, string>;
}

export type ExperimentState = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
export type TrialState =
  | 'PENDING'
  | 'RUNNING'
  | 'FINISHED'
  | 'ERROR'
  | 'FAILED'
  | 'KILLED'
  | 'EARLY_STOPPED';

/** A worker log line the driver published. */
export interface ILogLine {
  trial: number | null;
  worker: number;
  stream: string;
  text: string;
}

/** `jhops.server.experiments.progress_of`. */
export interface IProgress {
  done: number;
  total: number;
  counts: Partial<Record<TrialState, number>>;
  early_stopped: number;
  failed: number;
  best: {
    trial: number;
    params: Record<string, unknown>;
    metric: number | null;
  } | null;
  workers_alive: number | null;
  updated: number | null;
  logs: ILogLine[];
}

/** `jhops.server.experiments.summary_of`. */
export interface IExperimentSummary {
  id: number;
  name: string;
  kind: string;
  state: ExperimentState;
  executor: string;
  workers: number;
  metric_key: string | null;
  direction: 'max' | 'min';
  start_time: number;
  end_time: number | null;
  duration: number | null;
  best_metric: number | null;
  error: string | null;
  stop_requested: number | null;
  progress: IProgress;
}

/** A trial as `Trial.to_dict` writes it; `history` maps a metric to `[step, value]` pairs. */
export interface ITrial {
  id: number;
  number: number;
  params: Record<string, unknown>;
  state: TrialState;
  metrics: Record<string, number>;
  history: Record<string, Array<[number, number]>>;
  error: string | null;
  duration: number | null;
}

/** `GET /jhops/experiments/{id}`. */
export interface IExperimentDetail extends IExperimentSummary {
  best_params: Record<string, unknown>;
  code: string | null;
  trials: ITrial[];
}

/** A feature of a group's schema. */
export interface IFeature {
  name: string;
  type: string;
  description: string;
  tags: Record<string, unknown>;
}

/** `GET /jhops/featurestore/groups` items. */
export interface IFeatureGroup {
  id: number;
  name: string;
  version: number;
  description: string;
  primary_key: string[];
  online_enabled: boolean;
  validation: 'STRICT' | 'WARNING' | 'NONE';
  features: IFeature[];
  tags: Record<string, unknown>;
  commits: number;
  latest_commit: number | null;
  rows: number | null;
}

/** `GET /jhops/featurestore/groups/{name}/{version}`. */
export interface IFeatureGroupDetail extends IFeatureGroup {
  versions: number[];
  commit_log: Array<{
    delta_version: number;
    operation: string;
    rows: number;
    committed_at: number;
  }>;
  validation_reports: Array<{
    id: number;
    delta_version: number | null;
    status: 'SUCCESS' | 'WARNING' | 'FAILURE';
    results: Array<Record<string, unknown>>;
    created: number;
  }>;
}

/** A histogram: `edges` has one more value than `counts`. */
export interface IHistogram {
  edges: number[];
  counts: number[];
}

/** `GET .../statistics`: `jhops.featurestore.statistics.compute_statistics`. */
export interface IStatisticsAnswer {
  commit: number | null;
  statistics: {
    rows: number;
    columns: Record<
      string,
      {
        kind: 'numeric' | 'array' | 'categorical' | 'other';
        count: number;
        nulls: number;
        histogram?: IHistogram;
        elements?: { histogram: IHistogram };
      }
    >;
    correlations: Record<string, Record<string, number | null>>;
  };
}

/** `GET /jhops/featurestore/search?q=`. */
export interface ISearchHit {
  kind: 'feature_group' | 'feature' | 'training_dataset';
  name: string;
  version: number;
  feature: string | null;
  matched: string[];
  score: number;
}

/** A tensor of a model signature: `shape` has `null` for the batch axis and any variable axis. */
export interface ITensorSpec {
  name: string;
  dtype: string;
  shape: Array<number | null>;
}

/** `GET /jhops/models/{name}/{version}`: mirrors `jhops.models.ModelVersion.to_dict`. */
export interface IModelVersion {
  id: number;
  name: string;
  version: number;
  framework: 'keras' | 'tensorflow' | 'sklearn' | 'torch' | 'onnx' | 'python';
  description: string;
  metrics: Record<string, number>;
  signature: { inputs?: ITensorSpec[]; outputs?: ITensorSpec[] };
  provenance: Record<string, unknown>;
  path: string;
  artifact: string;
  predictor_class: string | null;
  created: number;
}

/** `GET /jhops/models`: one model with its versions, the newest last. */
export interface IModel {
  name: string;
  versions: IModelVersion[];
  latest: IModelVersion;
}

export type DeploymentState = 'CREATED' | 'STARTING' | 'RUNNING' | 'STOPPED' | 'FAILED';

/** `GET /jhops/deployments`: mirrors `jhops.serving.DeploymentStatus.to_json`. */
export interface IDeploymentStatus {
  name: string;
  state: DeploymentState;
  url: string | null;
  port: number | null;
  pid: number | null;
  model_name: string;
  model_version: number | null;
  error: string | null;
  log_tail: string | null;
}

/** `GET /jhops/deployments/{name}`: the status and the deployment's configuration. */
export interface IDeploymentDetail extends IDeploymentStatus {
  framework: string;
  runtime: string;
  inference_logging: 'ALL' | 'MODEL_INPUTS' | 'PREDICTIONS' | 'NONE';
  batching: { enabled?: boolean; max_batch_size?: number; max_latency_ms?: number };
  signature: { inputs?: ITensorSpec[]; outputs?: ITensorSpec[] };
  created: number | null;
  started: number | null;
  stopped: number | null;
}

/** One time bucket of a monitoring report. */
export interface IMonitoringBucket {
  start_ts: number;
  start: string;
  end_ts: number;
  requests: number;
  instances: number;
  rate_per_s: number | null;
  errors: number;
  error_rate: number | null;
  latency_ms: { p50?: number | null; p95?: number | null; p99?: number | null };
}

/** The drift of one input feature (or one per-chip summary of an image band) against the training data. */
export interface IFeatureDrift {
  name: string;
  column: string;
  statistic: string | null;
  method: 'data' | 'histogram';
  live_count: number;
  reference_count: number;
  psi: number | null;
  psi_pvalue: number | null;
  ks: number | null;
  ks_pvalue: number | null;
  live_mean: number | null;
  reference_mean: number | null;
  flags: string[];
  drifted: boolean;
  histogram: { edges?: number[]; reference?: number[]; live?: number[] };
  note: string | null;
}

/** `GET /jhops/deployments/{name}/monitoring`: mirrors `jhops.serving.monitoring.MonitoringReport.to_dict`. */
export interface IMonitoringReport {
  deployment: string | null;
  model: { name: string | null; version: number | null };
  generated_at: number;
  message: string | null;
  window: {
    start: string | null;
    end: string | null;
    start_ts: number | null;
    end_ts: number | null;
    duration_s: number;
    bucket_s: number;
  };
  requests: {
    count: number;
    instances: number;
    errors: number;
    error_rate: number | null;
    rate_per_s: number | null;
    status_codes: Record<string, number>;
    excluded: number;
  };
  latency_ms: Record<string, number | null>;
  buckets: IMonitoringBucket[];
  predictions: {
    kind: string | null;
    count: number;
    mean: number | null;
    histogram: { edges?: number[]; counts?: number[] };
    histogram_of: string | null;
    class_counts: Record<string, number>;
    over_time: Array<{ start_ts: number; count: number; mean?: number | null }>;
  };
  drift: {
    reference: Record<string, unknown> | null;
    thresholds: Record<string, number>;
    note: string | null;
    drifted: string[];
    features: IFeatureDrift[];
  };
}

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
