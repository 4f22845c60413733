import { ServerConnection } from '@jupyterlab/services';
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';

import { IComputeSettings, JhopsClient } from '../api';
import { JhopsRequestError } from '../request';

const BASE_URL = 'http://localhost:8888/lab%20x/';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

describe('JhopsClient', () => {
  let makeRequest: jest.SpyInstance;
  let client: JhopsClient;

  beforeEach(() => {
    makeRequest = jest.spyOn(ServerConnection, 'makeRequest');
    client = new JhopsClient(ServerConnection.makeSettings({ baseUrl: BASE_URL }));
  });

  afterEach(() => {
    makeRequest.mockRestore();
  });

  function called(): { url: string; init: RequestInit } {
    const [url, init] = makeRequest.mock.calls[makeRequest.mock.calls.length - 1];
    return { url, init };
  }

  it('saves compute settings with PUT and a JSON body', async () => {
    const settings: IComputeSettings = {
      mode: 'parallel',
      executor: 'spark',
      workers: 2,
      gpus_per_worker: 0,
      spark_master: 'local[2]',
      memory_per_worker: '2g'
    };
    makeRequest.mockResolvedValue(jsonResponse(200, { settings, modes: {} }));

    const answer = await client.saveComputeSettings(settings);

    expect(answer.settings).toEqual(settings);
    expect(called().url).toBe(`${BASE_URL}jhops/compute`);
    expect(called().init.method).toBe('PUT');
    expect(JSON.parse(called().init.body as string)).toEqual(settings);
  });

  it('rejects invalid settings with the server message', async () => {
    makeRequest.mockResolvedValue(
      jsonResponse(400, { message: 'Invalid compute settings: workers must be a whole number from 1 to 1024, got 0.' })
    );

    await expect(
      client.saveComputeSettings({
        mode: 'experiment',
        executor: 'local',
        workers: 0,
        gpus_per_worker: 0,
        spark_master: null,
        memory_per_worker: '2g'
      })
    ).rejects.toThrow(new JhopsRequestError('Invalid compute settings: workers must be a whole number from 1 to 1024, got 0.', 400, new Response()));
  });

  it('lists experiments and unwraps the list', async () => {
    makeRequest.mockResolvedValue(jsonResponse(200, { experiments: [{ id: 3, name: 'grid' }] }));

    const experiments = await client.experiments(20);

    expect(experiments.map(e => e.id)).toEqual([3]);
    expect(called().url).toBe(`${BASE_URL}jhops/experiments?limit=20`);
  });

  it('stops an experiment with DELETE', async () => {
    makeRequest.mockResolvedValue(jsonResponse(202, { id: 7, state: 'RUNNING', stop_requested: 1 }));

    const answer = await client.stopExperiment(7);

    expect(answer.stop_requested).toBe(1);
    expect(called().url).toBe(`${BASE_URL}jhops/experiments/7`);
    expect(called().init.method).toBe('DELETE');
  });

  it('a 409 for an ended experiment carries its status', async () => {
    makeRequest.mockResolvedValue(jsonResponse(409, { message: 'Experiment 7 is FINISHED, not RUNNING.' }));

    const error = await client.stopExperiment(7).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JhopsRequestError);
    expect((error as JhopsRequestError).status).toBe(409);
    expect((error as JhopsRequestError).message).toBe('Experiment 7 is FINISHED, not RUNNING.');
  });

  it('builds feature store URLs with the commit and an escaped search text', async () => {
    makeRequest.mockResolvedValue(jsonResponse(200, { commit: 0, statistics: { rows: 1 } }));
    await client.statistics('iceberg', 1, 0);
    expect(called().url).toBe(`${BASE_URL}jhops/featurestore/groups/iceberg/1/statistics?commit=0`);

    makeRequest.mockResolvedValue(jsonResponse(200, { query: 'a b&c', hits: [{ name: 'iceberg' }] }));
    const hits = await client.search('a b&c');
    expect(hits).toEqual([{ name: 'iceberg' }]);
    expect(called().url).toBe(`${BASE_URL}jhops/featurestore/search?q=a%20b%26c`);
  });

  it('starts a deployment with POST and sends a test request with its instances', async () => {
    makeRequest.mockResolvedValue(jsonResponse(200, { name: 'ice berg', state: 'RUNNING' }));
    const status = await client.deploymentAction('ice berg', 'start');
    expect(status.state).toBe('RUNNING');
    expect(called().url).toBe(`${BASE_URL}jhops/deployments/ice%20berg/start`);
    expect(called().init.method).toBe('POST');

    makeRequest.mockResolvedValue(jsonResponse(200, { predictions: [[2, 4]] }));
    const predictions = await client.predict('iceberg', [[1, 2]]);
    expect(predictions).toEqual([[2, 4]]);
    expect(called().url).toBe(`${BASE_URL}jhops/deployments/iceberg/predict`);
    expect(JSON.parse(called().init.body as string)).toEqual({ instances: [[1, 2]] });
  });

  it('a refused test request rejects with the model server\'s message', async () => {
    makeRequest.mockResolvedValue(jsonResponse(400, { message: 'expected shape (None, 3), got (1, 2)' }));
    const error = await client.predict('iceberg', [[1, 2]]).catch((e: unknown) => e);
    expect((error as JhopsRequestError).status).toBe(400);
    expect((error as JhopsRequestError).message).toContain('expected shape');
  });

  it('unwraps the models and deployments lists and reads a monitoring report', async () => {
    makeRequest.mockResolvedValue(jsonResponse(200, { models: [{ name: 'iceberg-cnn', versions: [], latest: {} }] }));
    expect((await client.models()).map(m => m.name)).toEqual(['iceberg-cnn']);
    expect(called().url).toBe(`${BASE_URL}jhops/models`);
    makeRequest.mockResolvedValue(jsonResponse(200, { deployments: [{ name: 'iceberg', state: 'STOPPED' }] }));
    expect((await client.deployments()).map(d => d.state)).toEqual(['STOPPED']);
    makeRequest.mockResolvedValue(jsonResponse(200, { requests: { count: 3 } }));
    expect((await client.monitoring('iceberg')).requests.count).toBe(3);
    expect(called().url).toBe(`${BASE_URL}jhops/deployments/iceberg/monitoring`);
  });
});

describe('schema.ts', () => {
  const root = path.resolve(__dirname, '../../..');

  it('is what `jlpm build:schema` generates from openapi.yaml', () => {
    // The script's own command, printing to stdout instead of writing the file.
    const script: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts['build:schema'];
    const [command, ...args] = script.split(/\s+/);
    const output = args.indexOf('--output');
    const file = args[output + 1];
    args.splice(output, 2);
    const generated = execFileSync(path.join(root, 'node_modules', '.bin', command), args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    });

    expect(command).toBe('openapi-typescript');
    expect(output).toBeGreaterThan(0);
    expect(readFileSync(path.join(root, file), 'utf8')).toBe(generated); // else run `jlpm build:schema`
  });
});
