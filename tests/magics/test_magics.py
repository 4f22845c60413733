"""The %hops / %%hops magics in a real IPython shell."""

import importlib.util

import pandas as pd
import pytest
from IPython.core.error import UsageError

CELL = '''
import math

def helper():
    return 1

def train(lr, reporter):
    for step in range(3):
        reporter.broadcast(lr * (step + 1), step=step)
    print("lr", lr)
    return {"acc": lr * 3 + helper() - 1}
'''


@pytest.fixture
def shell(ip, project):
    ip.user_ns.pop("result", None)
    return ip


def test_experiment_cell_launches_the_last_function_with_args(shell, project):
    shell.user_ns["grid"] = {"lr": [0.1, 0.2]}
    shell.run_cell_magic("hops", "experiment --name magic-grid --metric acc --args grid --workers 2 --out result",
                         CELL)
    exp = shell.user_ns["result"]
    assert exp.name == "magic-grid" and exp.state.value == "FINISHED"
    assert exp.best_params == {"lr": 0.2}
    stored = project.experiments.get_experiment(exp.id)
    assert stored.code.strip().startswith("import math")
    assert "lr 0.1" in stored.trials[0].stdout
    assert callable(shell.user_ns["train"])  # the cell also ran in the notebook's namespace


def test_fn_picks_another_function_and_direction_min(shell, project):
    shell.run_cell_magic("hops", "experiment --fn helper --direction min --out result", CELL)
    exp = shell.user_ns["result"]
    assert exp.name == "helper" and exp.direction == "min"
    assert exp.metrics == {"metric": 1.0}


def test_list_and_show_experiments(shell, project, capsys):
    shell.run_cell_magic("hops", "experiment --out result", "def f():\n    return 0.5\n")
    table = shell.run_line_magic("hops", "experiments")
    assert isinstance(table, pd.DataFrame)
    assert table.loc[shell.user_ns["result"].id, "state"] == "FINISHED"
    capsys.readouterr()
    shell.run_line_magic("hops", f"experiment {shell.user_ns['result'].id}")
    assert "FINISHED" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("experiment --workers 0", CELL, "must be at least 1"),
        ("experiment --direction up", CELL, "invalid choice: 'up'"),
        ("experiment --executor gpu-farm", CELL, "unknown executor 'gpu-farm'"),
        ("experiment --args nowhere", CELL, "no variable named 'nowhere'"),
        ("experiment", "x = 1\n", "defines no function"),
        ("experiment", "def f(:\n", "syntax error on line 1"),
        ("experiment --fn missing", CELL, "no function named 'missing'"),
        ("experiment --bogus", CELL, "unrecognized arguments: --bogus"),
        ("train", CELL, "unknown command 'train'"),
        ("", CELL, r"train\(\) needs lr but args does not give it"),  # a bare cell: the default mode, experiment
    ],
)
def test_bad_cell_arguments_raise_usage_error_with_an_example(shell, project, line, cell, message):
    with pytest.raises(UsageError, match=message) as info:
        shell.run_cell_magic("hops", line, cell)
    assert "%%hops experiment" in str(info.value)
    assert project.experiments.list_experiments() == []


def test_args_that_do_not_fit_the_function(shell, project):
    shell.user_ns["bad"] = {"momentum": [0.9]}
    with pytest.raises(UsageError, match="no parameter named momentum"):
        shell.run_cell_magic("hops", "experiment --args bad", CELL)


@pytest.mark.parametrize(
    ("line", "message"),
    [("experiment 999", "No experiment with id 999"), ("experiment abc", "expected a whole number"),
     ("experiments --limit x", "expected a whole number"), ("nothing", "unknown command 'nothing'")],
)
def test_bad_line_commands(shell, project, line, message):
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("hops", line)


SEARCH_CELL = '''
def train(x, reporter):
    for step in range(3):
        reporter.broadcast(x * (step + 1), step=step)
    return x
'''


def test_parallel_cell_runs_a_search(shell, project):
    from jhops.experiment import Searchspace

    shell.user_ns["space"] = Searchspace(x=("DISCRETE", [0.1, 0.5, 0.9]))
    shell.run_cell_magic("hops", "parallel --searchspace space --optimizer gridsearch --early-stop none "
                                 "--workers 2 --name grid-x --out result", SEARCH_CELL)
    exp = shell.user_ns["result"]
    assert exp.kind == "parallel" and exp.name == "grid-x" and exp.state.value == "FINISHED"
    assert exp.best_params == {"x": 0.9} and len(exp.trials) == 3
    assert project.experiments.get_experiment(exp.id).args["optimizer"] == "gridsearch"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("parallel", "no variable named .searchspace. in the notebook"),
        ("parallel --searchspace nowhere", "no variable named 'nowhere'"),
        ("parallel --searchspace not_a_space", "expected a jhops Searchspace, got dict"),
        ("parallel --searchspace space --optimizer bayes", "invalid choice: 'bayes'"),
        ("parallel --searchspace space --trials 0", "must be at least 1"),
        ("parallel --searchspace space --early-stop mean", "invalid choice: 'mean'"),
        ("parallel --searchspace space --optimizer asha", "no parameter named budget"),
    ],
)
def test_bad_parallel_arguments(shell, project, line, message):
    from jhops.experiment import Searchspace

    shell.user_ns["space"] = Searchspace(x=("DOUBLE", [0.0, 1.0]))
    shell.user_ns["not_a_space"] = {"x": [1, 2]}
    with pytest.raises(UsageError, match=message) as info:
        shell.run_cell_magic("hops", line, SEARCH_CELL)
    assert "%%hops parallel" in str(info.value)
    assert project.experiments.list_experiments() == []


SIMPLE = '''
def train(x=1):
    return {"acc": x / 10}
'''


def test_a_bare_cell_uses_the_saved_compute_settings(shell, project):
    from jhops.compute.settings import ComputeSettings, save_settings

    save_settings(project, ComputeSettings(mode="experiment", executor="local", workers=1))
    shell.user_ns["xs"] = {"x": [1, 2, 3]}
    shell.run_cell_magic("hops", "--args xs --out result", SIMPLE)
    exp = shell.user_ns["result"]
    assert exp.kind == "experiment" and exp.workers == 1 and exp.executor == "local" and len(exp.trials) == 3
    shell.run_cell_magic("hops", "experiment --args xs --workers 2 --out result", SIMPLE)  # a flag wins
    assert shell.user_ns["result"].workers == 2


def test_a_bare_cell_in_parallel_mode_searches_the_searchspace_variable(shell, project):
    from jhops.compute.settings import ComputeSettings, save_settings
    from jhops.experiments.searchspace import Searchspace

    save_settings(project, ComputeSettings(mode="parallel", workers=2))
    shell.user_ns.pop("searchspace", None)
    with pytest.raises(UsageError, match="no variable named 'searchspace'"):
        shell.run_cell_magic("hops", "--trials 2", SIMPLE)
    shell.user_ns["searchspace"] = Searchspace(x=("DISCRETE", [1, 2, 3]))
    shell.run_cell_magic("hops", "--trials 2 --metric acc --out result", SIMPLE)
    exp = shell.user_ns["result"]
    assert exp.kind == "parallel" and exp.workers == 2 and len(exp.trials) == 2


def test_a_bare_cell_in_distributed_mode_says_it_cannot_yet(shell, project):
    from jhops.compute.settings import ComputeSettings, save_settings

    save_settings(project, ComputeSettings(mode="distributed"))
    with pytest.raises(UsageError, match="Distributed Training, which this version of jhops cannot run"):
        shell.run_cell_magic("hops", "", SIMPLE)


GROW = '''
def grow(megabytes=1500):
    import time
    held = []
    for _ in range(megabytes // 20):
        held.append(b"x" * (20 << 20))
        time.sleep(0.02)
    return len(held)
'''


def test_memory_per_worker_comes_from_the_saved_settings_and_the_flag_wins(shell, project):
    from jhops.compute.settings import ComputeSettings, save_settings

    save_settings(project, ComputeSettings(mode="experiment", executor="local", workers=1, memory_per_worker="300m"))
    shell.run_cell_magic("hops", "--out result", GROW)  # a bare cell
    trial = shell.user_ns["result"].trials[0]
    assert trial.state.value == "FAILED" and trial.error.endswith("over memory_per_worker=300m")
    shell.run_cell_magic("hops", "experiment --memory 400m --out result", GROW)  # a named command: the same, flag wins
    assert shell.user_ns["result"].trials[0].error.endswith("over memory_per_worker=400m")
    with pytest.raises(UsageError, match="must look like 512m or 4g, got '4GB'"):
        shell.run_cell_magic("hops", "experiment --memory 4GB", GROW)


def test_verbose_flag_and_setting_reach_the_launch(shell, project, monkeypatch):
    import jhops.magics
    from jhops.experiments.searchspace import Searchspace

    calls = []
    monkeypatch.setattr(jhops.magics, "launch", lambda *a, **k: calls.append(k["verbose"]))
    monkeypatch.setattr("jhops.experiments.search.search", lambda *a, **k: calls.append(k["verbose"]))
    shell.run_cell_magic("hops", "experiment", SIMPLE)
    shell.run_cell_magic("hops", "experiment --verbose", SIMPLE)
    shell.user_ns["searchspace"] = Searchspace(x=("DISCRETE", [1, 2]))
    shell.run_cell_magic("hops", "parallel --verbose", SIMPLE)
    magics = shell.magics_manager.registry["HopsMagics"]
    monkeypatch.setattr(magics, "verbose", True)
    shell.run_cell_magic("hops", "experiment", SIMPLE)
    assert calls == [False, True, True, True]


def test_a_missing_extra_is_a_usage_error_that_says_what_to_install(shell, project, monkeypatch):
    # A plain `pip install jhops` has no pyspark: what the user reads is the extra to install, not a traceback.
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    shell.user_ns["grid"] = {"lr": [0.1]}
    with pytest.raises(UsageError, match=r"the Spark executor needs the 'spark' extra .*pip install 'jhops\[spark\]'"):
        shell.run_cell_magic("hops", "experiment --executor spark --args grid", CELL)
    assert project.experiments.list_experiments() == []
