"""Checkpoint folders: one per configuration, found again by its promotions, on local and remote projects."""

import pathlib
import threading

import fsspec

from jhops.experiments import context
from jhops.experiments.checkpoint import checkpoint_folder, config_key
from jhops.experiments.trial_runner import TrialRunner


def test_the_key_ignores_the_budget_and_the_order_of_parameters():
    assert config_key({"lr": 0.1, "k": 3, "budget": 1}) == config_key({"k": 3, "lr": 0.1, "budget": 9})
    assert config_key({"lr": 0.1}) != config_key({"lr": 0.2})
    assert checkpoint_folder(4, {"lr": 0.1}).startswith("experiments/4/checkpoints/")


def count_runs(lr, budget):
    path = pathlib.Path(context.checkpoint_dir(), "runs.txt")
    before = path.read_text() if path.exists() else ""
    path.write_text(before + f"{budget},")
    return {"metric": lr, "seen": len(before.split(",")) - 1}


def _run(runner, params, number):
    task = {"id": number, "number": number, "params": params, "folder": f"experiments/1/trials/{number}",
            "checkpoint": checkpoint_folder(1, params)}
    return runner.run(task, threading.Event(), {"kind": "test"})


def test_a_remote_project_gets_the_checkpoint_back_for_the_next_run():
    url = "memory://jhops-checkpoint-test"
    runner = TrialRunner(count_runs, url, False, 1)
    assert _run(runner, {"lr": 0.1, "budget": 1}, 0)["metrics"]["seen"] == 0
    assert _run(runner, {"lr": 0.1, "budget": 3}, 1)["metrics"]["seen"] == 1
    assert _run(runner, {"lr": 0.2, "budget": 1}, 2)["metrics"]["seen"] == 0  # another configuration
    fs, root = fsspec.core.url_to_fs(url)
    assert fs.cat(f"{root}/{checkpoint_folder(1, {'lr': 0.1})}/runs.txt") == b"1,3,"


def test_a_local_project_keeps_the_checkpoint_in_the_experiment_folder(tmp_path):
    runner = TrialRunner(count_runs, str(tmp_path), True, 1)
    _run(runner, {"lr": 0.1, "budget": 1}, 0)
    assert _run(runner, {"lr": 0.1, "budget": 3}, 1)["metrics"]["seen"] == 1
    assert (tmp_path / checkpoint_folder(1, {"lr": 0.1}) / "runs.txt").read_text() == "1,3,"
