"""The magic in a real Jupyter kernel: the live view ends as a saved output with the final state."""

import nbformat
from nbclient import NotebookClient


def test_hops_cell_in_a_kernel_leaves_the_final_view_in_the_notebook(project, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext jhops"),
        nbformat.v4.new_code_cell(
            "%%hops experiment --name kernel-run --metric acc --workers 2 --out exp\n"
            "def train(reporter):\n"
            "    for step in range(3):\n"
            "        reporter.broadcast({'acc': step / 10}, step=step)\n"
            "    print('hello from the worker')\n"
            "    return {'acc': 0.3}\n"
        ),
        nbformat.v4.new_code_cell("print(exp.state.value, exp.metrics['acc'])"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[1].outputs
    views = [o for o in outputs if o.get("output_type") == "display_data" and "text/html" in o.get("data", {})]
    assert len(views) == 1, "the view is one output updated in place"
    html = views[0]["data"]["text/html"]
    assert 'data-state="FINISHED"' in html
    assert "kernel-run" in html and "<svg" in html and "hello from the worker" in html
    assert nb.cells[2].outputs[0]["text"].strip() == "FINISHED 0.3"
