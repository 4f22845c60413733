/**
 * The Experiments section's list (in the sidebar) and one experiment's detail (in a main-area tab).
 */
import { IExperimentDetail, IExperimentSummary } from './api';
import { legend, lineChart } from './charts';
import { button, el, short, stateBadge, table } from './dom';

/** What the user can do with the experiments. */
export interface IExperimentCallbacks {
  /** Open the experiment's detail. */
  open(id: number): void;
  /** Ask a running experiment to stop. */
  stop(id: number): void;
}

function progressBar(experiment: IExperimentSummary): HTMLElement {
  return el('progress', {
    class: 'jp-jhops-progress',
    value: String(experiment.progress.done),
    max: String(Math.max(1, experiment.progress.total))
  });
}

/** Trials done of planned, early stops, failures and the best value so far, in one line. */
function counts(e: IExperimentSummary): string {
  const p = e.progress;
  const best = e.best_metric ?? p.best?.metric;
  return (
    `${p.done}/${p.total}` +
    (p.early_stopped ? `, ${p.early_stopped} stopped early` : '') +
    (p.failed ? `, ${p.failed} failed` : '') +
    (best !== undefined && best !== null ? `, best ${e.metric_key ?? ''} ${short(best)}` : '')
  );
}

/** Running experiments first (as the server orders them), each with a progress bar and Stop; a click opens one. */
export function experimentList(experiments: IExperimentSummary[], on: IExperimentCallbacks): HTMLElement {
  if (experiments.length === 0) {
    return el('p', { class: 'jp-jhops-empty' }, 'No experiments yet: run a %%hops cell.');
  }
  const list = el('ul', { class: 'jp-jhops-experiments' });
  for (const e of experiments) {
    const running = e.state === 'RUNNING';
    const item = el(
      'li',
      { class: 'jp-jhops-experiment-item', 'data-id': String(e.id), 'data-state': e.state, title: 'Open in a tab' },
      el('span', { class: 'jp-jhops-name' }, `#${e.id} ${e.name}`),
      stateBadge(e.state),
      running && e.stop_requested === null ? button('Stop', () => on.stop(e.id), 'jp-jhops-stop jp-mod-warn') : null,
      running && e.stop_requested !== null ? el('span', { class: 'jp-jhops-pending' }, 'stopping…') : null,
      progressBar(e),
      el('span', { class: 'jp-jhops-counts' }, counts(e))
    );
    item.addEventListener('click', () => on.open(e.id));
    list.append(item);
  }
  return list;
}

/**
 * Why each trial that did not finish ended (an early stop's reason, a crash's traceback), one line each, the whole
 * text on a click: as the notebook's view shows them.
 */
function endings(trials: IExperimentDetail['trials']): HTMLElement[] {
  return trials
    .filter(t => t.state !== 'FINISHED' && t.error)
    .map(t => {
      const last = (t.error ?? '').trim().split('\n').pop() ?? '';
      return el(
        'details',
        { class: 'jp-jhops-ending', 'data-trial': String(t.number) },
        el('summary', {}, `trial ${t.number} ${t.state}: ${last}`),
        el('pre', { class: 'jp-jhops-error' }, t.error ?? '')
      );
    });
}

/** One experiment: progress, the best trial, metric curves, the trials, logs, and Stop while it runs. */
export function experimentDetail(e: IExperimentDetail, on: Pick<IExperimentCallbacks, 'stop'>): HTMLElement {
  // The metric key when trials reported it, else the first key they did (bare values are recorded as "metric").
  const reported = e.trials.flatMap(t => Object.keys(t.history));
  const key = e.metric_key && reported.includes(e.metric_key) ? e.metric_key : (reported[0] ?? e.metric_key);
  const curves: Record<string, Array<[number, number]>> = {};
  for (const trial of e.trials) {
    if (key && trial.history[key]) {
      curves[`trial ${trial.number}`] = trial.history[key];
    }
  }
  const running = e.state === 'RUNNING';
  // Parameters every trial shares are shown once, above the table, as the cell's view does.
  const varying = (name: string): boolean =>
    new Set(e.trials.map(t => JSON.stringify(t.params[name]))).size > 1 || e.trials.some(t => !(name in t.params));
  const names = [...new Set(e.trials.flatMap(t => Object.keys(t.params)))];
  const shared = e.trials.length > 1 ? names.filter(k => !varying(k)) : [];
  const own = (params: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(params).filter(([k]) => !shared.includes(k)));
  const logs = e.progress.logs;
  return el(
    'div',
    { class: 'jp-jhops-experiment-detail jp-jhops-detail-body', 'data-id': String(e.id), 'data-state': e.state },
    el(
      'div',
      { class: 'jp-jhops-toolbar' },
      el('h2', {}, `#${e.id} ${e.name} `, stateBadge(e.state)),
      running && e.stop_requested === null ? button('Stop', () => on.stop(e.id), 'jp-jhops-stop jp-mod-warn') : null,
      running && e.stop_requested !== null ? el('span', { class: 'jp-jhops-pending' }, 'stopping…') : null
    ),
    progressBar(e),
    el('div', {}, `${e.progress.done}/${e.progress.total} trials on ${e.workers} ${e.executor} worker(s)`),
    e.best_metric !== null
      ? el('div', { class: 'jp-jhops-best' }, `best ${key} = ${short(e.best_metric)} with ${short(own(e.best_params))}`)
      : null,
    e.error ? el('pre', { class: 'jp-jhops-error' }, e.error) : null,
    key
      ? el(
          'div',
          { class: 'jp-jhops-curves' },
          el('h3', {}, `${key} per step`),
          lineChart(curves, { width: 640, height: 260, xLabel: 'step', yLabel: key, wholeX: true }),
          legend(Object.keys(curves))
        )
      : null,
    shared.length
      ? el('div', { class: 'jp-jhops-shared' },
           'every trial: ' + shared.map(k => `${k}=${short(e.trials[0].params[k])}`).join(', '))
      : null,
    el('h3', {}, 'Trials'),
    table(
      ['#', 'state', 'params', key ?? 'metric', 'seconds'],
      e.trials.map(t => [
        String(t.number),
        stateBadge(t.state),
        short(own(t.params)),
        key && t.metrics[key] !== undefined ? short(t.metrics[key]) : '',
        t.duration !== null ? t.duration.toFixed(1) : ''
      ])
    ),
    ...endings(e.trials),
    logs.length
      ? el(
          'details',
          { open: '' },
          el('summary', {}, 'worker logs'),
          el('pre', { class: 'jp-jhops-logs' },
             logs.map(l => (l.trial !== null ? `[trial ${l.trial}] ${l.text}` : l.text)).join('\n'))
        )
      : null
  );
}
