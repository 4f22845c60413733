/**
 * @jest-environment jsdom
 */
import { IComputeSettings } from '../api';
import { computeForm, IComputeProps } from '../compute';
import { hardCodedColours, text } from './see';

const SETTINGS: IComputeSettings = {
  mode: 'parallel',
  executor: 'local',
  workers: 2,
  gpus_per_worker: 0,
  spark_master: null,
  memory_per_worker: '2g'
};

function props(overrides: Partial<IComputeProps> = {}): IComputeProps {
  return {
    settings: SETTINGS,
    modes: { experiment: 'Experiment', parallel: 'Parallel Experiments', distributed: 'Distributed Training' },
    executors: ['local', 'spark'],
    error: null,
    saved: false,
    ...overrides
  };
}

function field(form: HTMLElement, name: string): HTMLElement {
  return form.querySelector(`[name="${name}"]`)!.closest('.jp-jhops-field') as HTMLElement;
}

describe('computeForm', () => {
  it('shows the saved settings', () => {
    const form = computeForm(props(), jest.fn());
    expect((form.querySelector('input[value="parallel"]') as HTMLInputElement).checked).toBe(true);
    expect((form.querySelector('[name="workers"]') as HTMLInputElement).value).toBe('2');
    expect((form.querySelector('[name="executor"]') as HTMLSelectElement).value).toBe('local');
    expect((form.querySelector('[name="memory_per_worker"]') as HTMLInputElement).value).toBe('2g');
    expect(hardCodedColours(form)).toEqual([]);
  });

  it('says next to GPUs per worker that it is not used yet', () => {
    const gpus = field(computeForm(props(), jest.fn()), 'gpus_per_worker');
    expect(text(gpus)).toMatch(/GPUs per worker.*not used yet.*distributed training/);
    const note = gpus.querySelector('.jp-jhops-field-note')!;
    expect(gpus.querySelector('input')!.getAttribute('aria-describedby')).toBe(note.id);
  });

  it('says what memory per worker limits', () => {
    const memory = text(field(computeForm(props(), jest.fn()), 'memory_per_worker'));
    expect(memory).toContain('Spark executor memory');
    expect(memory).toContain('local worker process');
  });

  it('hands the typed settings to onSave', () => {
    const onSave = jest.fn();
    const form = computeForm(props(), onSave);
    (form.querySelector('input[value="experiment"]') as HTMLInputElement).checked = true;
    (form.querySelector('[name="workers"]') as HTMLInputElement).value = '4';
    (form.querySelector('[name="executor"]') as HTMLSelectElement).value = 'spark';
    (form.querySelector('[name="spark_master"]') as HTMLInputElement).value = 'sc://localhost:15002';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(onSave).toHaveBeenCalledWith({
      mode: 'experiment',
      executor: 'spark',
      workers: 4,
      gpus_per_worker: 0,
      spark_master: 'sc://localhost:15002',
      memory_per_worker: '2g'
    });
  });

  it("shows the server's refusal, or that the settings were saved", () => {
    const refused = computeForm(props({ error: 'workers must be a whole number from 1 to 1024, got 0' }), jest.fn());
    expect(text(refused.querySelector('.jp-jhops-error')!)).toContain('workers must be a whole number');
    const saved = computeForm(props({ saved: true }), jest.fn());
    expect(text(saved.querySelector('.jp-jhops-saved')!)).toBe('Saved: new %%hops cells use these.');
  });
});
