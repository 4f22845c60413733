/**
 * The README's screenshots of the sidebar and the detail tabs, taken from the project that `make demo` filled:
 * `make screenshots` points the JupyterLab at it (JHOPS_TOUR_PROJECT) and saves docs/screenshots/sidebar_*.png
 * and detail_*.png. Each step also checks that the demo's records are on screen, so a screenshot of an empty or
 * broken view is never saved.
 */
import { expect, test } from '@jupyterlab/galata';

const DOCS = 'docs/screenshots';

test.use({ autoGoto: true, viewport: { width: 1400, height: 1000 } });

async function showSidebar(page: any): Promise<any> {
  if (!(await page.locator('#jhops-sidebar').isVisible())) {
    await page.locator('.lm-TabBar-tab[data-id="jhops-sidebar"]').click();
  }
  const sidebar = page.locator('#jhops-sidebar');
  await expect(sidebar.locator('.jp-jhops-compute')).toBeVisible({ timeout: 60000 });
  return sidebar;
}

/** Expand one section of the panel and collapse the others. */
async function only(page: any, section: string): Promise<void> {
  for (const name of ['Compute', 'Experiments', 'Feature Store', 'Models & Serving']) {
    const title = page.locator('#jhops-sidebar .jp-AccordionPanel-title', { hasText: name });
    const expanded = (await title.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (name === section)) {
      await title.click();
    }
  }
}

/** The detail tab in the main area. */
function tab(page: any, selector: string): any {
  return page.locator(`#jp-main-dock-panel ${selector}`);
}

test('the demo in the sidebar: compute settings and the experiments', async ({ page }) => {
  const sidebar = await showSidebar(page);
  const items = sidebar.locator('.jp-jhops-experiment-item');
  await expect(items.filter({ hasText: 'iceberg-lr-grid' }).first()).toBeVisible({ timeout: 30000 });
  await expect(items.filter({ hasText: 'iceberg-cnn' }).first()).toBeVisible();
  await only(page, 'Experiments');
  await page.locator('#jhops-sidebar .jp-AccordionPanel-title', { hasText: 'Compute' }).click();
  await sidebar.screenshot({ path: `${DOCS}/sidebar_compute.png` });

  await items.filter({ hasText: 'iceberg-lr-grid' }).first().click();
  const detail = tab(page, ".jp-jhops-experiment-detail[data-state='FINISHED']");
  await expect(detail.locator('.jp-jhops-chart polyline')).toHaveCount(3, { timeout: 30000 });
  await expect(detail).toContainText('3/3 trials');
  await page.screenshot({ path: `${DOCS}/detail_experiment.png` });
});

test('the demo in a tab: the iceberg feature group', async ({ page }) => {
  const sidebar = await showSidebar(page);
  await only(page, 'Feature Store');
  const group = sidebar.locator(".jp-jhops-group-item[data-name='iceberg']").first();
  await expect(group).toBeVisible({ timeout: 30000 });
  await group.click();
  const detail = tab(page, ".jp-jhops-group-detail[data-name='iceberg']");
  await expect(detail.locator('.jp-jhops-histogram')).toHaveCount(5, { timeout: 30000 });
  await expect(detail).toContainText('Statistics (1604 rows)');
  await page.screenshot({ path: `${DOCS}/detail_feature_group.png` });
});

test('the demo in a tab: the registered model and its monitored deployment', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1500 }); // the monitoring charts and the drift table
  const sidebar = await showSidebar(page);
  await only(page, 'Models & Serving');
  await expect(sidebar.locator(".jp-jhops-model-item[data-name='iceberg-cnn']")).toBeVisible({ timeout: 30000 });
  await sidebar.locator(".jp-jhops-deployment-item[data-name='iceberg'] .jp-jhops-name").click();
  const detail = tab(page, ".jp-jhops-deployment-detail[data-name='iceberg']");
  // the demo sent the held-out test chips: 321 requests of one chip each
  await expect(detail.locator('.jp-jhops-monitoring')).toContainText('321 requests', { timeout: 60000 });
  await expect(detail.locator('.jp-jhops-drift')).toBeVisible();
  await page.screenshot({ path: `${DOCS}/detail_deployment.png` });
});
