"""``%hops serve ...`` and ``%hops monitor NAME``: deployments from a notebook. Parsing and dispatch only.

::

    %hops serve create NAME --model MODEL [--version N] [--batching] [--max-batch-size N] [--max-latency-ms MS]
                            [--logging ALL|MODEL_INPUTS|PREDICTIONS|NONE] [--start]
    %hops serve start NAME | stop NAME | delete NAME
    %hops serve status [NAME]
    %hops serve predict NAME --instances VAR [--out VAR]
    %hops serve export NAME [--path FILE]
    %hops monitor NAME

Each subcommand prints its full help with ``-h``/``--help``; ``%hops serve --help`` prints them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.error import UsageError

from jhops.magics.parsing import HelpShown, HopsArgumentParser, positive_int
from jhops.project import Project

EXAMPLES = {
    "create": "%hops serve create iceberg --model iceberg-cnn --batching --start",
    "start": "%hops serve start iceberg",
    "stop": "%hops serve stop iceberg",
    "delete": "%hops serve delete iceberg",
    "status": "%hops serve status iceberg",
    "predict": "%hops serve predict iceberg --instances chips --out predictions",
    "export": "%hops serve export iceberg --path iceberg.yaml",
    "monitor": "%hops monitor iceberg",
}
LOG_MODES = ("ALL", "MODEL_INPUTS", "PREDICTIONS", "NONE")


DESCRIPTIONS = {
    "create": "Create a deployment of a registered model (or update it), and start it with --start.",
    "start": "Start the deployment's model server.",
    "stop": "Stop the deployment's model server.",
    "delete": "Delete the deployment (its model stays registered).",
    "status": "The state of one deployment, or a table of them all.",
    "predict": "Send instances from a notebook variable to the deployment; the predictions come back.",
    "export": "The deployment as a KServe InferenceService manifest (a dict, or a YAML file with --path).",
}


def _parser(command: str) -> HopsArgumentParser:
    parser = HopsArgumentParser(prog=f"%hops serve {command}", example=EXAMPLES[command],
                                description=DESCRIPTIONS[command])
    parser.add_argument("name", help="the deployment's name")
    return parser


def _create_parser() -> HopsArgumentParser:
    parser = _parser("create")
    parser.add_argument("--model", required=True, help="a registered model's name")
    parser.add_argument("--version", type=positive_int, metavar="N", help="its version (default: the latest)")
    parser.add_argument("--batching", action="store_true", help="dynamic batching of concurrent requests")
    parser.add_argument("--max-batch-size", type=positive_int, metavar="N",
                        help="the largest batch (turns batching on)")
    parser.add_argument("--max-latency-ms", type=float, metavar="MS",
                        help="how long a request may wait for a batch to fill (turns batching on)")
    parser.add_argument("--logging", choices=LOG_MODES, default="ALL",
                        help="what the inference log keeps (default: %(default)s)")
    parser.add_argument("--start", action="store_true", help="start the model server at once")
    return parser


def _status_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops serve status", example=EXAMPLES["status"],
                                description=DESCRIPTIONS["status"])
    parser.add_argument("name", nargs="?", help="a deployment (default: all of them)")
    return parser


def _predict_parser() -> HopsArgumentParser:
    parser = _parser("predict")
    parser.add_argument("--instances", required=True, metavar="VAR", help="the notebook variable holding the instances")
    parser.add_argument("--out", metavar="VAR", help="a variable to store the predictions in (default: show them)")
    return parser


def _export_parser() -> HopsArgumentParser:
    parser = _parser("export")
    parser.add_argument("--path", metavar="FILE", help="a YAML file to write the InferenceService manifest to")
    return parser


def monitor_parser() -> HopsArgumentParser:
    parser = HopsArgumentParser(prog="%hops monitor", example=EXAMPLES["monitor"],
                                description="The deployment's monitoring: requests, latency, errors, predictions "
                                            "and input drift against its training data.")
    parser.add_argument("name", help="the deployment's name")
    return parser


#: every ``%hops serve`` subcommand's parser, for its command and for ``%hops help serve``
SERVE_PARSERS: dict[str, Callable[[], HopsArgumentParser]] = {
    "create": _create_parser,
    "start": lambda: _parser("start"),
    "stop": lambda: _parser("stop"),
    "delete": lambda: _parser("delete"),
    "status": _status_parser,
    "predict": _predict_parser,
    "export": _export_parser,
}


def _create(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
    from jhops import serving

    parsed = _create_parser().parse_args(args)
    batching: bool | dict[str, Any] = parsed.batching
    sizes = {k: v for k, v in (("max_batch_size", parsed.max_batch_size), ("max_latency_ms", parsed.max_latency_ms))
             if v is not None}
    if sizes:
        batching = sizes
    deployment = serving.create_or_update(parsed.name, parsed.model, parsed.version, batching=batching,
                                          inference_logging=parsed.logging, project=project)
    if parsed.start:
        deployment.start()
    return deployment.status()


def _named(action: str) -> Callable[[list[str], Project, Mapping[str, Any]], Any]:
    def run(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
        from jhops import serving

        name = SERVE_PARSERS[action]().parse_args(args).name
        return getattr(serving, action)(name, project=project)

    return run


def _status(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
    import pandas as pd

    from jhops import serving

    parsed = _status_parser().parse_args(args)
    if parsed.name is not None:
        return serving.status(parsed.name, project=project)
    rows = [s.to_json() for s in serving.list(project=project)]
    columns = ["name", "state", "model_name", "model_version", "url", "error"]
    return pd.DataFrame(rows, columns=columns).set_index("name") if rows else pd.DataFrame(columns=columns)


def _predict(args: list[str], project: Project, ns: Mapping[str, Any]) -> Any:
    from jhops import serving

    parsed = _predict_parser().parse_args(args)
    if parsed.instances not in ns:
        raise UsageError(f"%hops serve predict --instances {parsed.instances}: no variable named "
                         f"{parsed.instances!r} in the notebook.\nExample: {EXAMPLES['predict']}")
    predictions = serving.predict(parsed.name, ns[parsed.instances], project=project)
    if parsed.out:
        assert isinstance(ns, dict)
        ns[parsed.out] = predictions
        return None
    return predictions


def _export(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
    from jhops import serving

    parsed = _export_parser().parse_args(args)
    return serving.export_kserve(parsed.name, parsed.path, project=project)


SERVE_COMMANDS: dict[str, Callable[[list[str], Project, Mapping[str, Any]], Any]] = {
    "create": _create,
    "start": _named("start"),
    "stop": _named("stop"),
    "delete": _named("delete"),
    "status": _status,
    "predict": _predict,
    "export": _export,
}


def serve(argv: list[str], project: Project, ns: Mapping[str, Any]) -> Any:
    """``%hops serve SUBCOMMAND ...``: dispatch to the subcommand; serving's errors become a UsageError.

    Example: ``serve(["start", "iceberg"], Project(), {})`` starts the deployment and returns its status.
    """
    from jhops.models import ModelRegistryError
    from jhops.serving import DeploymentStartError, ServingError

    if argv and argv[0] in ("-h", "--help"):
        print(serve_help())
        raise HelpShown()
    if not argv or argv[0] not in SERVE_COMMANDS:
        given = f"unknown subcommand {argv[0]!r}" if argv else "a subcommand is needed"
        raise UsageError(f"%hops serve: {given}; choose from {', '.join(sorted(SERVE_COMMANDS))}.\n"
                         f"Example: {EXAMPLES['create']}\n         {EXAMPLES['status']}")
    command, rest = argv[0], argv[1:]
    try:
        return SERVE_COMMANDS[command](rest, project, ns)
    except DeploymentStartError as exc:
        # Not the cell's mistake, but what a user needs is the same: the message with the server log's tail,
        # without a traceback through jhops.
        raise UsageError(f"%hops serve {command}: the model server did not start: {exc}") from None
    except (ServingError, ModelRegistryError) as exc:
        raise UsageError(f"%hops serve {command}: {exc}\nExample: {EXAMPLES[command]}") from None


def serve_help() -> str:
    """The full help of every ``%hops serve`` subcommand, with examples."""
    return "\n".join(factory().format_help() for factory in SERVE_PARSERS.values())


def monitor(argv: list[str], project: Project) -> None:
    """``%hops monitor NAME``: the deployment's monitoring view (requests, latency, errors, drift).

    Example: ``monitor(["iceberg"], Project())`` displays the view.
    """
    from jhops.serving import ServingError
    from jhops.serving.monitoring import monitor as monitor_deployment
    from jhops.widgets.monitor_view import show

    parsed = monitor_parser().parse_args(argv)
    try:
        # A model without a training dataset still gets its traffic shown; the view says why drift is missing.
        report = monitor_deployment(parsed.name, project=project, drift_errors="note")
    except ServingError as exc:
        raise UsageError(f"%hops monitor: {exc}\nExample: {EXAMPLES['monitor']}") from None
    show(report)


__all__ = ["SERVE_COMMANDS", "SERVE_PARSERS", "monitor", "monitor_parser", "serve", "serve_help"]
