/**
 * The Models & Serving section's lists with Start / Stop (in the sidebar), and one deployment's detail (in a
 * main-area tab): its configuration, a test request, and its monitoring charts and drift table.
 */
import { IDeploymentDetail, IDeploymentStatus, IModel, IMonitoringReport } from './api';
import { histogram, legend, lineChart } from './charts';
import { button, el, missingExtra, percent, short, stateBadge, table } from './dom';

/** What the lists let the user do. */
export interface IServingCallbacks {
  /** Open a deployment's detail. */
  open(name: string): void;
  action(name: string, action: 'start' | 'stop'): void;
}

/** What the detail lets the user do. */
export interface IDeploymentCallbacks {
  action(name: string, action: 'start' | 'stop'): void;
  send(name: string, instances: string): void;
  refresh(name: string): void;
}

/** The last test request of a deployment, and what came back. */
export interface ITestView {
  instances: string;
  predictions: unknown[] | null;
  error: string | null;
}

/** What a test request looks like for a signature: a batch of one, zeros, when it is small enough to type. */
export function exampleInstances(detail: IDeploymentDetail): string {
  const input = detail.signature?.inputs?.[0];
  if (!input || detail.signature.inputs!.length !== 1) {
    return '';
  }
  const dims = input.shape.slice(1);
  if (dims.some(d => d === null) || dims.reduce((a: number, d) => a * (d as number), 1) > 64) {
    return '';
  }
  const zeros = (shape: number[]): unknown =>
    shape.length ? Array.from({ length: shape[0] }, () => zeros(shape.slice(1))) : 0;
  return JSON.stringify([zeros(dims as number[])]);
}

function deploymentButton(
  d: IDeploymentStatus,
  pending: boolean,
  action: (name: string, action: 'start' | 'stop') => void
): HTMLElement {
  if (pending) {
    return el('span', { class: 'jp-jhops-pending' }, d.state === 'RUNNING' ? 'stopping…' : 'starting…');
  }
  return d.state === 'RUNNING' || d.state === 'STARTING'
    ? button('Stop', () => action(d.name, 'stop'), 'jp-jhops-deployment-stop jp-mod-warn')
    : button('Start', () => action(d.name, 'start'), 'jp-jhops-deployment-start jp-mod-accept');
}

/** The registry's models (latest version, framework, metrics) and the deployments with Start / Stop. */
export function servingList(
  models: IModel[],
  deployments: IDeploymentStatus[],
  pending: Set<string>,
  on: IServingCallbacks,
  servingInstalled = true
): HTMLElement {
  const modelList = models.length
    ? el(
        'ul',
        { class: 'jp-jhops-models' },
        ...models.map(m =>
          el(
            'li',
            { class: 'jp-jhops-model-item', 'data-name': m.name },
            el('span', { class: 'jp-jhops-name' }, `${m.name} v${m.latest.version}`),
            ` ${m.latest.framework}, ${m.versions.length} version(s)`,
            Object.keys(m.latest.metrics).length
              ? el('div', { class: 'jp-jhops-metrics' },
                   Object.entries(m.latest.metrics).map(([k, v]) => `${k} ${short(v)}`).join(' · '))
              : null
          )
        )
      )
    : el('p', { class: 'jp-jhops-empty' }, 'No models yet: jhops.models.export(model, "name").');
  const deploymentList = !servingInstalled
    ? missingExtra('serving', 'Model serving')
    : deployments.length
    ? el(
        'ul',
        { class: 'jp-jhops-deployments' },
        ...deployments.map(d => {
          const item = el(
            'li',
            { class: 'jp-jhops-deployment-item', 'data-name': d.name, 'data-state': d.state, title: 'Open in a tab' },
            el('span', { class: 'jp-jhops-name' }, d.name),
            ' ',
            stateBadge(d.state),
            ` ${d.model_name} v${d.model_version ?? '?'} `,
            deploymentButton(d, pending.has(d.name), on.action)
          );
          item.addEventListener('click', () => on.open(d.name));
          return item;
        })
      )
    : el('p', { class: 'jp-jhops-empty' }, 'No deployments yet: %hops serve create NAME --model MODEL.');
  return el('div', { class: 'jp-jhops-serving' }, el('h4', {}, 'Models'), modelList, el('h4', {}, 'Deployments'),
            deploymentList);
}

/** One deployment: state and configuration, Start / Stop, a test-request box, and its monitoring. */
export function deploymentDetail(
  d: IDeploymentDetail,
  pending: boolean,
  test: ITestView | null,
  report: IMonitoringReport | null,
  on: IDeploymentCallbacks
): HTMLElement {
  const input = el('textarea', {
    class: 'jp-jhops-test-input',
    rows: '3',
    spellcheck: 'false',
    placeholder: 'A JSON list of instances, e.g. [[5.1, 3.5, 1.4, 0.2]]'
  }) as HTMLTextAreaElement;
  input.value = test?.instances ?? exampleInstances(d);
  const batching =
    d.batching?.enabled === false || !d.batching?.max_batch_size
      ? 'off'
      : `up to ${d.batching.max_batch_size} within ${d.batching.max_latency_ms} ms`;
  return el(
    'div',
    { class: 'jp-jhops-deployment-detail jp-jhops-detail-body', 'data-name': d.name, 'data-state': d.state },
    el('div', { class: 'jp-jhops-toolbar' }, el('h2', {}, `${d.name} `, stateBadge(d.state)),
       deploymentButton(d, pending, on.action)),
    el('div', {}, `${d.model_name} v${d.model_version ?? '?'} · ${d.framework} · runtime ${d.runtime}`),
    el('div', {}, `batching ${batching} · inference logging ${d.inference_logging}`),
    d.url ? el('div', { class: 'jp-jhops-url' }, `${d.url}/v1/models/${d.name}:predict`) : null,
    d.error ? el('pre', { class: 'jp-jhops-error' }, d.error) : null,
    d.log_tail ? el('details', {}, el('summary', {}, 'server log'), el('pre', { class: 'jp-jhops-logs' }, d.log_tail)) : null,
    el('h3', {}, 'Test request'),
    input,
    el('div', { class: 'jp-jhops-toolbar' },
       d.state === 'RUNNING'
         ? button('Send', () => on.send(d.name, input.value), 'jp-jhops-send')
         : el('span', {}, 'start it to send requests')),
    test?.error ? el('pre', { class: 'jp-jhops-error jp-jhops-test-error' }, test.error) : null,
    test?.predictions ? el('pre', { class: 'jp-jhops-test-output' }, JSON.stringify(test.predictions)) : null,
    el('h3', {}, 'Monitoring ', button('Refresh', () => on.refresh(d.name), 'jp-jhops-refresh')),
    report ? monitoringView(report) : el('p', { class: 'jp-jhops-empty' }, 'Reading the inference log…')
  );
}

/** Seconds per unit of the time axis, and its title: seconds, minutes or hours since the window's start. */
export function timeAxis(durationS: number): [number, string] {
  if (durationS <= 180) {
    return [1, 'seconds since start'];
  }
  if (durationS <= 3 * 3600) {
    return [60, 'minutes since start'];
  }
  return [3600, 'hours since start'];
}

/** A deployment's monitoring: traffic and latency over time, errors, predictions, and the input drift table. */
export function monitoringView(r: IMonitoringReport): HTMLElement {
  if (r.requests.count === 0) {
    return el('p', { class: 'jp-jhops-empty jp-jhops-monitoring' }, r.message ?? 'No requests yet.');
  }
  const t0 = r.window.start_ts ?? r.buckets[0]?.start_ts ?? 0;
  const [unit, xLabel] = timeAxis(r.window.duration_s);
  const at = (ts: number): number => (ts - t0) / unit;
  const rate: Array<[number, number]> = r.buckets.map(b => [at(b.start_ts), b.rate_per_s ?? 0]);
  const latency: Record<string, Array<[number, number]>> = {};
  for (const p of ['p50', 'p95', 'p99'] as const) {
    latency[p] = r.buckets
      .filter(b => b.latency_ms[p] !== null && b.latency_ms[p] !== undefined)
      .map(b => [at(b.start_ts), b.latency_ms[p] as number]);
  }
  const meanPrediction: Array<[number, number]> = r.predictions.over_time
    .filter(b => b.mean !== null && b.mean !== undefined)
    .map(b => [at(b.start_ts), b.mean as number]);
  const lat = r.latency_ms;
  const features = r.drift.features;
  const chart = (title: string, body: Array<HTMLElement | SVGElement | null>): HTMLElement =>
    el('div', { class: 'jp-jhops-chart-box' }, el('div', { class: 'jp-jhops-chart-title' }, title), ...body);
  const size = { width: 420, height: 200, xLabel, wholeX: false };
  return el(
    'div',
    { class: 'jp-jhops-monitoring', 'data-drifted': String(r.drift.drifted.length) },
    el('div', {},
       `${r.requests.count} request${r.requests.count === 1 ? '' : 's'} (${r.requests.instances} instances) · ` +
       `${r.requests.rate_per_s !== null ? r.requests.rate_per_s.toPrecision(3) : '-'}/s · ` +
       `errors ${r.requests.errors} (${percent(r.requests.error_rate)})`),
    el('div', { class: 'jp-jhops-latency' },
       `latency p50 ${short(lat.p50 ?? '-')} ms · p95 ${short(lat.p95 ?? '-')} ms · p99 ${short(lat.p99 ?? '-')} ms`),
    r.log_note ? el('p', { class: 'jp-jhops-log-note' }, r.log_note) : null,
    el(
      'div',
      { class: 'jp-jhops-charts' },
      chart(`Request rate (per ${short(r.window.bucket_s)} s bucket)`,
            [lineChart({ 'requests/s': rate }, { ...size, yLabel: 'requests/s' })]),
      chart('Latency', [lineChart(latency, { ...size, yLabel: 'ms' }), legend(Object.keys(latency))]),
      meanPrediction.length > 1
        ? chart(`Mean ${r.predictions.histogram_of ?? 'prediction'} over time`,
                [lineChart({ mean: meanPrediction }, { ...size, yLabel: 'mean' })])
        : null,
      r.predictions.histogram?.counts?.length
        ? chart(`All predictions (${r.predictions.kind}, ${r.predictions.count})`, [
            histogram({ edges: r.predictions.histogram.edges ?? [], counts: r.predictions.histogram.counts },
                      r.predictions.histogram_of ?? 'prediction', { width: 420, height: 200, yLabel: 'instances' })
          ])
        : null
    ),
    el('h3', {}, 'Input drift'),
    r.drift.note ? el('p', { class: 'jp-jhops-drift-note' }, r.drift.note) : null,
    features.length
      ? table(
          ['feature', 'PSI', 'KS', 'live mean', 'reference mean', 'drift'],
          features.map(f => [
            f.name,
            f.psi === null ? '-' : f.psi.toFixed(3),
            f.ks === null ? '-' : f.ks.toFixed(3),
            f.live_mean === null ? '-' : short(f.live_mean),
            f.reference_mean === null ? '-' : short(f.reference_mean),
            f.drifted
              ? el('span', { class: 'jp-jhops-drifted' }, `DRIFT (${f.flags.join('+')})`)
              : el('span', {}, f.note ? 'n/a' : 'ok')
          ]),
          'jp-jhops-table jp-jhops-drift'
        )
      : null,
    ...features
      .filter(f => f.drifted && f.histogram.edges)
      .slice(0, 6)
      .map(f =>
        el('div', { class: 'jp-jhops-drift-pair' },
           histogram({ edges: f.histogram.edges ?? [], counts: f.histogram.reference ?? [] }, `${f.name}: training`,
                     { series: 0 }),
           histogram({ edges: f.histogram.edges ?? [], counts: f.histogram.live ?? [] }, `${f.name}: live`,
                     { series: 1 }))
      )
  );
}
