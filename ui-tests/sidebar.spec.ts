/**
 * The jhops sidebar driven by galata in a real JupyterLab: compute settings used by a bare %%hops cell, an
 * experiment that appears and progresses live then finishes, a stop from the sidebar, and the iceberg feature
 * group's statistics. Each test saves a screenshot under test-results/galata-screenshots/.
 */
import { expect, test } from '@jupyterlab/galata';

const SHOTS = 'test-results/galata-screenshots';

test.use({ autoGoto: true });

async function showSidebar(page: any): Promise<void> {
  if (!(await page.locator('#jhops-sidebar').isVisible())) {
    await page.locator('.lm-TabBar-tab[data-id="jhops-sidebar"]').click();
  }
  await expect(page.locator('#jhops-sidebar .jp-jhops-compute')).toBeVisible({ timeout: 60000 });
}

/** Upload a notebook through the contents API (typing indented code into CodeMirror would re-indent it). */
async function notebookWith(page: any, tmpPath: string, name: string, cells: string[]): Promise<void> {
  const content = {
    cells: cells.map(source => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5
  };
  await page.contents.uploadContent(JSON.stringify(content), 'text', `${tmpPath}/${name}`);
  // The file browser is hidden behind the jhops panel, so open through the document manager's command.
  await page.evaluate(async (filePath: string) => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', { path: filePath });
  }, `${tmpPath}/${name}`);
  await expect(page.getByRole('main').getByRole('tab', { name: new RegExp(`^${name}`) })).toBeVisible({
    timeout: 30000
  });
  await page.notebook.activate(name);
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({ timeout: 60000 });
}

const CLIMB =
  'import time\n' +
  'def train(x, reporter):\n' +
  '    for step in range(6):\n' +
  '        reporter.broadcast(x * (step + 1) / 10, step=step)\n' +
  '        time.sleep(1.5)\n' +
  "    return {'acc': x * 0.6}";

const SLEEPY =
  'import time\n' +
  'def train(x):\n' +
  '    for i in range(600):\n' +
  "        print('epoch', i, flush=True)\n" +
  '        time.sleep(0.2)\n' +
  '    return x';

test('the extension activates and reaches its server extension', async ({ page }) => {
  // autoGoto has loaded the page before the test body, so reload to catch the activation message.
  const activated = page.waitForEvent('console', {
    predicate: message => message.text().startsWith('jhops '),
    timeout: 60000
  });
  await page.reload();
  const message = await activated;
  expect(message.type()).toBe('log');
  expect(message.text()).toMatch(/^jhops \S+ activated, project at \/.+$/);
  await showSidebar(page);
  await expect(page.locator('#jhops-sidebar .jp-jhops-warning')).toHaveCount(0);
});

test('the sidebar warns when the server and the front end versions differ', async ({ page }) => {
  // A server upgraded under an open page: its status answers another version than the loaded front end.
  await page.route(/\/jhops\/status(\?.*)?$/, async route => {
    const response = await route.fetch();
    const status = await response.json();
    await route.fulfill({ response, json: { ...status, version: '99.0.0' } });
  });
  await page.reload();
  await showSidebar(page);
  const warning = page.locator('#jhops-sidebar .jp-jhops-warning');
  await expect(warning).toContainText('jhops server 99.0.0 and front end', { timeout: 30000 });
  await expect(warning).toContainText('differ');
  await page.screenshot({ path: `${SHOTS}/version_warning.png` });
});

test('compute settings reach a bare %%hops cell, which runs live in the Experiments section', async ({
  page,
  tmpPath
}) => {
  await showSidebar(page);
  const form = page.locator('#jhops-sidebar .jp-jhops-compute');
  await form.locator('input[name="mode"][value="parallel"]').check();
  await form.locator('input[name="workers"]').fill('2');
  await form.locator('.jp-jhops-save').click();
  await expect(page.locator('#jhops-sidebar .jp-jhops-saved')).toBeVisible();

  await notebookWith(page, tmpPath, 'galata-search.ipynb', [
    "%load_ext jhops\nfrom jhops.experiment import Searchspace\nsearchspace = Searchspace(x=('DISCRETE', [1, 2, 3, 4]))",
    `%%hops --trials 4 --metric acc --early-stop none --name galata-run\n${CLIMB}`
  ]);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1, { wait: false });
  const item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='RUNNING']", { hasText: 'galata-run' });
  await expect(item).toBeVisible({ timeout: 90000 });
  await item.click();
  const detail = page.locator('#jhops-sidebar .jp-jhops-experiment-detail');
  await expect(detail.locator('.jp-jhops-chart polyline').first()).toBeVisible({ timeout: 60000 });
  await page.screenshot({ path: `${SHOTS}/experiment_live.png` });
  await expect(page.locator("#jhops-sidebar .jp-jhops-experiment-detail[data-state='FINISHED']")).toBeVisible({
    timeout: 120000
  });
  await expect(detail).toContainText('4/4 trials on 2 local worker(s)');
});

test('a running experiment is stopped from the sidebar', async ({ page, tmpPath }) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-long.ipynb', [
    "%load_ext jhops\nxs = {'x': [1, 2]}",
    `%%hops experiment --name galata-long --args xs --workers 2\n${SLEEPY}`
  ]);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1, { wait: false });
  const item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='RUNNING']", { hasText: 'galata-long' });
  await item.click({ timeout: 90000 });
  const detail = page.locator('#jhops-sidebar .jp-jhops-experiment-detail');
  await detail.locator('.jp-jhops-stop').click();
  await expect(page.locator("#jhops-sidebar .jp-jhops-experiment-detail[data-state='KILLED']")).toBeVisible({
    timeout: 60000
  });
  await page.screenshot({ path: `${SHOTS}/experiment_stopped.png` });
});

test("the iceberg feature group's statistics", async ({ page, tmpPath }) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-fs.ipynb', [
    'from jhops.datasets import iceberg\nfrom jhops.pipelines import iceberg_features\nimport jhops\n' +
      'fg, commit = iceberg_features.ingest(jhops.featurestore(), iceberg.synthetic_frame(n=80, seed=1))'
  ]);
  await page.notebook.runCell(0);
  const search = page.locator('#jhops-sidebar .jp-jhops-search');
  await search.fill('polarisation');
  await search.press('Enter');
  const hit = page.locator('#jhops-sidebar .jp-jhops-hit').first();
  await expect(hit).toBeVisible({ timeout: 30000 });
  await hit.click();
  const detail = page.locator("#jhops-sidebar .jp-jhops-group-detail[data-name='iceberg']");
  await expect(detail.locator('.jp-jhops-histogram')).toHaveCount(5, { timeout: 30000 });
  await expect(detail).toContainText('Statistics (80 rows)');
  await page.screenshot({ path: `${SHOTS}/feature_store.png` });
});

const PREDICTOR =
  'import numpy as np\n' +
  'class Scorer:\n' +
  '    def predict(self, inputs):\n' +
  '        batch = np.asarray(inputs, dtype="float32")\n' +
  '        return 1 / (1 + np.exp(-batch.sum(axis=1, keepdims=True)))\n';

test('a deployment is started, sent a test request, monitored and stopped from the sidebar', async ({
  page,
  tmpPath
}) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-serving.ipynb', [
    'import numpy as np\nfrom jhops import models, serving\n' +
      `open('scorer.py', 'w').write(${JSON.stringify(PREDICTOR)})\n` +
      "models.export('scorer.py', 'scorer', framework='python', predictor_class='Scorer',\n" +
      "              input_example=np.zeros((2, 4), dtype='float32'), metrics={'accuracy': 0.75})\n" +
      "serving.create_or_update('scorer', 'scorer', batching=True)"
  ]);
  await page.notebook.runCell(0);
  const serving = page.locator('#jhops-sidebar .jp-jhops-serving');
  await expect(serving.locator(".jp-jhops-model-item[data-name='scorer']")).toContainText('accuracy 0.75', {
    timeout: 30000
  });
  const item = serving.locator(".jp-jhops-deployment-item[data-name='scorer']");
  await expect(item).toHaveAttribute('data-state', 'CREATED');
  await item.locator('.jp-jhops-deployment-start').click();
  await expect(item).toHaveAttribute('data-state', 'RUNNING', { timeout: 90000 });

  await item.locator('.jp-jhops-name').click();
  const detail = page.locator("#jhops-sidebar .jp-jhops-deployment-detail[data-name='scorer']");
  await expect(detail).toHaveAttribute('data-state', 'RUNNING');
  const box = detail.locator('.jp-jhops-test-input');
  await expect(box).toHaveValue('[[0,0,0,0]]'); // an example in the signature's shape
  await box.fill('[[1, 1, 1, 1], [0, 0, 0, 0]]');
  await detail.locator('.jp-jhops-send').click();
  await expect(detail.locator('.jp-jhops-test-output')).toContainText('0.98', { timeout: 30000 });
  await expect(detail.locator('.jp-jhops-test-output')).toContainText('0.5');
  await expect(detail.locator('.jp-jhops-monitoring')).toContainText('1 request (2 instances)', { timeout: 30000 });
  await expect(detail.locator('.jp-jhops-latency')).toContainText('p99');

  // A request of the wrong shape is refused with the model server's message, and the server stays up.
  await box.fill('[[1, 2]]');
  await detail.locator('.jp-jhops-send').click();
  await expect(detail.locator('.jp-jhops-test-error')).toContainText('shape', { timeout: 30000 });
  await expect(detail.locator('.jp-jhops-monitoring')).toContainText('2 requests', { timeout: 30000 });
  await page.screenshot({ path: `${SHOTS}/deployment.png` });

  await detail.locator('.jp-jhops-deployment-stop').click();
  await expect(page.locator("#jhops-sidebar .jp-jhops-deployment-detail[data-name='scorer']")).toHaveAttribute(
    'data-state',
    'STOPPED',
    { timeout: 60000 }
  );
});

