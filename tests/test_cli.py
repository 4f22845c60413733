from jhops import experiment
from jhops.cli import format_table, main


def _fit(x):
    return {"acc": x / 10}


def test_list_and_show(project, capsys):
    exp = experiment.launch(_fit, {"x": [1, 2]}, name="cli-demo", project=project, listeners=[])
    assert main(["experiments", "list"]) == 0
    out = capsys.readouterr().out
    assert "cli-demo" in out and "FINISHED" in out and "acc=0.2" in out
    assert main(["--project", project.path, "experiments", "show", str(exp.id)]) == 0
    out = capsys.readouterr().out
    assert f"Experiment {exp.id}: cli-demo [FINISHED]" in out and "x=2" in out


def test_show_unknown_experiment(project, capsys):
    assert main(["experiments", "show", "42"]) == 2
    assert "No experiment with id 42" in capsys.readouterr().err


def test_format_table_aligns_columns():
    assert format_table([{"id": 1, "name": "a"}, {"id": 10, "name": "bb"}]).splitlines() == [
        "id  name", "--  ----", "1   a", "10  bb"]
