import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { JhopsClient } from './api';
import { JhopsModel } from './model';
import { JhopsSidebar } from './sidebar';
import { templateCells } from './templates';
import { FRONTEND_VERSION } from './version';

/** The command that inserts a `%%hops` template cell for the saved launch mode. */
export const INSERT_TEMPLATE = 'jhops:insert-template';

/** The parts of a notebook panel the command needs (no dependency on @jupyterlab/notebook). */
interface INotebookLike {
  content: { activeCell: { model: { sharedModel: { setSource(text: string): void } } } | null };
}

function isNotebook(widget: unknown): widget is INotebookLike {
  return (
    typeof widget === 'object' &&
    widget !== null &&
    'content' in widget &&
    typeof (widget as { content: unknown }).content === 'object' &&
    'activeCell' in ((widget as { content: object }).content ?? {})
  );
}

/**
 * The jhops front end: the sidebar (Compute, Experiments, Feature Store) and the template command.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jhops:plugin',
  description:
    'The Hopsworks experience for ML pipelines in JupyterLab: experiments, search, feature store.',
  autoStart: true,
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null): void => {
    const client = new JhopsClient(app.serviceManager.serverSettings);
    const model = new JhopsModel(client, FRONTEND_VERSION);
    const sidebar = new JhopsSidebar(model);
    sidebar.title.label = 'jhops';
    app.shell.add(sidebar, 'left', { rank: 900 });

    app.commands.addCommand(INSERT_TEMPLATE, {
      label: 'jhops: Insert %%hops Cell for the Compute Settings',
      isEnabled: () => isNotebook(app.shell.currentWidget),
      execute: async () => {
        const notebook = app.shell.currentWidget;
        if (!isNotebook(notebook)) {
          return;
        }
        const settings = (model.compute ?? (await client.computeSettings())).settings;
        for (const source of templateCells(settings)) {
          await app.commands.execute('notebook:insert-cell-below');
          notebook.content.activeCell?.model.sharedModel.setSource(source);
        }
      }
    });
    palette?.addItem({ command: INSERT_TEMPLATE, category: 'jhops' });

    client
      .status()
      .then(status => {
        console.log(`jhops ${status.version} activated, project at ${status.project}`);
        if (status.version !== FRONTEND_VERSION) {
          console.warn(`jhops: server ${status.version} and front end ${FRONTEND_VERSION} differ`);
        }
      })
      .catch((reason: unknown) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        console.warn(`jhops activated, but its server extension did not answer: ${message}`);
      });
  }
};

export default [plugin];
