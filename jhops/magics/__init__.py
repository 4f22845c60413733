"""``%hops`` and ``%%hops``: notebook commands over the jhops API. Parsing and dispatch only.

Cell commands::

    %%hops experiment [--name N] [--metric K] [--direction max|min] [--executor local|spark|URL]
                      [--workers N] [--memory SIZE] [--args VAR] [--fn NAME] [--out VAR] [--verbose]
    %%hops parallel --searchspace VAR [--optimizer randomsearch|gridsearch|asha|hyperband|tpe] [--optimizer-options VAR]
                    [--trials N] [--metric K]
                    [--direction max|min] [--early-stop median|none] [--es-min N] [--es-interval S]
                    [--executor local|spark|URL] [--workers N] [--memory SIZE] [--seed N] [--name N] [--fn NAME]
                    [--out VAR] [--verbose]

Line commands::

    %hops experiments [--limit N]
    %hops experiment ID [--verbose]
    %hops fs [NAME] [--version N]
    %hops serve create|start|stop|status|predict|delete|export ...   (see jhops.magics.serving)
    %hops monitor NAME
    %hops help [COMMAND [SUBCOMMAND]]

``%hops?`` shows every command's usage (built from the parsers below); ``-h``/``--help`` on any command prints
its full help with examples and does nothing else.
"""

from __future__ import annotations

import argparse
import ast
import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Unicode

from jhops.compute import EXECUTORS
from jhops.experiments.driver import DriverError
from jhops.experiments.launch import launch
from jhops.experiments.store import ExperimentNotFound
from jhops.extras import MissingExtraError
from jhops.magics.parsing import HelpShown, HopsArgumentParser, memory_size, positive_int
from jhops.magics.serving import SERVE_PARSERS, monitor_parser, serve_help
from jhops.project import Project

EXAMPLES = {
    "experiment": "%%hops experiment --name lr-grid --metric accuracy --args grid --workers 2",
    "parallel": "%%hops parallel --searchspace space --optimizer randomsearch --trials 20 --metric accuracy "
                "--early-stop median --workers 2",
    "experiments": "%hops experiments --limit 20",
    "show": "%hops experiment 3",
    "fs": "%hops fs iceberg --version 1",
    "serve": "%hops serve create iceberg --model iceberg-cnn --start",
    "help": "%hops help parallel",
}
MORE_EXAMPLES = {
    "experiment": ["%%hops experiment --metric accuracy --executor spark --workers 2 --memory 4g --out exp",
                   "%%hops experiment --fn train --direction min --metric loss --verbose"],
    "parallel": ["%%hops parallel --searchspace space --optimizer asha --optimizer-options asha_options --trials 9",
                 "%%hops parallel --searchspace space --optimizer gridsearch --early-stop none --executor spark"],
    "experiments": ["%hops experiments"],
    "fs": ["%hops fs"],
    "help": ["%hops help", "%hops help serve create"],
}
_TRAINING_FUNCTION = ("The cell defines the training function (the last one it defines, or --fn NAME), which the "
                      "workers call with the parameters; it returns a metric or a dict of metrics and files.")
_SAVED = "default: the compute settings saved in the sidebar"


def _usage(message: str, example: str = EXAMPLES["experiment"]) -> UsageError:
    return UsageError(f"{message}\nExample: {example}")


def _executor(value: str) -> str:
    from jhops.compute.spark import is_spark_master

    if value in EXECUTORS or is_spark_master(value):
        return value
    raise argparse.ArgumentTypeError(
        f"unknown executor {value!r}; use local, spark, or a Spark master URL like local[2] or sc://host:15002"
    )


def _launch_options(parser: HopsArgumentParser) -> None:
    """The options every launching cell has: where it runs, with what, and what it shows."""
    parser.add_argument("--executor", type=_executor, metavar="EXECUTOR",
                        help=f"local, spark, or a Spark master or Spark Connect URL ({_SAVED}, else local)")
    parser.add_argument("--workers", type=positive_int, metavar="N",
                        help=f"long-running workers ({_SAVED}, else one per trial up to the cores)")
    parser.add_argument("--memory", type=memory_size, metavar="SIZE",
                        help=f"memory per worker, e.g. 4g: a local worker over it is ended and its trial FAILED; on "
                             f"Spark, the executors' memory of a session jhops creates ({_SAVED}, else no limit)")
    parser.add_argument("--name", help="name of the experiment (default: the function's name)")
    parser.add_argument("--fn", metavar="NAME", help="the training function (default: the last one the cell defines)")
    parser.add_argument("--out", metavar="VAR", help="store the finished Experiment record in this variable")
    parser.add_argument("--verbose", action="store_true",
                        help="show what trials write to standard error (library warnings) in the cell too; it is "
                             "always kept in the trials' records and the workers' log files")


def _experiment_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%%hops experiment", example=EXAMPLES["experiment"],
                                more_examples=MORE_EXAMPLES["experiment"],
                                description="Run the cell's training function as a tracked experiment: once, or once "
                                            f"per parameter set of --args. {_TRAINING_FUNCTION}")
    parser.add_argument("--metric", metavar="KEY",
                        help="the metric that decides the best trial (default: the first one a trial returns)")
    parser.add_argument("--direction", choices=["max", "min"], default="max",
                        help="whether larger is better (default: %(default)s)")
    parser.add_argument("--args", metavar="VAR", help="a variable holding a dict of lists or a list of dicts")
    _launch_options(parser)
    return parser


def _parallel_parser() -> HopsArgumentParser:
    from jhops.experiments.optimizers import OPTIMIZERS

    parser = HopsArgumentParser(prog="%%hops parallel", example=EXAMPLES["parallel"],
                                more_examples=MORE_EXAMPLES["parallel"],
                                description="Search a Searchspace asynchronously: a free worker gets the optimizer's "
                                            "next configuration at once, and the early-stopping rule ends trials "
                                            f"that fall behind. {_TRAINING_FUNCTION}")
    parser.add_argument("--searchspace", default="searchspace", metavar="VAR",
                        help="a variable holding a Searchspace (default: the variable named searchspace)")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="randomsearch",
                        help="how configurations are chosen (default: %(default)s)")
    parser.add_argument("--optimizer-options", metavar="VAR",
                        help="a dict of the optimizer's options, e.g. asha = {'max_resource': 9}")
    parser.add_argument("--trials", type=positive_int, default=10, metavar="N",
                        help="configurations to try (default: %(default)s)")
    parser.add_argument("--metric", default="metric", metavar="KEY",
                        help="the metric to optimize, as the function reports it (default: %(default)s)")
    parser.add_argument("--direction", choices=["max", "min"], default="max",
                        help="whether larger is better (default: %(default)s)")
    parser.add_argument("--early-stop", choices=["median", "none"], default="median",
                        help="median stops a trial whose best is worse than the median of finished trials at its "
                             "step (default: %(default)s)")
    parser.add_argument("--es-min", type=positive_int, default=5, metavar="N",
                        help="finished trials before the rule acts (default: %(default)s)")
    parser.add_argument("--es-interval", type=float, default=1.0, metavar="SECONDS",
                        help="seconds between early-stopping checks (default: %(default)s)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the optimizer's random choices")
    _launch_options(parser)
    return parser


def _list_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops experiments", example=EXAMPLES["experiments"],
                                more_examples=MORE_EXAMPLES["experiments"],
                                description="The project's experiments, newest first, as a table.")
    parser.add_argument("--limit", type=positive_int, default=50, metavar="N",
                        help="at most this many (default: %(default)s)")
    return parser


def _show_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops experiment", example=EXAMPLES["show"],
                                description="One experiment as its cell showed it: progress, curves, trials, logs.")
    parser.add_argument("id", type=positive_int, help="the experiment's id (see %%hops experiments)")
    parser.add_argument("--verbose", action="store_true", help="show the trials' standard error in the logs too")
    return parser


def _fs_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops fs", example=EXAMPLES["fs"], more_examples=MORE_EXAMPLES["fs"],
                                description="The feature store: its groups and training datasets, or one group's "
                                            "schema, statistics and commits.")
    parser.add_argument("name", nargs="?", help="a feature group to show (default: the whole store)")
    parser.add_argument("--version", type=positive_int, metavar="N", help="the group's version (default: the newest)")
    return parser


def _help_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops help", example=EXAMPLES["help"], more_examples=MORE_EXAMPLES["help"],
                                description="Every command's usage, or one command's full help.")
    parser.add_argument("topic", nargs="*", metavar="COMMAND", help="a command, and a serve subcommand")
    return parser


CELL_PARSERS: dict[str, Callable[[], HopsArgumentParser]] = {
    "experiment": _experiment_parser, "parallel": _parallel_parser,
}
LINE_PARSERS: dict[str, Callable[[], HopsArgumentParser]] = {
    "experiments": _list_parser, "experiment": _show_parser, "fs": _fs_parser,
    **{f"serve {name}": factory for name, factory in SERVE_PARSERS.items()},
    "monitor": monitor_parser, "help": _help_parser,
}
HELP_FLAGS = ("-h", "--help")


def overview() -> str:
    """Every command's usage with an example, built from the parsers: the docstring ``%hops?`` shows."""
    def block(parser: HopsArgumentParser) -> str:
        usage = parser.format_usage().strip().removeprefix("usage: ")
        return f"  {usage}\n      e.g. {parser.example}"

    return "\n".join([
        "jhops: tracked experiments, hyperparameter searches, the feature store and deployments.",
        "",
        "Cell commands (%%hops ...):",
        *(block(factory()) for factory in CELL_PARSERS.values()),
        "  A cell with flags only (%%hops --workers 2) runs in the mode of the saved compute settings (sidebar).",
        "",
        "Line commands (%hops ...):",
        *(block(factory()) for factory in LINE_PARSERS.values()),
        "",
        "Every command prints its full help, each option explained, with -h or --help",
        "(%%hops parallel --help prints it without running the cell), or: %hops help COMMAND.",
    ])


def help_text(topic: list[str]) -> str:
    """The help ``%hops help TOPIC`` prints: everything, one command, or one ``serve`` subcommand."""
    if not topic:
        return overview()
    command = " ".join(topic)
    parsers = [table[command] for table in (CELL_PARSERS, LINE_PARSERS) if command in table]
    if parsers:
        return "\n".join(factory().format_help() for factory in parsers)
    if command == "serve":
        return serve_help()
    known = sorted({*CELL_PARSERS, *LINE_PARSERS, "serve"})
    raise _usage(f"%hops help: no command {command!r}; the commands are {', '.join(known)}.", EXAMPLES["help"])


def _defined_function(cell: str, wanted: str | None, command: str) -> str:
    """The training function's name: ``wanted``, or the last function the cell defines at top level."""
    try:
        tree = ast.parse(cell)
    except SyntaxError as exc:
        raise _usage(f"%%hops {command}: the cell has a syntax error on line {exc.lineno}: {exc.msg}",
                     EXAMPLES[command]) from None
    defined = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if wanted:
        return wanted
    if not defined:
        raise UsageError(
            f"%%hops {command}: the cell defines no function to launch. Define the training function in the "
            f"cell, for example:\n{EXAMPLES[command]}\ndef train(lr, reporter):\n    ...\n"
            "    return {'accuracy': acc}"
        )
    return defined[-1]


@magics_class
class HopsMagics(Magics):
    """The ``%hops`` / ``%%hops`` magics. ``%config HopsMagics.project = "/data/proj"`` picks the project,
    ``%config HopsMagics.verbose = True`` makes every launching cell ``--verbose``."""

    project = Unicode(None, allow_none=True, help="Project root (default: $JHOPS_PROJECT or ./jhops-project)").tag(
        config=True
    )
    verbose = Bool(False, help="Show what trials write to standard error in the cell (as --verbose does)").tag(
        config=True
    )

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell, **kwargs)
        self.cell_commands: dict[str, Callable[[list[str], str], Any]] = {
            "experiment": self._experiment,
            "parallel": self._parallel,
        }
        self.line_commands: dict[str, Callable[[list[str]], Any]] = {
            "experiments": self._list_experiments,
            "experiment": self._show_experiment,
            "fs": self._show_feature_store,
            "serve": self._serve,
            "monitor": self._monitor,
            "help": self._help,
        }

    def _project(self) -> Project:
        return Project(self.project) if self.project else Project()

    @line_cell_magic
    def hops(self, line: str, cell: str | None = None) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%hops: cannot parse the line: {exc}") from None
        if words and words[0] in HELP_FLAGS:
            words = ["help", *words[1:]]
        if words[:1] == ["help"]:
            return self._help(words[1:])  # in a cell too: help, and the cell is not run
        try:
            return self._dispatch(words, cell)
        except HelpShown:
            return None  # a command's -h/--help printed its help: nothing else happens
        except MissingExtraError as exc:
            # e.g. --executor spark without pyspark: what to install, without a traceback through jhops
            raise UsageError(f"%hops: {exc}") from None

    def _dispatch(self, words: list[str], cell: str | None) -> Any:
        table: dict[str, Any] = self.cell_commands if cell is not None else self.line_commands
        kind = "%%hops" if cell is not None else "%hops"
        if cell is not None and (not words or words[0].startswith("-")):
            # A bare %%hops cell runs in the mode chosen in the sidebar's compute settings.
            words = [self._saved_mode(), *words]
        if not words or words[0] not in table:
            given = f"unknown command {words[0]!r}" if words else "a command is needed"
            examples = ([EXAMPLES["experiment"], EXAMPLES["parallel"]] if cell is not None
                        else [EXAMPLES["experiments"], EXAMPLES["show"], EXAMPLES["fs"], EXAMPLES["serve"]])
            raise UsageError(f"{kind}: {given}; choose from {', '.join(sorted(table))} (%hops help shows every "
                             "command's usage).\nExample: " + "\n         ".join(examples))
        command, rest = words[0], words[1:]
        return table[command](rest, cell) if cell is not None else table[command](rest)

    # cell commands --------------------------------------------------------------------------------
    def _saved_mode(self) -> str:
        from jhops.compute.settings import MODES, load_settings

        mode = load_settings(self._project()).mode
        if mode not in self.cell_commands:
            raise _usage(f"%%hops: the compute settings choose {MODES.get(mode, mode)}, which this version of jhops "
                         "cannot run from a cell yet; choose Experiment or Parallel Experiments in the sidebar, or "
                         "name the command.", EXAMPLES["experiment"])
        return mode

    def _with_saved_defaults(self, args: argparse.Namespace) -> argparse.Namespace:
        """Fill ``--executor``, ``--workers`` and ``--memory`` the cell left out from the saved compute settings."""
        from jhops.compute.settings import saved_settings

        args.verbose = args.verbose or self.verbose
        if args.executor is not None and args.workers is not None and args.memory is not None:
            return args
        settings = saved_settings(self._project())
        if args.executor is None:
            spark = settings is not None and settings.executor == "spark"
            args.executor = (settings.spark_master or "spark") if spark and settings is not None else "local"
        if args.workers is None and settings is not None:
            args.workers = settings.workers  # without saved settings: one worker per trial, up to the cores
        if args.memory is None and settings is not None:
            args.memory = settings.memory_per_worker  # without saved settings: no limit
        return args

    def _variable(self, command: str, flag: str, name: str | None, example: str) -> Any:
        """The notebook variable a flag names, or a UsageError saying how to define it."""
        if name is None:
            return None
        assert self.shell is not None
        if name not in self.shell.user_ns:
            raise _usage(f"%%hops {command} {flag} {name}: no variable named {name!r} in the notebook. "
                         f"Define it first, e.g. {name} = {example}", EXAMPLES[command])
        return self.shell.user_ns[name]

    def _run_cell(self, command: str, args: argparse.Namespace, cell: str,
                  start: Callable[[Callable[..., Any], Any], Any]) -> None:
        """Run the cell, find its training function, and ``start(fn, listener)`` it with a live view."""
        assert self.shell is not None
        fn_name = _defined_function(cell, args.fn, command)
        self.shell.ex(compile(cell, "<%%hops cell>", "exec"))  # type: ignore[no-untyped-call]
        fn = self.shell.user_ns.get(fn_name)
        if not callable(fn):
            raise _usage(f"%%hops {command} --fn {fn_name}: no function named {fn_name!r} after running the cell",
                         EXAMPLES[command])
        from jhops.experiments.progress import ConsoleProgress
        from jhops.widgets.experiment_view import ExperimentView

        # A kernel has a front end that renders the live view; a terminal IPython gets text lines.
        listener = ExperimentView() if getattr(self.shell, "kernel", None) is not None else ConsoleProgress()
        try:
            experiment = start(fn, listener)
        except (ValueError, TypeError) as exc:
            raise _usage(f"%%hops {command}: {exc}", EXAMPLES[command]) from None
        except KeyboardInterrupt:
            print("Interrupted: the experiment was killed and its workers stopped.")
            return None
        except DriverError as exc:
            raise UsageError(f"%%hops {command} could not run: {exc}") from None
        if args.out:
            self.shell.user_ns[args.out] = experiment
        return None

    def _experiment(self, argv: list[str], cell: str) -> None:
        args = self._with_saved_defaults(_experiment_parser().parse_args(argv))
        launch_args = self._variable("experiment", "--args", args.args, "{'lr': [0.1, 0.01]}")
        return self._run_cell("experiment", args, cell, lambda fn, listener: launch(
            fn, launch_args, name=args.name, metric_key=args.metric, direction=args.direction,
            executor=args.executor, workers=args.workers, project=self._project(), code=cell, listeners=[listener],
            memory_per_worker=args.memory, verbose=args.verbose))

    def _parallel(self, argv: list[str], cell: str) -> None:
        from jhops.experiments.search import search
        from jhops.experiments.searchspace import Searchspace

        args = self._with_saved_defaults(_parallel_parser().parse_args(argv))
        space = self._variable("parallel", "--searchspace", args.searchspace,
                               "Searchspace(lr=('DOUBLE', [1e-4, 1e-1], 'log'))")
        if not isinstance(space, Searchspace):
            raise _usage(f"%%hops parallel --searchspace {args.searchspace}: expected a jhops Searchspace, got "
                         f"{type(space).__name__}", EXAMPLES["parallel"])
        options = self._variable("parallel", "--optimizer-options", args.optimizer_options,
                                 "{'reduction_factor': 3, 'min_resource': 1, 'max_resource': 9}")
        if options is not None and not isinstance(options, dict):
            raise _usage(f"%%hops parallel --optimizer-options {args.optimizer_options}: expected a dict, got "
                         f"{type(options).__name__}", EXAMPLES["parallel"])
        return self._run_cell("parallel", args, cell, lambda fn, listener: search(
            fn, space, optimizer=args.optimizer, optimizer_options=options, num_trials=args.trials, metric=args.metric,
            direction=args.direction, early_stop=args.early_stop, es_min=args.es_min, es_interval=args.es_interval,
            executor=args.executor, workers=args.workers, name=args.name, seed=args.seed, project=self._project(),
            code=cell, listeners=[listener], memory_per_worker=args.memory, verbose=args.verbose))

    # line commands --------------------------------------------------------------------------------
    def _list_experiments(self, argv: list[str]) -> Any:
        import pandas as pd

        from jhops.experiments.summary import experiment_row

        args = _list_parser().parse_args(argv)
        rows = [experiment_row(e) for e in self._project().experiments.list_experiments(limit=args.limit)]
        return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame(columns=["name", "state"])

    def _show_experiment(self, argv: list[str]) -> None:
        from jhops.widgets.experiment_view import show

        args = _show_parser().parse_args(argv)
        try:
            experiment = self._project().experiments.get_experiment(args.id)
        except ExperimentNotFound as exc:
            raise _usage(f"%hops experiment {args.id}: {exc} List them with %hops experiments.",
                         EXAMPLES["show"]) from None
        show(experiment, verbose=args.verbose or self.verbose)

    def _show_feature_store(self, argv: list[str]) -> None:
        from jhops.featurestore import FeatureStoreError
        from jhops.widgets.feature_store_view import show

        args = _fs_parser().parse_args(argv)
        if args.version is not None and args.name is None:
            raise _usage("%hops fs --version needs a feature group name", EXAMPLES["fs"])
        try:
            show(self._project().get_feature_store(), args.name, args.version)
        except FeatureStoreError as exc:
            raise _usage(f"%hops fs: {exc}", EXAMPLES["fs"]) from None

    def _serve(self, argv: list[str]) -> Any:
        from jhops.magics.serving import serve

        assert self.shell is not None
        return serve(argv, self._project(), self.shell.user_ns)

    def _monitor(self, argv: list[str]) -> None:
        from jhops.magics.serving import monitor

        monitor(argv, self._project())

    def _help(self, argv: list[str]) -> None:
        print(help_text(_help_parser().parse_args(argv).topic))


# ``%hops?`` shows the magic's docstring: every command's usage, from the same parsers the commands use.
HopsMagics.hops.__doc__ = overview()
