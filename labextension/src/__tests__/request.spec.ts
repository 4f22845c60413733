import { ServerConnection } from '@jupyterlab/services';

import { JhopsClient } from '../api';
import { JhopsRequestError, requestAPI } from '../request';

const BASE_URL = 'http://localhost:8888/a%40b/';

function settings(): ServerConnection.ISettings {
  return ServerConnection.makeSettings({ baseUrl: BASE_URL });
}

/** The error a promise rejects with; fails the test when it resolves instead. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

describe('requestAPI', () => {
  let makeRequest: jest.SpyInstance;

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });

  afterEach(() => {
    makeRequest.mockRestore();
  });

  it('calls <baseUrl>/jhops/<endPoint> with the given init and settings', async () => {
    makeRequest.mockResolvedValue(jsonResponse(200, { ok: true }));
    const s = settings();

    await requestAPI('status', { method: 'GET' }, s);

    expect(makeRequest).toHaveBeenCalledTimes(1);
    const [url, init, passedSettings] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/a%40b/jhops/status');
    expect(init).toEqual({ method: 'GET' });
    expect(passedSettings).toBe(s);
  });

  it('parses the JSON body', async () => {
    makeRequest.mockResolvedValue(
      jsonResponse(200, { version: '0.1.0', executors: ['local'] })
    );

    const data = await requestAPI<{ version: string; executors: string[] }>(
      'status',
      {},
      settings()
    );

    expect(data).toEqual({ version: '0.1.0', executors: ['local'] });
  });

  it('returns undefined for an empty body', async () => {
    makeRequest.mockResolvedValue(new Response(null, { status: 204 }));

    await expect(requestAPI('things/1', {}, settings())).resolves.toBeUndefined();
  });

  it('rejects a non-2xx answer with the server message and status', async () => {
    makeRequest.mockResolvedValue(jsonResponse(404, { message: 'nope' }));

    const error = await rejectionOf(requestAPI('status', {}, settings()));

    expect(error).toBeInstanceOf(JhopsRequestError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ message: 'nope', status: 404 });
  });

  it('rejects a non-2xx answer without a JSON message with the status', async () => {
    makeRequest.mockResolvedValue(
      new Response('<html>bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway'
      })
    );

    const error = await rejectionOf(requestAPI('status', {}, settings()));

    expect(error).toBeInstanceOf(JhopsRequestError);
    expect(error).toMatchObject({ message: '502 Bad Gateway', status: 502 });
  });

  it('rejects a 2xx answer whose body is not JSON', async () => {
    makeRequest.mockResolvedValue(new Response('not json', { status: 200 }));

    await expect(requestAPI('status', {}, settings())).rejects.toThrow(
      /not JSON/
    );
  });

  it('rejects with a NetworkError when the server cannot be reached', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));

    const error = await rejectionOf(requestAPI('status', {}, settings()));

    expect(error).toBeInstanceOf(ServerConnection.NetworkError);
    expect(error.message).toBe('Failed to fetch');
  });
});

describe('JhopsClient', () => {
  let makeRequest: jest.SpyInstance;

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
  });

  afterEach(() => {
    makeRequest.mockRestore();
  });

  it('status() GETs jhops/status and returns the typed body', async () => {
    const body = {
      version: '0.1.0',
      project: '/tmp/jhops-project',
      executors: ['local', 'spark'],
      python: '3.11.2'
    };
    makeRequest.mockResolvedValue(jsonResponse(200, body));
    const client = new JhopsClient(settings());

    const status = await client.status();

    expect(status).toEqual(body);
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/a%40b/jhops/status');
    expect(init.method).toBe('GET');
  });

  it('status() passes server errors through', async () => {
    makeRequest.mockResolvedValue(
      jsonResponse(500, { message: 'project database is locked' })
    );
    const client = new JhopsClient(settings());

    await expect(client.status()).rejects.toThrow('project database is locked');
  });
});
