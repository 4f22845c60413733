/**
 * The only network code of the front end: every call to the jhops server extension goes through
 * `requestAPI`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The URL namespace of the jhops server extension, under the server's base URL. */
export const API_NAMESPACE = 'jhops';

/**
 * The server answered with a status outside 2xx.
 *
 * `message` is the `message` field of the server's JSON error body when there is one.
 */
export class JhopsRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly response: Response
  ) {
    super(message);
    this.name = 'JhopsRequestError';
  }
}

/**
 * Call the jhops server extension.
 *
 * @param endPoint - the path under `<baseUrl>/jhops/`, for example `status`
 * @param init - the fetch options (method, body, ...)
 * @param settings - the server connection settings
 * @returns the response body parsed as JSON (`undefined` for an empty body)
 * @throws ServerConnection.NetworkError when the server cannot be reached
 * @throws JhopsRequestError when the server answers with a status outside 2xx
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      if (response.ok) {
        throw new JhopsRequestError(
          `jhops: the server answered ${url} with a body that is not JSON`,
          response.status,
          response
        );
      }
      data = text;
    }
  }

  if (!response.ok) {
    throw new JhopsRequestError(
      errorMessage(data, response),
      response.status,
      response
    );
  }
  return data as T;
}

function errorMessage(data: unknown, response: Response): string {
  if (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as { message?: unknown }).message === 'string' &&
    (data as { message: string }).message.length > 0
  ) {
    return (data as { message: string }).message;
  }
  const reason = response.statusText || 'request failed';
  return `${response.status} ${reason}`;
}
