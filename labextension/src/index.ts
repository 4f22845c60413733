import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { JhopsClient } from './api';

/**
 * The jhops front end: for now it checks that the server extension answers.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jhops:plugin',
  description:
    'The Hopsworks experience for ML pipelines in JupyterLab: experiments, search, feature store.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    const client = new JhopsClient(app.serviceManager.serverSettings);
    client
      .status()
      .then(status => {
        console.log(
          `jhops ${status.version} activated, project at ${status.project}`
        );
      })
      .catch((reason: unknown) => {
        const message =
          reason instanceof Error ? reason.message : String(reason);
        console.warn(
          `jhops activated, but its server extension did not answer: ${message}`
        );
      });
  }
};

export default [plugin];
