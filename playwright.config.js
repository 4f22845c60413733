/**
 * galata (Playwright for JupyterLab) in Debian's Chromium. `make galata` runs the browser tests
 * (ui-tests/sidebar.spec.ts) against a JupyterLab with the jhops extensions of `.venv` and a fresh jhops
 * project in a temporary folder. `make screenshots` sets JHOPS_TOUR_PROJECT to the project `make demo` filled
 * and runs ui-tests/tour.spec.ts instead, which saves the README's screenshots from that real data.
 */
const os = require('os');
const path = require('path');
const fs = require('fs');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const tourProject = process.env.JHOPS_TOUR_PROJECT;
// Playwright loads this file again in its worker processes; they inherit the first one's folder.
const project =
  tourProject ||
  process.env.JHOPS_GALATA_PROJECT ||
  fs.mkdtempSync(path.join(os.tmpdir(), 'jhops-galata-project-'));
process.env.JHOPS_GALATA_PROJECT = project;
const root =
  process.env.JUPYTERLAB_GALATA_ROOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'jhops-galata-root-'));
process.env.JUPYTERLAB_GALATA_ROOT_DIR = root;
const venv = path.join(__dirname, '.venv', 'bin');
// Not JupyterLab's usual 8888, so a lab the developer has open does not stop the tests.
const port = 8898;

module.exports = {
  ...baseConfig,
  testDir: 'ui-tests',
  testIgnore: tourProject ? ['**/sidebar.spec.ts'] : ['**/tour.spec.ts'],
  outputDir: 'test-results/galata',
  reporter: [['list']],
  timeout: 240000,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 900 },
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `${path.join(venv, 'jupyter')} lab --config ui-tests/jupyter_server_test_config.py --port ${port}`,
    url: `http://127.0.0.1:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    env: {
      ...process.env,
      PATH: `${venv}:${process.env.PATH}`,
      JHOPS_PROJECT: project,
      JUPYTERLAB_GALATA_ROOT_DIR: root
    }
  }
};
