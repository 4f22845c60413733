"""The magic in a real Jupyter kernel: the live view ends as a saved output with the final state, and what
libraries write (to sys.stderr, or below Python to the process's stderr) stays out of the cell."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

NOISY_TRAIN = (
    "def train(reporter):\n"
    "    import os, sys\n"
    "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
    "    print('I0000 port.cc:153] oneDNN custom operations are on.', file=sys.stderr)\n"
    "    for step in range(3):\n"
    "        reporter.broadcast({'acc': step / 10}, step=step)\n"
    "    print('hello from the worker')\n"
    "    return {'acc': 0.3}\n"
)


def _run(tmp_path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    # ipykernel forwards what the process writes to its file descriptors 1 and 2 into the cell, but not under
    # pytest: the kernel must not inherit PYTEST_CURRENT_TEST, or it would hide exactly what is tested here.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    client = NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)
    return nb


def _views(cell):
    return [o for o in cell.outputs if o.get("output_type") == "display_data" and "text/html" in o.get("data", {})]


def _streams(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_hops_cell_in_a_kernel_leaves_the_final_view_in_the_notebook(project, tmp_path):
    nb = _run(tmp_path, "%load_ext jhops",
              "%%hops experiment --name kernel-run --metric acc --workers 2 --out exp\n" + NOISY_TRAIN,
              "print(exp.state.value, exp.metrics['acc'])",
              "%%hops experiment --name kernel-verbose --metric acc --workers 1 --verbose\n" + NOISY_TRAIN)
    views = _views(nb.cells[1])
    assert len(views) == 1, "the view is one output updated in place"
    html = views[0]["data"]["text/html"]
    assert 'data-state="FINISHED"' in html
    assert "kernel-run" in html and "<svg" in html and "hello from the worker" in html
    assert nb.cells[2].outputs[0]["text"].strip() == "FINISHED 0.3"
    # Library noise is neither in the view nor printed in the cell; with --verbose, sys.stderr is in the view
    assert "oneDNN" not in html and "absl" not in html and _streams(nb.cells[1]) == ""
    verbose = _views(nb.cells[3])[0]["data"]["text/html"]
    assert "oneDNN custom operations are on." in verbose and "absl" not in verbose


@pytest.mark.spark
def test_a_spark_cell_shows_no_jvm_or_log4j_lines(project, tmp_path):
    nb = _run(tmp_path, "%load_ext jhops",
              "%%hops experiment --name on-spark --metric acc --executor local[1] --workers 1 --out exp\n"
              + NOISY_TRAIN,
              "print(exp.state.value)")
    assert nb.cells[2].outputs[0]["text"].strip() == "FINISHED"
    # No "Using incubator modules", "Using Spark's default log4j profile", NativeCodeLoader warning or TF banner
    assert _streams(nb.cells[1]) == ""
    html = _views(nb.cells[1])[0]["data"]["text/html"]
    assert "hello from the worker" in html and "oneDNN" not in html
