/**
 * Presentational pieces of the sidebar: functions from props to DOM, with callbacks for what the user does.
 * No network and no state here (the model has both). CSS classes use the `jp-jhops-` prefix.
 */
import {
  ExecutorName,
  IComputeSettings,
  IExperimentDetail,
  IExperimentSummary,
  IFeatureGroup,
  IFeatureGroupDetail,
  IHistogram,
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
      ? el('div', { class: 'jp-jhops-best' }, `best ${key} = ${short(e.best_metric)} with ${short(e.best_params)}`)
      : null,
    e.error ? el('pre', { class: 'jp-jhops-error' }, e.error) : null,
    key ? el('div', { class: 'jp-jhops-curves' }, el('div', {}, `${key} per step`), lineChart(curves)) : null,
    table(
      ['#', 'state', 'params', key ?? 'metric', 's'],
      e.trials.map(t => [
        String(t.number),
        el('span', { class: `jp-jhops-state jp-jhops-state-${t.state}` }, t.state),
        short(t.params),
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
