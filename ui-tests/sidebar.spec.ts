/**
 * The jhops sidebar driven by galata in a real JupyterLab: compute settings used by a bare %%hops cell, an
 * experiment that appears in the sidebar and opens in a main-area tab that follows it live and survives a page
 * reload, a stop from the sidebar, the iceberg feature group's statistics in a tab, a deployment started from the
 * sidebar and monitored in a tab, charts with axis ticks, and chart colours that follow the dark theme. Each test
 * saves a screenshot under test-results/galata-screenshots/.
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

/** A detail in the main area (not in the sidebar). */
function tab(page: any, selector: string): any {
  return page.locator(`#jp-main-dock-panel ${selector}`);
}

/** The main area's tab whose title matches, and whether it is the current one. */
function tabTitle(page: any, title: RegExp): any {
  return page.locator('#jp-main-dock-panel .lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: title });
}

/**
 * Reload the page. JupyterLab dropped galata's ?reset from the address once it had reset the workspace, so the
 * layout is restored; galata's own readiness check waits for the Launcher tab, which a restored tab replaces.
 */
/**
 * Reload the page once JupyterLab has saved a layout holding the tab `entry` (`kind:id`): the layout restorer
 * writes the workspace a moment after the layout changes, and a reload before that loses the tab. The request is
 * made from the page, where galata serves the workspace it keeps for the test.
 */
async function reload(page: any, entry: string): Promise<void> {
  expect(page.url()).not.toContain('reset');
  const savedLayout = (): Promise<string> =>
    page.evaluate(async () => JSON.stringify(await (await fetch('/lab/api/workspaces')).json()));
  await expect.poll(savedLayout, { timeout: 30000 }).toContain(`jhops-detail:${entry}`);
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
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

const QUICK =
  'def train(k, reporter):\n' +
  '    for step in range(12):\n' +
  '        reporter.broadcast({"acc": 0.2 * k + step * 0.02 * k}, step=step)\n' +
  "    return {'acc': 0.42 * k}";

/** Whether a sequence of numbers is evenly spaced by 1, 2 or 5 times a power of ten. */
function isNiceSteps(values: number[]): boolean {
  if (values.length < 2) {
    return false;
  }
  const step = values[1] - values[0];
  const power = Math.pow(10, Math.floor(Math.log10(step)));
  const mantissa = Math.round((step / power) * 1000) / 1000;
  return (
    [1, 2, 2.5, 5, 10].includes(mantissa) &&
    values.every((v, i) => i === 0 || Math.abs(v - values[i - 1] - step) < step * 1e-6)
  );
}

/** The tick labels of a chart's axes, with their boxes on screen. */
async function axisTicks(chart: any): Promise<Record<'x' | 'y', Array<{ text: string; box: number[] }>>> {
  return chart.evaluate((svg: SVGElement) => {
    const read = (axis: string) =>
      [...svg.querySelectorAll(`.jp-jhops-axis-${axis} .jp-jhops-tick text`)].map(t => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent ?? '', box: [r.left, r.top, r.right, r.bottom] };
      });
    return { x: read('x'), y: read('y') };
  });
}

function overlaps(a: number[], b: number[]): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

async function expectReadableAxes(chart: any): Promise<void> {
  const ticks = await axisTicks(chart);
  for (const axis of ['x', 'y'] as const) {
    const labels = ticks[axis];
    expect(labels.length, `${axis} ticks`).toBeGreaterThanOrEqual(3);
    const values = labels.map(t => Number(t.text.replace(/[^0-9.eE+-]/g, '')));
    expect(values.every(v => Number.isFinite(v)), `${axis} tick labels are numbers: ${labels.map(t => t.text)}`).toBe(
      true
    );
    const sorted = axis === 'x' ? values : values.slice().sort((a, b) => a - b);
    expect(isNiceSteps(sorted), `${axis} ticks at round steps: ${labels.map(t => t.text)}`).toBe(true);
    for (let i = 1; i < labels.length; i++) {
      expect(overlaps(labels[i - 1].box, labels[i].box), `${axis} labels ${labels[i - 1].text} and ${labels[i].text}`).toBe(
        false
      );
    }
  }
}

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

test('the Compute section says that GPUs per worker is not used yet, and what memory per worker limits', async ({
  page
}) => {
  await showSidebar(page);
  const form = page.locator('#jhops-sidebar .jp-jhops-compute');
  const gpus = form.locator('.jp-jhops-field', { has: page.locator('input[name="gpus_per_worker"]') });
  await expect(gpus).toContainText('not used yet');
  await expect(gpus).toContainText('distributed training');
  const memory = form.locator('.jp-jhops-field', { has: page.locator('input[name="memory_per_worker"]') });
  await expect(memory).toContainText('Spark executor memory');
  await expect(memory).toContainText('local worker process');
  await gpus.scrollIntoViewIfNeeded();
  await page.locator('#jhops-sidebar').screenshot({ path: `${SHOTS}/compute.png` });
});

test('compute settings reach a bare %%hops cell, whose experiment opens in a tab that follows it live and survives a reload', async ({
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
  const id = await item.getAttribute('data-id');
  await item.click();

  // The detail opens in the main area, not in the sidebar, and follows the running experiment.
  const detail = tab(page, `.jp-jhops-experiment-detail[data-id='${id}']`);
  await expect(detail).toBeVisible({ timeout: 30000 });
  await expect(page.locator('#jhops-sidebar .jp-jhops-experiment-detail')).toHaveCount(0);
  await expect(tabTitle(page, /galata-run/)).toHaveCount(1);
  await expect(detail).toHaveAttribute('data-state', 'RUNNING');
  const chart = detail.locator('svg.jp-jhops-chart').first();
  await expect(chart.locator('polyline').first()).toBeVisible({ timeout: 60000 });
  await page.screenshot({ path: `${SHOTS}/experiment_live.png` });
  await expect(detail).toHaveAttribute('data-state', 'FINISHED', { timeout: 120000 });
  await expect(detail).toContainText('4/4 trials on 2 local worker(s)');
  await expect(chart.locator('polyline')).toHaveCount(4);

  // The chart has axes with round, readable ticks, and says what its axes are.
  await expectReadableAxes(chart);
  await expect(chart.locator('.jp-jhops-axis-title')).toContainText(['step', 'acc']);
  await detail.screenshot({ path: `${SHOTS}/experiment_tab.png` });
  await page.screenshot({ path: `${SHOTS}/experiment_finished.png` });

  // Opening it again activates the tab there is, rather than a second one.
  await page.notebook.activate('galata-search.ipynb');
  await expect(tabTitle(page, /galata-run/)).not.toHaveClass(/lm-mod-current/);
  await page.locator(`#jhops-sidebar .jp-jhops-experiment-item[data-id='${id}']`).click();
  await expect(tabTitle(page, /galata-run/)).toHaveCount(1);
  await expect(tabTitle(page, /galata-run/)).toHaveClass(/lm-mod-current/);

  // A reload brings the tab back, with its content.
  await reload(page, `experiment:${id}`);
  await expect(tab(page, `.jp-jhops-experiment-detail[data-id='${id}']`)).toHaveAttribute('data-state', 'FINISHED', {
    timeout: 60000
  });
  await expect(tab(page, `.jp-jhops-experiment-detail[data-id='${id}']`)).toContainText('4/4 trials');
});

test('a running experiment is stopped from the sidebar, and its tab shows it killed', async ({ page, tmpPath }) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-long.ipynb', [
    "%load_ext jhops\nxs = {'x': [1, 2]}",
    `%%hops experiment --name galata-long --args xs --workers 2\n${SLEEPY}`
  ]);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1, { wait: false });
  const item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='RUNNING']", { hasText: 'galata-long' });
  await expect(item).toBeVisible({ timeout: 90000 });
  const id = await item.getAttribute('data-id');
  await item.locator('.jp-jhops-name').click();
  const detail = tab(page, `.jp-jhops-experiment-detail[data-id='${id}']`);
  await expect(detail).toHaveAttribute('data-state', 'RUNNING', { timeout: 30000 });
  await expect(detail.locator('.jp-jhops-logs')).toContainText('epoch', { timeout: 60000 });
  // The list keeps the action: Stop on the running experiment's row.
  await item.locator('.jp-jhops-stop').click();
  await expect(page.locator(`#jhops-sidebar .jp-jhops-experiment-item[data-id='${id}']`)).toHaveAttribute(
    'data-state',
    'KILLED',
    { timeout: 60000 }
  );
  await expect(detail).toHaveAttribute('data-state', 'KILLED', { timeout: 60000 });
  await page.screenshot({ path: `${SHOTS}/experiment_stopped.png` });
});

test("the iceberg feature group's statistics open in a tab that survives a reload", async ({ page, tmpPath }) => {
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
  const detail = tab(page, ".jp-jhops-group-detail[data-name='iceberg'][data-version='1']");
  await expect(detail.locator('svg.jp-jhops-histogram')).toHaveCount(5, { timeout: 30000 });
  await expect(detail).toContainText('Statistics (80 rows)');
  await expect(page.locator('#jhops-sidebar .jp-jhops-group-detail')).toHaveCount(0);
  // Each histogram has a value axis with ticks.
  const ticks = await detail.locator('svg.jp-jhops-histogram').first().locator('.jp-jhops-axis-x .jp-jhops-tick').count();
  expect(ticks).toBeGreaterThanOrEqual(2);
  await page.screenshot({ path: `${SHOTS}/feature_store.png` });

  // The group's row in the list opens the same tab.
  await search.fill('');
  await search.press('Enter');
  await page.locator("#jhops-sidebar .jp-jhops-group-item[data-name='iceberg']").click();
  await expect(tab(page, ".jp-jhops-group-detail[data-name='iceberg']")).toHaveCount(1);

  await reload(page, 'feature-group:iceberg/1');
  const restored = tab(page, ".jp-jhops-group-detail[data-name='iceberg'][data-version='1']");
  await expect(restored.locator('svg.jp-jhops-histogram')).toHaveCount(5, { timeout: 60000 });
  await expect(restored).toContainText('Statistics (80 rows)');
});

const PREDICTOR =
  'import numpy as np\n' +
  'class Scorer:\n' +
  '    def predict(self, inputs):\n' +
  '        batch = np.asarray(inputs, dtype="float32")\n' +
  '        return 1 / (1 + np.exp(-batch.sum(axis=1, keepdims=True)))\n';

test('a deployment is started from the sidebar, tested and monitored live in its tab, and stopped', async ({
  page,
  tmpPath
}) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-serving.ipynb', [
    'import numpy as np\nfrom jhops import models, serving\n' +
      `open('scorer.py', 'w').write(${JSON.stringify(PREDICTOR)})\n` +
      "models.export('scorer.py', 'scorer', framework='python', predictor_class='Scorer',\n" +
      "              input_example=np.zeros((2, 4), dtype='float32'), metrics={'accuracy': 0.75})\n" +
      "serving.create_or_update('scorer', 'scorer', batching=True)",
    "for _ in range(3):\n    serving.predict('scorer', np.ones((1, 4), dtype='float32'))"
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
  const detail = tab(page, ".jp-jhops-deployment-detail[data-name='scorer']");
  await expect(detail).toHaveAttribute('data-state', 'RUNNING', { timeout: 30000 });
  await expect(page.locator('#jhops-sidebar .jp-jhops-deployment-detail')).toHaveCount(0);
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

  // Traffic from a notebook shows up in the open tab without a click: its monitoring is polled.
  await page.notebook.activate('galata-serving.ipynb');
  await page.notebook.runCell(1);
  await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'scorer' }).click();
  await expect(detail.locator('.jp-jhops-monitoring')).toContainText('5 requests', { timeout: 60000 });
  await expectReadableAxes(detail.locator('svg.jp-jhops-chart').first());
  await page.screenshot({ path: `${SHOTS}/deployment.png` });

  await reload(page, 'deployment:scorer');
  await showSidebar(page);
  const restored = tab(page, ".jp-jhops-deployment-detail[data-name='scorer']");
  await expect(restored.locator('.jp-jhops-monitoring')).toContainText('5 requests', { timeout: 60000 });

  // Stop from the sidebar's list: the open tab follows.
  await page
    .locator("#jhops-sidebar .jp-jhops-deployment-item[data-name='scorer'] .jp-jhops-deployment-stop")
    .click();
  await expect(restored).toHaveAttribute('data-state', 'STOPPED', { timeout: 60000 });
});

/** The relative luminance of a CSS colour as the browser computed it (rgb(...) or rgba(...)). */
function luminance(color: string): number {
  const parts = color.match(/[\d.]+/g)?.map(Number) ?? [];
  const [r, g, b] = parts.slice(0, 3).map(v => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The colours the browser computed for a chart: its labels, axis lines, series, and what it is drawn on. */
async function chartColours(chart: any): Promise<{ text: string; axis: string; series: string[]; background: string }> {
  return chart.evaluate((svg: SVGElement) => {
    const style = (node: Element | null) => (node ? getComputedStyle(node) : null);
    let back: Element | null = svg;
    while (back && ['rgba(0, 0, 0, 0)', 'transparent'].includes(style(back)!.backgroundColor)) {
      back = back.parentElement;
    }
    return {
      text: style(svg.querySelector('text'))!.fill,
      axis: style(svg.querySelector('.jp-jhops-axis line') ?? svg.querySelector('line, rect[fill="none"]'))!.stroke,
      series: [...svg.querySelectorAll('polyline')].map(p => style(p)!.stroke),
      background: back ? style(back)!.backgroundColor : 'rgb(255, 255, 255)'
    };
  });
}

/** Switch JupyterLab's theme through its command, as the Settings menu does. */
async function theme(page: any, name: 'JupyterLab Light' | 'JupyterLab Dark'): Promise<void> {
  await page.evaluate(async (theme: string) => {
    await (window as any).jupyterapp.commands.execute('apputils:change-theme', { theme });
  }, name);
  await expect(page.locator(`body[data-jp-theme-name="${name}"]`)).toHaveCount(1, { timeout: 30000 });
  await expect(page.locator(`body[data-jp-theme-light="${name === 'JupyterLab Light'}"]`)).toHaveCount(1);
}

type Colours = Awaited<ReturnType<typeof chartColours>>;

/** Labels dark on light and light on dark, axes and series that change with the theme and stand out. */
function expectThemed(where: string, light: Colours, dark: Colours): void {
  expect(luminance(light.text), `${where} labels on the light theme: ${light.text}`).toBeLessThan(0.2);
  expect(luminance(dark.text), `${where} labels on the dark theme: ${dark.text}`).toBeGreaterThan(0.4);
  expect(contrast(dark.text, dark.background), `${where} labels on ${dark.background}`).toBeGreaterThan(4.5);
  expect(dark.axis, `${where} axis lines follow the theme`).not.toBe(light.axis);
  expect(dark.series, `${where} series colours follow the theme`).not.toEqual(light.series);
  expect(new Set(dark.series).size, `${where} series are told apart: ${dark.series}`).toBe(dark.series.length);
  for (const stroke of dark.series) {
    expect(contrast(stroke, dark.background), `${where} series ${stroke} on ${dark.background}`).toBeGreaterThan(3);
  }
}

test("the notebook's and the detail tab's charts follow the dark theme", async ({ page, tmpPath }) => {
  await showSidebar(page);
  await notebookWith(page, tmpPath, 'galata-theme.ipynb', [
    `%load_ext jhops\nxs = {'k': [1, 2, 3]}`,
    `%%hops experiment --name galata-theme --args xs --workers 1\n${QUICK}`
  ]);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);
  // The cell's own live view draws a chart: that is the notebook's chart.
  const cellChart = page.locator('.jp-OutputArea-output svg.jp-jhops-chart').first();
  await expect(cellChart.locator('polyline')).toHaveCount(3, { timeout: 60000 });
  const lightCell = await chartColours(cellChart);
  await cellChart.screenshot({ path: `${SHOTS}/theme_light_cell.png` });
  await theme(page, 'JupyterLab Dark');
  const darkCell = await chartColours(cellChart);
  await cellChart.screenshot({ path: `${SHOTS}/theme_dark_cell.png` });
  expectThemed('notebook chart', lightCell, darkCell);

  const item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='FINISHED']", {
    hasText: 'galata-theme'
  });
  await item.click({ timeout: 60000 });
  const detail = tab(page, '.jp-jhops-experiment-detail');
  const chart = detail.locator('svg.jp-jhops-chart').first();
  await expect(chart.locator('polyline')).toHaveCount(3, { timeout: 30000 });
  const dark = await chartColours(chart);
  await page.screenshot({ path: `${SHOTS}/theme_dark.png` });
  await detail.screenshot({ path: `${SHOTS}/theme_dark_tab.png` });
  await theme(page, 'JupyterLab Light');
  const light = await chartColours(chart);
  await detail.screenshot({ path: `${SHOTS}/theme_light_tab.png` });
  expectThemed('tab chart', light, dark);
});
