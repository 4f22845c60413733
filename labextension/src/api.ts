/**
 * A typed client of the jhops server extension. Widgets use this, never `fetch` or URLs.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

/** An executor that can run trials: mirrors the names the Python side reports. */
export type ExecutorName = 'local' | 'spark';

/** `GET /jhops/status`: mirrors the JSON written by `jhops.server.status.StatusHandler`. */
export interface IStatus {
  /** The version of the jhops Python package. */
  version: string;
  /** The root of the jhops project (a path or an fsspec URL). */
  project: string;
  /** The executors available on the server, `local` first. */
  executors: ExecutorName[];
  /** The Python version of the server, for example `3.11.2`. */
  python: string;
}

export class JhopsClient {
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** The server extension's version, project root and executors. */
  status(): Promise<IStatus> {
    return requestAPI<IStatus>('status', { method: 'GET' }, this.settings);
  }
}
