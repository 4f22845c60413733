"""The jhops sidebar in a real Chromium: compute settings used by a bare %%hops cell, an experiment that appears
and progresses live, a stop from the sidebar, and the feature store's statistics. Screenshots go to
``test-results/screenshots/`` (the README's come from there)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS, Lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install -y chromium"),
]
SHOTS = Path(os.environ.get("JHOPS_SCREENSHOTS", "test-results/screenshots"))

NOTEBOOK_CELLS = [
    "%load_ext jhops\nfrom jhops.experiment import Searchspace\n"
    "searchspace = Searchspace(x=('DISCRETE', [1, 2, 3, 4]))",
    "%%hops --trials 4 --metric acc --early-stop none --name from-settings\n"
    "import time\n"
    "def train(x, reporter):\n"
    "    for step in range(6):\n"
    "        reporter.broadcast(x * (step + 1) / 10, step=step)\n"
    "        time.sleep(1.5)\n"
    "    return {'acc': x * 0.6}",
]


def _api(lab: Lab, path: str, method: str = "GET", body: Any = None) -> Any:
    request = urllib.request.Request(f"{lab.url}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _notebook(lab: Lab, name: str, cells: list[str]) -> None:
    content = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                          "source": c} for c in cells],
               "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
               "nbformat": 4, "nbformat_minor": 5}
    _api(lab, f"api/contents/{name}", "PUT", {"type": "notebook", "format": "json", "content": content})


def _show_sidebar(page: Any) -> None:
    """Open the jhops panel unless the restored layout already shows it (a click would close it)."""
    if not page.locator("#jhops-sidebar").is_visible():
        page.locator('.lm-TabBar-tab[data-id="jhops-sidebar"]').click(timeout=60_000)


@pytest.fixture
def page(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            tab.goto(f"{lab.url}lab?token={lab.token}")
            tab.locator('.lm-TabBar-tab[data-id="jhops-sidebar"]').wait_for(timeout=60_000)
            _show_sidebar(tab)
            tab.locator("#jhops-sidebar .jp-jhops-compute").wait_for(timeout=30_000)
            try:
                yield tab
            except BaseException:
                tab.screenshot(path=str(SHOTS / "failure.png"))
                raise
        finally:
            browser.close()


def test_compute_settings_reach_a_bare_cell_and_the_experiment_runs_live(lab: Lab, page: Any) -> None:
    form = page.locator("#jhops-sidebar .jp-jhops-compute")
    form.locator('input[name="mode"][value="parallel"]').check()
    form.locator('input[name="workers"]').fill("0")
    form.locator(".jp-jhops-save").click()
    page.locator("#jhops-sidebar .jp-jhops-error").filter(has_text="workers must be a whole number").wait_for()
    form = page.locator("#jhops-sidebar .jp-jhops-compute")
    form.locator('input[name="mode"][value="parallel"]').check()
    form.locator('input[name="workers"]').fill("2")
    form.locator(".jp-jhops-save").click()
    page.locator("#jhops-sidebar .jp-jhops-saved").wait_for()
    assert _api(lab, "jhops/compute")["settings"]["mode"] == "parallel"
    page.screenshot(path=str(SHOTS / "sidebar_compute.png"))

    _notebook(lab, "search.ipynb", NOTEBOOK_CELLS)
    page.goto(f"{lab.url}lab/tree/search.ipynb?token={lab.token}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
    _show_sidebar(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    deadline = time.monotonic() + 60
    while not any(e["state"] == "RUNNING" for e in _api(lab, "jhops/experiments")["experiments"]):
        assert time.monotonic() < deadline, "the cell started no experiment"
        page.wait_for_timeout(300)
    item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='RUNNING']").filter(
        has_text="from-settings")
    item.wait_for(timeout=60_000)
    item.click()
    detail = page.locator("#jhops-sidebar .jp-jhops-experiment-detail")
    detail.locator(".jp-jhops-chart polyline").first.wait_for(timeout=30_000)  # live curves while it runs
    page.screenshot(path=str(SHOTS / "sidebar_experiment_live.png"))
    page.locator("#jhops-sidebar .jp-jhops-experiment-detail[data-state='FINISHED']").wait_for(timeout=120_000)
    text = detail.inner_text()
    assert "4/4 trials on 2 local worker(s)" in text and "best acc = 2.4" in text
    experiments = _api(lab, "jhops/experiments")["experiments"]
    assert experiments[0]["kind"] == "parallel" and experiments[0]["workers"] == 2  # the sidebar's settings

    # The palette command inserts the template cells of the saved mode below the active cell.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("Insert %%hops Cell")
    page.keyboard.press("Enter")
    page.locator(".jp-Notebook .jp-Cell").filter(has_text="searchspace = Searchspace(learning_rate").wait_for()
    sources = page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").all_inner_texts()
    assert any(text.startswith("%%hops\n# parallel mode on local processes, 2 worker(s)") for text in sources)


LONG_RUN = """
import sys, time
from jhops import experiment
from jhops.project import Project

def slow(x):
    for i in range(600):
        print("epoch", i, flush=True)
        time.sleep(0.2)
    return x

experiment.launch(slow, {"x": [1, 2]}, name="long-run", workers=2, project=Project(sys.argv[1]), listeners=[])
"""


def test_stop_a_running_experiment_from_the_sidebar(lab: Lab, page: Any) -> None:
    driver = subprocess.Popen([sys.executable, "-c", LONG_RUN, str(lab.project)])
    try:
        item = page.locator("#jhops-sidebar .jp-jhops-experiment-item[data-state='RUNNING']")
        item.filter(has_text="long-run").click(timeout=60_000)
        detail = page.locator("#jhops-sidebar .jp-jhops-experiment-detail")
        detail.locator(".jp-jhops-logs").filter(has_text="epoch").wait_for(timeout=30_000)
        detail.locator(".jp-jhops-stop").click()
        page.locator("#jhops-sidebar .jp-jhops-experiment-detail[data-state='KILLED']").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "sidebar_experiment_stopped.png"))
        assert driver.wait(timeout=60) == 0
    finally:
        driver.kill()
    stopped = _api(lab, "jhops/experiments")["experiments"][0]
    assert stopped["state"] == "KILLED" and "stopped from outside the notebook" in stopped["error"]


def test_browse_the_iceberg_feature_group_statistics(lab: Lab, page: Any) -> None:
    code = ("import sys; from jhops.project import Project; from jhops.datasets import iceberg; "
            "from jhops.pipelines import iceberg_features as p; "
            "p.ingest(Project(sys.argv[1]).get_feature_store(), iceberg.synthetic_frame(n=80, seed=1))")
    subprocess.run([sys.executable, "-c", code, str(lab.project)], check=True)
    search = page.locator("#jhops-sidebar .jp-jhops-search")
    search.fill("polarisation")
    search.press("Enter")
    hits = page.locator("#jhops-sidebar .jp-jhops-hit")
    hits.first.wait_for(timeout=30_000)
    assert sorted(hits.all_inner_texts()) == ["iceberg v1 · band_1 (feature)", "iceberg v1 · band_2 (feature)"]
    hits.first.click()
    detail = page.locator("#jhops-sidebar .jp-jhops-group-detail[data-name='iceberg']")
    detail.locator(".jp-jhops-histogram").first.wait_for(timeout=30_000)
    assert detail.locator(".jp-jhops-histogram").count() == 5  # three bands' elements, inc_angle, is_iceberg
    assert re.search(r"Statistics \(80 rows\)", detail.inner_text())
    assert "SUCCESS" in detail.locator(".jp-jhops-status").first.inner_text()
    page.screenshot(path=str(SHOTS / "sidebar_feature_store.png"))
