"""The ``jhops`` command line, over the same API as the magics.

Example::

    jhops experiments list
    jhops experiments show 3
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from jhops.experiments.store import ExperimentNotFound
from jhops.experiments.summary import experiment_row, trial_row
from jhops.project import Project


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as an aligned text table. Example: ``format_table([{"id": 1, "state": "FINISHED"}])``."""
    if not rows:
        return "(none)"
    columns = list(rows[0])
    widths = {c: max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    lines = ["  ".join(str(c).ljust(widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _list(args: argparse.Namespace) -> int:
    experiments = Project(args.project).experiments.list_experiments(limit=args.limit)
    if args.json:
        print(json.dumps([e.to_dict() for e in experiments], indent=2, default=str))
    else:
        print(format_table([experiment_row(e) for e in experiments]))
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        exp = Project(args.project).experiments.get_experiment(args.id)
    except ExperimentNotFound as exc:
        print(f"jhops: {exc} See `jhops experiments list`.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(exp.to_dict(), indent=2, default=str))
        return 0
    row = experiment_row(exp)
    print(f"Experiment {exp.id}: {exp.name} [{row['state']}]")
    for key in ("kind", "executor", "workers", "started", "duration", "best"):
        print(f"  {key:9} {row[key]}")
    if exp.error:
        print(f"  error     {exp.error}")
    print()
    print(format_table([trial_row(t) for t in exp.trials]))
    for trial in exp.trials:
        if trial.error:
            print(f"\ntrial {trial.number} {trial.state.value}:\n{trial.error.rstrip()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jhops", description="jhops: tracked ML experiments and pipelines.")
    parser.add_argument("--project", default=None, help="project root (default: $JHOPS_PROJECT or ./jhops-project)")
    groups = parser.add_subparsers(dest="group", required=True)
    experiments = groups.add_parser("experiments", help="list and inspect experiments")
    commands = experiments.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="experiments, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=_list)
    show = commands.add_parser("show", help="one experiment with its trials")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(run=_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
