"""``%hops serve ...`` and ``%hops monitor NAME``: deployments from a notebook. Parsing and dispatch only.

::

    %hops serve create NAME --model MODEL [--version N] [--batching] [--max-batch-size N] [--max-latency-ms MS]
                            [--logging ALL|MODEL_INPUTS|PREDICTIONS|NONE] [--start]
    %hops serve start NAME | stop NAME | delete NAME
    %hops serve status [NAME]
    %hops serve predict NAME --instances VAR [--out VAR]
    %hops serve export NAME [--path FILE]
    %hops monitor NAME
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from IPython.core.error import UsageError

from jhops.magics import HopsArgumentParser, _positive_int
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


def _parser(command: str) -> HopsArgumentParser:
    parser = HopsArgumentParser(prog=f"%hops serve {command}", example=EXAMPLES[command])
    parser.add_argument("name", help="the deployment's name")
    return parser


def _create(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
    from jhops import serving

    parser = _parser("create")
    parser.add_argument("--model", required=True, help="a registered model's name")
    parser.add_argument("--version", type=_positive_int, help="its version (default: the latest)")
    parser.add_argument("--batching", action="store_true", help="dynamic batching of concurrent requests")
    parser.add_argument("--max-batch-size", type=_positive_int)
    parser.add_argument("--max-latency-ms", type=float)
    parser.add_argument("--logging", choices=LOG_MODES, default="ALL", help="what the inference log keeps")
    parser.add_argument("--start", action="store_true", help="start the model server at once")
    parsed = parser.parse_args(args)
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

        name = _parser(action).parse_args(args).name
        return getattr(serving, action)(name, project=project)

    return run


def _status(args: list[str], project: Project, _ns: Mapping[str, Any]) -> Any:
    import pandas as pd

    from jhops import serving

    parser = HopsArgumentParser(prog="%hops serve status", example=EXAMPLES["status"])
    parser.add_argument("name", nargs="?")
    parsed = parser.parse_args(args)
    if parsed.name is not None:
        return serving.status(parsed.name, project=project)
    rows = [s.to_json() for s in serving.list(project=project)]
    columns = ["name", "state", "model_name", "model_version", "url", "error"]
    return pd.DataFrame(rows, columns=columns).set_index("name") if rows else pd.DataFrame(columns=columns)


def _predict(args: list[str], project: Project, ns: Mapping[str, Any]) -> Any:
    from jhops import serving

    parser = _parser("predict")
    parser.add_argument("--instances", required=True, help="the notebook variable holding the instances")
    parser.add_argument("--out", help="a variable to store the predictions in")
    parsed = parser.parse_args(args)
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

    parser = _parser("export")
    parser.add_argument("--path", help="a YAML file to write the InferenceService manifest to")
    parsed = parser.parse_args(args)
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
    from jhops.serving import ServingError

    if not argv or argv[0] not in SERVE_COMMANDS:
        given = f"unknown subcommand {argv[0]!r}" if argv else "a subcommand is needed"
        raise UsageError(f"%hops serve: {given}; choose from {', '.join(sorted(SERVE_COMMANDS))}.\n"
                         f"Example: {EXAMPLES['create']}\n         {EXAMPLES['status']}")
    command, rest = argv[0], argv[1:]
    try:
        return SERVE_COMMANDS[command](rest, project, ns)
    except (ServingError, ModelRegistryError) as exc:
        raise UsageError(f"%hops serve {command}: {exc}\nExample: {EXAMPLES[command]}") from None


def monitor(argv: list[str], project: Project) -> None:
    """``%hops monitor NAME``: the deployment's monitoring view (requests, latency, errors, drift).

    Example: ``monitor(["iceberg"], Project())`` displays the view.
    """
    from jhops.serving import ServingError
    from jhops.serving.monitoring import monitor as monitor_deployment
    from jhops.widgets.monitor_view import show

    parser = HopsArgumentParser(prog="%hops monitor", example=EXAMPLES["monitor"])
    parser.add_argument("name")
    parsed = parser.parse_args(argv)
    try:
        # A model without a training dataset still gets its traffic shown; the view says why drift is missing.
        report = monitor_deployment(parsed.name, project=project, drift_errors="note")
    except ServingError as exc:
        raise UsageError(f"%hops monitor: {exc}\nExample: {EXAMPLES['monitor']}") from None
    show(report)


__all__ = ["SERVE_COMMANDS", "monitor", "serve"]
