import { IComputeSettings } from '../api';
import { templateCells } from '../templates';

const BASE: IComputeSettings = {
  mode: 'experiment',
  executor: 'local',
  workers: 2,
  gpus_per_worker: 0,
  spark_master: null,
  memory_per_worker: '2g'
};

describe('templateCells', () => {
  it('gives one bare %%hops cell for Experiment mode', () => {
    const cells = templateCells(BASE);
    expect(cells).toHaveLength(1);
    expect(cells[0].startsWith('%%hops\n')).toBe(true);
    expect(cells[0]).toContain('def train(');
  });

  it('defines the searchspace variable in a cell before the search for Parallel Experiments', () => {
    const cells = templateCells({ ...BASE, mode: 'parallel', executor: 'spark', spark_master: 'local[2]' });
    expect(cells).toHaveLength(2);
    expect(cells[0]).toContain('searchspace = Searchspace(');
    expect(cells[1]).toContain('Spark (local[2]), 2 worker(s)');
    expect(cells[1]).toContain('reporter.broadcast(');
  });

  it('says that Distributed Training cannot run from a cell yet', () => {
    expect(templateCells({ ...BASE, mode: 'distributed' })[0]).toContain('not available');
  });
});
