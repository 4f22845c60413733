"""Help in the magics: %hops? lists every command's usage, -h/--help prints a command's full help and does nothing
else, %hops help [COMMAND]."""

import re

import pytest
from IPython.core.error import UsageError

CELL = '''
def train(x=1):
    return x
'''

EVERY_COMMAND = ["%%hops experiment", "%%hops parallel", "%hops experiments", "%hops experiment", "%hops fs",
                 "%hops serve create", "%hops serve start", "%hops serve stop", "%hops serve delete",
                 "%hops serve status", "%hops serve predict", "%hops serve export", "%hops monitor", "%hops help"]


def test_hops_question_mark_shows_every_command_with_its_options_and_an_example(ip, capsys):
    ip.run_cell("%hops?")
    shown = capsys.readouterr().out
    for command in EVERY_COMMAND:
        assert f"  {command} [-h]" in shown, command
    for option in ("--searchspace VAR", "--es-min N", "--memory SIZE", "--verbose", "--instances VAR",
                   "--max-latency-ms MS", "--limit N"):
        assert option in shown, option
    assert "e.g. %%hops parallel --searchspace space" in shown and "e.g. %hops monitor iceberg" in shown


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_on_a_cell_prints_the_full_help_and_does_not_run_the_cell(ip, project, capsys, flag):
    ip.user_ns.pop("ran", None)
    ip.run_cell_magic("hops", f"parallel {flag}", "ran = True\n" + CELL)
    shown = capsys.readouterr().out
    assert shown.startswith("usage: %%hops parallel [-h] [--searchspace VAR]")
    assert "--early-stop {median,none}" in shown and "finished trials before the rule acts (default: 5)" in shown
    assert "Examples:\n  %%hops parallel --searchspace space --optimizer randomsearch" in shown
    assert "ran" not in ip.user_ns  # the cell did not run
    assert project.experiments.list_experiments() == []


@pytest.mark.parametrize(("line", "start"), [
    ("experiment --help", "usage: %hops experiment [-h] [--verbose] id"),
    ("experiments -h", "usage: %hops experiments [-h] [--limit N]"),
    ("fs --help", "usage: %hops fs [-h] [--version N] [name]"),
    ("serve create --help", "usage: %hops serve create [-h] --model MODEL"),
    ("serve predict -h", "usage: %hops serve predict [-h] --instances VAR"),
    ("monitor --help", "usage: %hops monitor [-h] name"),
    ("help serve status", "usage: %hops serve status [-h] [name]"),
])
def test_help_on_line_commands(ip, project, capsys, line, start):
    assert ip.run_line_magic("hops", line) is None
    shown = capsys.readouterr().out
    assert shown.startswith(start) and re.search(r"Examples?:\n  %hops ", shown)


def test_hops_help_prints_the_overview_or_a_command_and_a_cell_help_runs_nothing(ip, project, capsys):
    ip.run_line_magic("hops", "help")
    assert "%hops serve export [-h] [--path FILE] name" in capsys.readouterr().out
    ip.run_line_magic("hops", "--help")
    assert "%%hops parallel [-h]" in capsys.readouterr().out
    ip.run_line_magic("hops", "help experiment")  # the cell command and the line command of that name
    shown = capsys.readouterr().out
    assert "usage: %%hops experiment [-h]" in shown and "usage: %hops experiment [-h] [--verbose] id" in shown
    ip.run_line_magic("hops", "serve --help")
    shown = capsys.readouterr().out
    assert all(f"usage: %hops serve {name} [-h]" in shown for name in ("create", "start", "status", "export"))
    ip.user_ns.pop("ran", None)
    ip.run_cell_magic("hops", "--help", "ran = True\n")
    assert "Cell commands (%%hops ...)" in capsys.readouterr().out and "ran" not in ip.user_ns
    with pytest.raises(UsageError, match=r"no command 'deploy'; the commands are .*parallel.*serve"):
        ip.run_line_magic("hops", "help deploy")


def test_a_bare_hops_points_to_the_help(ip):
    with pytest.raises(UsageError, match="%hops help shows every command's usage"):
        ip.run_line_magic("hops", "")
