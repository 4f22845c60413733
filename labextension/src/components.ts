/**
 * Presentational pieces of the sidebar: functions from props to DOM, with callbacks for what the user does.
 * No network and no state here (the model has both). CSS classes use the `jp-jhops-` prefix.
 */
import {
  ExecutorName,
  IComputeSettings,
  IDeploymentDetail,
  IDeploymentStatus,
  IExperimentDetail,
  IExperimentSummary,
  IFeatureGroup,
  IFeatureGroupDetail,
  IHistogram,
  IModel,
  IMonitoringReport,
  ISearchHit,
  IStatisticsAnswer,
  LaunchMode
} from './api';

type Child = Node | string | null | undefined | false;

/** A DOM element with attributes and children. */
export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child);
    }
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Lines of (x, y) points, one per series, with min/max labels on the y axis. */
export function lineChart(series: Record<string, Array<[number, number]>>, width = 260, height = 120): SVGElement {
  const chart = svg('svg', { class: 'jp-jhops-chart', width: '100%', height, viewBox: `0 0 ${width} ${height}` });
  const points = Object.values(series).flat();
  if (points.length === 0) {
    return chart;
  }
  const xs = points.map(p => p[0]);
  const ys = points.map(p => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number): number => 30 + ((x - x0) / (x1 - x0 || 1)) * (width - 40);
  const sy = (y: number): number => height - 15 - ((y - y0) / (y1 - y0 || 1)) * (height - 25);
  Object.entries(series).forEach(([name, values], i) => {
    const line = svg('polyline', {
      points: values.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: PALETTE[i % PALETTE.length],
      'stroke-width': 1.5
    });
    const title = svg('title', {});
    title.textContent = name;
    line.append(title);
    chart.append(line);
  });
  for (const [value, y] of [
    [y1, 12],
    [y0, height - 15]
  ]) {
    const label = svg('text', { x: 0, y, 'font-size': 9 });
    label.textContent = value.toPrecision(3);
    chart.append(label);
  }
  return chart;
}

/** The colour key of a line chart: one swatch per series, in the chart's order. */
export function legend(names: string[]): HTMLElement {
  return el(
    'div',
    { class: 'jp-jhops-legend' },
    ...names.map((name, i) =>
      el('span', { class: 'jp-jhops-legend-item' },
         el('span', { class: 'jp-jhops-swatch', style: `background:${PALETTE[i % PALETTE.length]}` }), name)
    )
  );
}

/** Bars of a histogram. */
export function histogram(data: IHistogram, title: string, width = 120, height = 60): HTMLElement {
  const chart = svg('svg', { class: 'jp-jhops-histogram', width, height, viewBox: `0 0 ${width} ${height}` });
  const peak = Math.max(1, ...data.counts);
  const bar = width / Math.max(1, data.counts.length);
  data.counts.forEach((count, i) => {
    const h = (count / peak) * (height - 4);
    const rect = svg('rect', { x: i * bar, y: height - h, width: Math.max(bar - 1, 1), height: h, fill: PALETTE[0] });
    const tip = svg('title', {});
    tip.textContent = `[${data.edges[i]?.toPrecision(4)}, ${data.edges[i + 1]?.toPrecision(4)}): ${count}`;
    rect.append(tip);
    chart.append(rect);
  });
  return el('figure', { class: 'jp-jhops-stat' }, chart, el('figcaption', {}, title));
}

function table(headers: string[], rows: Child[][], cls = 'jp-jhops-table'): HTMLElement {
  return el(
    'table',
    { class: cls },
    el('thead', {}, el('tr', {}, ...headers.map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows.map(r => el('tr', {}, ...r.map(c => el('td', {}, c)))))
  );
}

function button(label: string, onClick: () => void, cls = 'jp-jhops-button'): HTMLElement {
  const node = el('button', { class: `jp-Button ${cls}`, type: 'button' }, label);
  node.addEventListener('click', onClick);
  return node;
}

function short(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// --- Compute ---------------------------------------------------------------------------------------
export interface IComputeProps {
  settings: IComputeSettings;
  modes: Record<LaunchMode, string>;
  executors: ExecutorName[];
  error: string | null;
  saved: boolean;
}

/** The launch settings form, like the Hopsworks Jupyter launcher's Experiment / Parallel / Distributed choice. */
export function computeForm(props: IComputeProps, onSave: (settings: IComputeSettings) => void): HTMLElement {
  const form = el('form', { class: 'jp-jhops-compute' }) as HTMLFormElement;
  const modes = el('fieldset', { class: 'jp-jhops-modes' }, el('legend', {}, 'Mode'));
  for (const [mode, label] of Object.entries(props.modes)) {
    const input = el('input', { type: 'radio', name: 'mode', value: mode }) as HTMLInputElement;
    input.checked = props.settings.mode === mode;
    modes.append(el('label', {}, input, ` ${label}`));
  }
  const executor = el('select', { name: 'executor' }) as HTMLSelectElement;
  for (const name of props.executors) {
    const option = el('option', { value: name }, name) as HTMLOptionElement;
    option.selected = props.settings.executor === name;
    executor.append(option);
  }
  const field = (label: string, name: string, value: string, type = 'text'): HTMLElement => {
    const input = el('input', { name, type, value }) as HTMLInputElement;
    return el('label', { class: 'jp-jhops-field' }, `${label} `, input);
  };
  form.append(
    modes,
    el('label', { class: 'jp-jhops-field' }, 'Executor ', executor),
    field('Workers', 'workers', String(props.settings.workers), 'number'),
    field('GPUs per worker', 'gpus_per_worker', String(props.settings.gpus_per_worker), 'number'),
    field('Spark master / Connect URL', 'spark_master', props.settings.spark_master ?? ''),
    field('Memory per worker', 'memory_per_worker', props.settings.memory_per_worker),
    el('button', { class: 'jp-Button jp-jhops-save', type: 'submit' }, 'Save')
  );
  if (props.error) {
    form.append(el('div', { class: 'jp-jhops-error' }, props.error));
  } else if (props.saved) {
    form.append(el('div', { class: 'jp-jhops-saved' }, 'Saved: new %%hops cells use these.'));
  }
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (name: string): string => String(data.get(name) ?? '').trim();
    onSave({
      mode: text('mode') as LaunchMode,
      executor: text('executor') as ExecutorName,
      workers: Number(text('workers')),
      gpus_per_worker: Number(text('gpus_per_worker')),
      spark_master: text('spark_master') || null,
      memory_per_worker: text('memory_per_worker')
    });
  });
  return form;
}

// --- Experiments -----------------------------------------------------------------------------------
export interface IExperimentCallbacks {
  select(id: number | null): void;
  stop(id: number): void;
}

function progressBar(experiment: IExperimentSummary): HTMLElement {
  const bar = el('progress', {
    class: 'jp-jhops-progress',
    value: String(experiment.progress.done),
    max: String(Math.max(1, experiment.progress.total))
  });
  return bar;
}

/** Running experiments first, each with a progress bar; a click opens the detail. */
export function experimentList(experiments: IExperimentSummary[], on: IExperimentCallbacks): HTMLElement {
  if (experiments.length === 0) {
    return el('p', { class: 'jp-jhops-empty' }, 'No experiments yet: run a %%hops cell.');
  }
  const list = el('ul', { class: 'jp-jhops-experiments' });
  for (const e of experiments) {
    const p = e.progress;
    const best = e.best_metric ?? p.best?.metric;
    const item = el(
      'li',
      { class: 'jp-jhops-experiment-item', 'data-id': String(e.id), 'data-state': e.state },
      el('span', { class: 'jp-jhops-name' }, `#${e.id} ${e.name}`),
      el('span', { class: `jp-jhops-state jp-jhops-state-${e.state}` }, e.state),
      progressBar(e),
      el(
        'span',
        { class: 'jp-jhops-counts' },
        `${p.done}/${p.total}` +
          (p.early_stopped ? `, ${p.early_stopped} stopped early` : '') +
          (p.failed ? `, ${p.failed} failed` : '') +
          (best !== undefined && best !== null ? `, best ${e.metric_key ?? ''} ${short(best)}` : '')
      )
    );
    item.addEventListener('click', () => on.select(e.id));
    list.append(item);
  }
  return list;
}

/** One experiment: params of the best trial, metric curves, trials, logs, and Stop while it runs. */
export function experimentDetail(e: IExperimentDetail, on: IExperimentCallbacks): HTMLElement {
  const key = e.metric_key ?? Object.keys(e.trials.find(t => Object.keys(t.history).length)?.history ?? {})[0];
  const curves: Record<string, Array<[number, number]>> = {};
  for (const trial of e.trials) {
    if (key && trial.history[key]) {
      curves[`trial ${trial.number}`] = trial.history[key];
    }
  }
  const running = e.state === 'RUNNING';
  // Parameters every trial shares are shown once, above the table, as the cell's view does.
  const varying = (key: string): boolean =>
    new Set(e.trials.map(t => JSON.stringify(t.params[key]))).size > 1 || e.trials.some(t => !(key in t.params));
  const keys = [...new Set(e.trials.flatMap(t => Object.keys(t.params)))];
  const shared = e.trials.length > 1 ? keys.filter(k => !varying(k)) : [];
  const own = (params: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(params).filter(([k]) => !shared.includes(k)));
  return el(
    'div',
    { class: 'jp-jhops-experiment-detail', 'data-id': String(e.id), 'data-state': e.state },
    el(
      'div',
      { class: 'jp-jhops-toolbar' },
      button('← All experiments', () => on.select(null)),
      running && e.stop_requested === null ? button('Stop', () => on.stop(e.id), 'jp-jhops-stop jp-mod-warn') : null,
      running && e.stop_requested !== null ? el('span', {}, 'stopping…') : null
    ),
    el('h3', {}, `#${e.id} ${e.name} `, el('span', { class: `jp-jhops-state jp-jhops-state-${e.state}` }, e.state)),
    progressBar(e),
    el('div', {}, `${e.progress.done}/${e.progress.total} trials on ${e.workers} ${e.executor} worker(s)`),
    e.best_metric !== null
      ? el('div', { class: 'jp-jhops-best' }, `best ${key} = ${short(e.best_metric)} with ${short(own(e.best_params))}`)
      : null,
    e.error ? el('pre', { class: 'jp-jhops-error' }, e.error) : null,
    key
      ? el('div', { class: 'jp-jhops-curves' }, el('div', {}, `${key} per step`), lineChart(curves),
           legend(Object.keys(curves)))
      : null,
    shared.length
      ? el('div', { class: 'jp-jhops-shared' }, 'every trial: ' + shared.map(k => `${k}=${short(e.trials[0].params[k])}`).join(', '))
      : null,
    table(
      ['#', 'state', 'params', key ?? 'metric', 's'],
      e.trials.map(t => [
        String(t.number),
        el('span', { class: `jp-jhops-state jp-jhops-state-${t.state}` }, t.state),
        short(own(t.params)),
        key && t.metrics[key] !== undefined ? short(t.metrics[key]) : '',
        t.duration !== null ? t.duration.toFixed(1) : ''
      ])
    ),
    e.progress.logs.length
      ? el(
          'details',
          { open: '' },
          el('summary', {}, 'worker logs'),
          el(
            'pre',
            { class: 'jp-jhops-logs' },
            e.progress.logs.map(l => (l.trial !== null ? `[trial ${l.trial}] ${l.text}` : l.text)).join('\n')
          )
        )
      : null
  );
}

// --- Feature store ---------------------------------------------------------------------------------
export interface IFeatureStoreCallbacks {
  select(name: string | null, version?: number): void;
}

export function groupList(groups: IFeatureGroup[], hits: ISearchHit[] | null, on: IFeatureStoreCallbacks): HTMLElement {
  if (hits !== null) {
    if (hits.length === 0) {
      return el('p', { class: 'jp-jhops-empty' }, 'Nothing matches.');
    }
    const list = el('ul', { class: 'jp-jhops-hits' });
    for (const hit of hits) {
      const label = hit.feature ? `${hit.name} v${hit.version} · ${hit.feature}` : `${hit.name} v${hit.version}`;
      const item = el('li', { class: 'jp-jhops-hit', 'data-kind': hit.kind }, `${label} (${hit.kind.replace('_', ' ')})`);
      if (hit.kind !== 'training_dataset') {
        item.addEventListener('click', () => on.select(hit.name, hit.version));
      }
      list.append(item);
    }
    return list;
  }
  if (groups.length === 0) {
    return el('p', { class: 'jp-jhops-empty' }, 'No feature groups yet.');
  }
  const list = el('ul', { class: 'jp-jhops-groups' });
  for (const g of groups) {
    const item = el(
      'li',
      { class: 'jp-jhops-group-item', 'data-name': g.name, 'data-version': String(g.version) },
      el('span', { class: 'jp-jhops-name' }, `${g.name} v${g.version}`),
      el('span', {}, ` ${g.rows ?? 0} rows, ${g.features.length} features, ${g.commits} commit(s)`)
    );
    item.addEventListener('click', () => on.select(g.name, g.version));
    list.append(item);
  }
  return list;
}

export function groupDetail(
  g: IFeatureGroupDetail,
  stats: IStatisticsAnswer | null,
  on: IFeatureStoreCallbacks
): HTMLElement {
  const charts = el('div', { class: 'jp-jhops-histograms' });
  if (stats) {
    for (const [name, column] of Object.entries(stats.statistics.columns)) {
      const data = column.kind === 'array' ? column.elements?.histogram : column.histogram;
      if (data && data.counts.length) {
        charts.append(histogram(data, column.kind === 'array' ? `${name} (elements)` : name));
      }
    }
  }
  return el(
    'div',
    { class: 'jp-jhops-group-detail', 'data-name': g.name, 'data-version': String(g.version) },
    el('div', { class: 'jp-jhops-toolbar' }, button('← All groups', () => on.select(null))),
    el('h3', {}, `${g.name} v${g.version}`),
    g.description ? el('p', {}, g.description) : null,
    el('div', {}, `primary key ${g.primary_key.join(', ')} · validation ${g.validation}` + (g.online_enabled ? ' · online' : '')),
    el('h4', {}, 'Schema'),
    table(
      ['feature', 'type', 'description'],
      g.features.map(f => [f.name, f.type, f.description])
    ),
    el('h4', {}, `Statistics${stats ? ` (${stats.statistics.rows} rows)` : ''}`),
    charts,
    el('h4', {}, 'Commits'),
    table(
      ['version', 'operation', 'rows', 'when'],
      g.commit_log
        .slice()
        .reverse()
        .map(c => [String(c.delta_version), c.operation, String(c.rows), new Date(c.committed_at * 1000).toLocaleString()])
    ),
    el('h4', {}, 'Validation reports'),
    table(
      ['commit', 'status', 'failed rules'],
      g.validation_reports
        .slice()
        .reverse()
        .map(r => [
          r.delta_version === null ? 'rejected' : String(r.delta_version),
          el('span', { class: `jp-jhops-status jp-jhops-status-${r.status}` }, r.status),
          r.results
            .filter(x => !x.success)
            .map(x => `${x.rule}(${x.feature ?? 'table'})`)
            .join(', ') || '-'
        ])
    )
  );
}

// --- Models & Serving ------------------------------------------------------------------------------
export interface IServingCallbacks {
  select(name: string | null): void;
  action(name: string, action: 'start' | 'stop'): void;
  send(name: string, instances: string): void;
  refresh(): void;
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
  const zeros = (shape: number[]): unknown => (shape.length ? Array.from({ length: shape[0] }, () => zeros(shape.slice(1))) : 0);
  return JSON.stringify([zeros(dims as number[])]);
}

function deploymentButton(d: IDeploymentStatus, pending: boolean, on: IServingCallbacks): HTMLElement {
  if (pending) {
    return el('span', { class: 'jp-jhops-pending' }, d.state === 'RUNNING' ? 'stopping…' : 'starting…');
  }
  return d.state === 'RUNNING' || d.state === 'STARTING'
    ? button('Stop', () => on.action(d.name, 'stop'), 'jp-jhops-deployment-stop jp-mod-warn')
    : button('Start', () => on.action(d.name, 'start'), 'jp-jhops-deployment-start jp-mod-accept');
}

/** The registry's models (latest version, framework, metrics) and the deployments with Start / Stop. */
export function servingList(
  models: IModel[],
  deployments: IDeploymentStatus[],
  pending: Set<string>,
  on: IServingCallbacks
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
  const deploymentList = deployments.length
    ? el(
        'ul',
        { class: 'jp-jhops-deployments' },
        ...deployments.map(d => {
          const name = el('span', { class: 'jp-jhops-name jp-jhops-link' }, d.name);
          name.addEventListener('click', () => on.select(d.name));
          return el(
            'li',
            { class: 'jp-jhops-deployment-item', 'data-name': d.name, 'data-state': d.state },
            name,
            ' ',
            el('span', { class: `jp-jhops-state jp-jhops-state-${d.state}` }, d.state),
            ` ${d.model_name} v${d.model_version ?? '?'} `,
            deploymentButton(d, pending.has(d.name), on)
          );
        })
      )
    : el('p', { class: 'jp-jhops-empty' }, 'No deployments yet: %hops serve create NAME --model MODEL.');
  return el('div', { class: 'jp-jhops-serving' }, el('h4', {}, 'Models'), modelList, el('h4', {}, 'Deployments'),
            deploymentList);
}

/** One deployment: its state and configuration, Start / Stop, a test-request box, and its monitoring. */
export function deploymentDetail(
  d: IDeploymentDetail,
  pending: boolean,
  test: { instances: string; predictions: unknown[] | null; error: string | null } | null,
  report: IMonitoringReport | null,
  on: IServingCallbacks
): HTMLElement {
  const input = el('textarea', { class: 'jp-jhops-test-input', rows: '3', spellcheck: 'false',
                                 placeholder: 'A JSON list of instances, e.g. [[5.1, 3.5, 1.4, 0.2]]' }) as HTMLTextAreaElement;
  input.value = test?.instances ?? exampleInstances(d);
  const batching = d.batching?.enabled === false || !d.batching?.max_batch_size
    ? 'off'
    : `up to ${d.batching.max_batch_size} within ${d.batching.max_latency_ms} ms`;
  return el(
    'div',
    { class: 'jp-jhops-deployment-detail', 'data-name': d.name, 'data-state': d.state },
    el('div', { class: 'jp-jhops-toolbar' }, button('← Models & deployments', () => on.select(null)),
       deploymentButton(d, pending, on)),
    el('h3', {}, `${d.name} `, el('span', { class: `jp-jhops-state jp-jhops-state-${d.state}` }, d.state)),
    el('div', {}, `${d.model_name} v${d.model_version ?? '?'} · ${d.framework} · runtime ${d.runtime}`),
    el('div', {}, `batching ${batching} · inference logging ${d.inference_logging}`),
    d.url ? el('div', { class: 'jp-jhops-url' }, `${d.url}/v1/models/${d.name}:predict`) : null,
    d.error ? el('pre', { class: 'jp-jhops-error' }, d.error) : null,
    d.log_tail ? el('details', {}, el('summary', {}, 'server log'), el('pre', { class: 'jp-jhops-logs' }, d.log_tail)) : null,
    el('h4', {}, 'Test request'),
    input,
    el('div', { class: 'jp-jhops-toolbar' },
       d.state === 'RUNNING' ? button('Send', () => on.send(d.name, input.value), 'jp-jhops-send') : el('span', {}, 'start it to send requests')),
    test?.error ? el('pre', { class: 'jp-jhops-error jp-jhops-test-error' }, test.error) : null,
    test?.predictions ? el('pre', { class: 'jp-jhops-test-output' }, JSON.stringify(test.predictions)) : null,
    el('h4', {}, 'Monitoring ', button('Refresh', () => on.refresh(), 'jp-jhops-refresh')),
    report ? monitoringView(report) : el('p', { class: 'jp-jhops-empty' }, 'Reading the inference log…')
  );
}


function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(100 * value).toFixed(1)}%`;
}

/** A deployment's monitoring: traffic and latency over time, errors, predictions, and the input drift table. */
export function monitoringView(r: IMonitoringReport): HTMLElement {
  if (r.requests.count === 0) {
    return el('p', { class: 'jp-jhops-empty jp-jhops-monitoring' }, r.message ?? 'No requests yet.');
  }
  const t0 = r.buckets[0]?.start_ts ?? 0;
  const at = (ts: number): number => ts - t0;
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
  return el(
    'div',
    { class: 'jp-jhops-monitoring', 'data-drifted': String(r.drift.drifted.length) },
    el('div', {},
       `${r.requests.count} request${r.requests.count === 1 ? '' : 's'} (${r.requests.instances} instances) · ` +
       `${r.requests.rate_per_s !== null ? r.requests.rate_per_s.toPrecision(3) : '-'}/s · ` +
       `errors ${r.requests.errors} (${percent(r.requests.error_rate)})`),
    el('div', { class: 'jp-jhops-latency' },
       `latency p50 ${short(lat.p50 ?? '-')} ms · p95 ${short(lat.p95 ?? '-')} ms · p99 ${short(lat.p99 ?? '-')} ms`),
    el('div', {}, `requests/s per ${short(r.window.bucket_s)} s`), lineChart({ 'requests/s': rate }),
    el('div', {}, 'latency (ms)'), lineChart(latency), legend(Object.keys(latency)),
    meanPrediction.length > 1
      ? el('div', {}, el('div', {}, `mean ${r.predictions.histogram_of ?? 'prediction'} over time`),
           lineChart({ mean: meanPrediction }))
      : null,
    r.predictions.histogram?.counts?.length
      ? histogram({ edges: r.predictions.histogram.edges ?? [], counts: r.predictions.histogram.counts },
                  `predictions (${r.predictions.kind}, ${r.predictions.count})`, 240, 60)
      : null,
    el('h4', {}, 'Input drift'),
    r.drift.note ? el('p', { class: 'jp-jhops-drift-note' }, r.drift.note) : null,
    features.length
      ? table(
          ['feature', 'PSI', 'KS', 'drift'],
          features.map(f => [
            f.name,
            f.psi === null ? '-' : f.psi.toFixed(3),
            f.ks === null ? '-' : f.ks.toFixed(3),
            f.drifted
              ? el('span', { class: 'jp-jhops-drifted' }, `DRIFT (${f.flags.join('+')})`)
              : el('span', {}, f.note ? 'n/a' : 'ok')
          ]),
          'jp-jhops-table jp-jhops-drift'
        )
      : null,
    ...features
      .filter(f => f.drifted && f.histogram.edges)
      .slice(0, 4)
      .map(f =>
        el('div', { class: 'jp-jhops-drift-pair' },
           histogram({ edges: f.histogram.edges ?? [], counts: f.histogram.reference ?? [] }, `${f.name} training`),
           histogram({ edges: f.histogram.edges ?? [], counts: f.histogram.live ?? [] }, `${f.name} live`))
      )
  );
}
