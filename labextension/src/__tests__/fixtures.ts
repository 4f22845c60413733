/**
 * Server answers as the REST API gives them, for the component and model specs.
 */
import {
  IDeploymentDetail,
  IExperimentDetail,
  IExperimentSummary,
  IFeatureGroupDetail,
  IMonitoringReport,
  IStatisticsAnswer,
  ITrial
} from '../api';

export function summary(overrides: Partial<IExperimentSummary> = {}): IExperimentSummary {
  return {
    id: 7,
    name: 'iceberg-lr-grid',
    kind: 'parallel',
    state: 'RUNNING',
    executor: 'local',
    workers: 2,
    metric_key: 'accuracy',
    direction: 'max',
    start_time: 1767225600,
    end_time: null,
    duration: null,
    best_metric: null,
    error: null,
    stop_requested: null,
    progress: {
      done: 1,
      total: 3,
      counts: { FINISHED: 1, RUNNING: 2 },
      early_stopped: 0,
      failed: 0,
      best: { trial: 0, params: { lr: 0.01 }, metric: 0.81 },
      workers_alive: 2,
      updated: null,
      logs: []
    },
    ...overrides
  };
}

function trial(number: number, lr: number, state: ITrial['state'] = 'FINISHED'): ITrial {
  const history = Array.from({ length: 5 }, (_, s) => [s, 0.5 + lr * 10 * s] as [number, number]);
  return {
    id: 100 + number,
    number,
    params: { lr, batch: 32 },
    state,
    metrics: state === 'FINISHED' ? { accuracy: history[4][1] } : {},
    history: { accuracy: history },
    error: null,
    duration: state === 'FINISHED' ? 12.34 : null
  };
}

export function experiment(overrides: Partial<IExperimentDetail> = {}): IExperimentDetail {
  return {
    ...summary(),
    best_metric: 0.9,
    best_params: { lr: 0.01, batch: 32 },
    code: 'def train(lr, batch): ...',
    trials: [trial(0, 0.01), trial(1, 0.001), trial(2, 0.0001, 'RUNNING')],
    ...overrides
  };
}

export function group(overrides: Partial<IFeatureGroupDetail> = {}): IFeatureGroupDetail {
  return {
    id: 1,
    name: 'iceberg',
    version: 1,
    description: 'Sentinel-1 chips',
    primary_key: ['id'],
    online_enabled: false,
    validation: 'STRICT',
    features: [
      { name: 'id', type: 'string', description: 'chip id', tags: {} },
      { name: 'inc_angle', type: 'double', description: 'incidence angle', tags: {} },
      { name: 'band_1', type: 'array<float>', description: 'HH', tags: {} }
    ],
    tags: {},
    commits: 2,
    latest_commit: 1,
    rows: 1604,
    versions: [1],
    commit_log: [
      { delta_version: 0, operation: 'WRITE', rows: 1000, committed_at: 1767225600 },
      { delta_version: 1, operation: 'WRITE', rows: 604, committed_at: 1767229200 }
    ],
    validation_reports: [
      { id: 1, delta_version: 0, status: 'SUCCESS', results: [{ rule: 'HAS_MIN', feature: 'inc_angle', success: true }], created: 1 },
      { id: 2, delta_version: null, status: 'FAILURE', results: [{ rule: 'HAS_MAX', feature: 'is_iceberg', success: false }], created: 2 }
    ],
    ...overrides
  };
}

export function statistics(commit = 1): IStatisticsAnswer {
  return {
    commit,
    statistics: {
      rows: 1604,
      columns: {
        id: { kind: 'categorical', count: 1604, nulls: 0 },
        inc_angle: { kind: 'numeric', count: 1471, nulls: 133, histogram: { edges: [30, 35, 40, 45], counts: [400, 800, 271] } },
        band_1: { kind: 'array', count: 1604, nulls: 0, elements: { histogram: { edges: [-40, -20, 0], counts: [5000, 900] } } }
      },
      correlations: {}
    }
  };
}

export function deployment(overrides: Partial<IDeploymentDetail> = {}): IDeploymentDetail {
  return {
    name: 'iceberg',
    state: 'RUNNING',
    url: 'http://127.0.0.1:8501',
    port: 8501,
    pid: 4242,
    model_name: 'iceberg-cnn',
    model_version: 2,
    error: null,
    log_tail: 'INFO started',
    framework: 'python',
    runtime: 'python',
    inference_logging: 'ALL',
    batching: { enabled: true, max_batch_size: 8, max_latency_ms: 5 },
    signature: { inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }] },
    created: 1,
    started: 2,
    stopped: null,
    ...overrides
  };
}

export function report(count = 60): IMonitoringReport {
  const t0 = 1767225600;
  const buckets = Array.from({ length: 6 }, (_, i) => ({
    start_ts: t0 + 60 * i,
    start: '',
    end_ts: t0 + 60 * (i + 1),
    requests: 10,
    instances: 10,
    rate_per_s: 0.1 + 0.01 * i,
    errors: i === 0 ? 1 : 0,
    error_rate: i === 0 ? 0.1 : 0,
    latency_ms: { p50: 2 + i, p95: 5 + i, p99: 9 + i }
  }));
  return {
    deployment: 'iceberg',
    model: { name: 'iceberg-cnn', version: 2 },
    generated_at: t0 + 400,
    message: count ? null : 'No requests yet: send one with serving.predict("iceberg", ...).',
    window: { start: null, end: null, start_ts: t0, end_ts: t0 + 360, duration_s: 360, bucket_s: 60 },
    requests: { count, instances: count, errors: 1, error_rate: 1 / 60, rate_per_s: 0.17, status_codes: { '200': 59 }, excluded: 0 },
    latency_ms: { p50: 3.2, p95: 7.9, p99: 12.5 },
    buckets: count ? buckets : [],
    predictions: {
      kind: 'probability',
      count,
      mean: 0.41,
      histogram: { edges: [0, 0.25, 0.5, 0.75, 1], counts: [20, 15, 10, 15] },
      histogram_of: 'is_iceberg',
      class_counts: {},
      over_time: buckets.map((b, i) => ({ start_ts: b.start_ts, count: 10, mean: 0.4 + 0.01 * i }))
    },
    drift: {
      reference: { rows: 1283 },
      thresholds: { psi: 0.2, ks: 0.1, alpha: 0.05 },
      note: null,
      drifted: ['inc_angle'],
      features: [
        {
          name: 'inc_angle', column: 'inc_angle', statistic: null, method: 'data', live_count: 60, reference_count: 1283,
          psi: 0.41, psi_pvalue: 0.001, ks: 0.3, ks_pvalue: 0.0001, live_mean: 44.1, reference_mean: 39.2,
          flags: ['psi', 'ks'], drifted: true,
          histogram: { edges: [30, 35, 40, 45], reference: [400, 700, 183], live: [5, 15, 40] }, note: null
        },
        {
          name: 'band_1 mean', column: 'band_1', statistic: 'mean', method: 'data', live_count: 60, reference_count: 1283,
          psi: 0.02, psi_pvalue: 0.8, ks: 0.05, ks_pvalue: 0.7, live_mean: -20.1, reference_mean: -20.3,
          flags: [], drifted: false, histogram: {}, note: null
        }
      ]
    }
  };
}
