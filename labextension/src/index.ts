import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { JhopsClient } from './api';
import { DetailPanel, detailTitle } from './details';
import { DETAIL_KINDS, DetailKind, detailKey, JhopsModel, parseGroupId } from './model';
import { JhopsSidebar } from './sidebar';
import { templateCells } from './templates';
import { FRONTEND_VERSION } from './version';

/** The command that inserts a `%%hops` template cell for the saved launch mode. */
export const INSERT_TEMPLATE = 'jhops:insert-template';

/**
 * The command that opens an entity's detail in a main-area tab, or activates the tab already open:
 * `{ kind: 'experiment', id: '3' }`, `{ kind: 'feature-group', id: 'iceberg/1' }`,
 * `{ kind: 'deployment', id: 'iceberg' }`.
 */
export const OPEN_DETAIL = 'jhops:open-detail';

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

/** The kind and id of the open command's arguments; throws with what is wrong. */
function detailArgs(args: { readonly [key: string]: unknown }): [DetailKind, string] {
  const kind = args.kind as DetailKind;
  const id = args.id === undefined || args.id === null ? '' : String(args.id);
  if (!DETAIL_KINDS.includes(kind) || !id) {
    throw new Error(
      `${OPEN_DETAIL} takes a kind (${DETAIL_KINDS.join(', ')}) and an id, for example ` +
        `{"kind": "experiment", "id": "3"}; got ${JSON.stringify(args)}`
    );
  }
  if (kind === 'feature-group') {
    parseGroupId(id);
  }
  return [kind, id];
}

/**
 * The jhops front end: the sidebar (Compute, Experiments, Feature Store, Models & Serving), details in
 * main-area tabs restored on reload, and the template command.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jhops:plugin',
  description:
    'The Hopsworks experience for ML pipelines in JupyterLab: experiments, search, feature store, serving.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null): void => {
    const client = new JhopsClient(app.serviceManager.serverSettings);
    const model = new JhopsModel(client, FRONTEND_VERSION);
    const tracker = new WidgetTracker<MainAreaWidget<DetailPanel>>({ namespace: 'jhops-detail' });

    app.commands.addCommand(OPEN_DETAIL, {
      label: args => {
        try {
          const [kind, id] = detailArgs(args);
          return `Open ${detailTitle(kind, id).caption}`;
        } catch {
          return 'Open a jhops Detail';
        }
      },
      describedBy: {
        args: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: DETAIL_KINDS },
            id: { type: 'string', description: 'experiment id, feature group NAME/VERSION, or deployment name' }
          },
          required: ['kind', 'id']
        }
      },
      execute: args => {
        const [kind, id] = detailArgs(args);
        const open = tracker.find(w => w.content.kind === kind && w.content.entityId === id);
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        const content = new DetailPanel(model, kind, id);
        const widget = new MainAreaWidget({ content });
        widget.id = `jhops-detail-${detailKey(kind, id).replace(/[^A-Za-z0-9_-]/g, '-')}`;
        widget.addClass('jp-jhops-detail-tab');
        widget.toolbar.hide();
        widget.title.closable = true;
        // The tab's title follows the content's, which names the entity once it is read.
        content.title.changed.connect(() => {
          widget.title.label = content.title.label;
          widget.title.caption = content.title.caption;
        });
        widget.title.label = content.title.label;
        widget.title.caption = content.title.caption;
        void tracker.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: OPEN_DETAIL,
        args: widget => ({ kind: widget.content.kind, id: widget.content.entityId }),
        name: widget => detailKey(widget.content.kind, widget.content.entityId)
      });
    }

    const sidebar = new JhopsSidebar(model, (kind, id) => void app.commands.execute(OPEN_DETAIL, { kind, id }));
    sidebar.title.label = 'jhops';
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);

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
