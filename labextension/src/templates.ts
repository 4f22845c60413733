/**
 * The `%%hops` cells the "insert template" command puts into a notebook, one set per launch mode.
 */
import { IComputeSettings } from './api';

/** The cells (source text) to insert for the saved settings, in order. */
export function templateCells(settings: IComputeSettings): string[] {
  const where =
    settings.executor === 'spark'
      ? `Spark (${settings.spark_master ?? 'the active session'})`
      : 'local processes';
  const header = `%%hops\n# ${settings.mode} mode on ${where}, ${settings.workers} worker(s): the sidebar's compute settings`;
  if (settings.mode === 'parallel') {
    return [
      'from jhops.experiment import Searchspace\n\n' +
        "searchspace = Searchspace(learning_rate=('DOUBLE', [1e-4, 1e-1], 'log'), dropout=('DOUBLE', [0.0, 0.5]))",
      `${header}; add --trials N --metric accuracy --early-stop median\n` +
        'def train(learning_rate, dropout, reporter):\n' +
        '    accuracy = 0.0\n' +
        '    for epoch in range(5):\n' +
        '        accuracy = 1 - abs(learning_rate - 0.01) - dropout / 10  # your training step here\n' +
        '        reporter.broadcast(accuracy, step=epoch)\n' +
        '    return {"accuracy": accuracy}'
    ];
  }
  if (settings.mode === 'distributed') {
    return [
      '# Distributed Training is not available from a %%hops cell in this version of jhops;\n' +
        '# choose Experiment or Parallel Experiments in the sidebar.'
    ];
  }
  return [
    `${header}; add --args VAR for several trials\n` +
      'def train(learning_rate=0.001, reporter=None):\n' +
      '    accuracy = 0.0  # your training here; reporter.broadcast(value, step=epoch) shows a live curve\n' +
      '    return {"accuracy": accuracy}'
  ];
}
