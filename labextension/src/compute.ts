/**
 * The Compute section: the launch settings a bare `%%hops` cell uses, like the Hopsworks Jupyter launcher's
 * Experiment / Parallel / Distributed choice.
 */
import { ExecutorName, IComputeSettings, LaunchMode } from './api';
import { el } from './dom';

/** What the form shows: the saved settings, the choices, and the outcome of the last save. */
export interface IComputeProps {
  settings: IComputeSettings;
  modes: Record<LaunchMode, string>;
  executors: ExecutorName[];
  error: string | null;
  saved: boolean;
}

/** What a field does, shown under it, when its name alone does not say. */
export const FIELD_NOTES: Record<string, string> = {
  gpus_per_worker: 'GPUs are not used yet: distributed training comes in a later version of jhops.',
  memory_per_worker: 'Sets the Spark executor memory on Spark, and a memory limit for each local worker process.'
};

/** The launch settings form; `onSave` gets the settings as typed (the server validates them). */
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
    const note = FIELD_NOTES[name];
    if (note) {
      input.setAttribute('aria-describedby', `jp-jhops-note-${name}`);
    }
    return el(
      'div',
      { class: 'jp-jhops-field' },
      el('label', { class: 'jp-jhops-field-row' }, `${label} `, input),
      note ? el('div', { class: 'jp-jhops-field-note', id: `jp-jhops-note-${name}` }, note) : null
    );
  };
  form.append(
    modes,
    el('div', { class: 'jp-jhops-field' }, el('label', { class: 'jp-jhops-field-row' }, 'Executor ', executor)),
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
