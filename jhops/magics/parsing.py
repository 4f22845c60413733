"""Argument parsing for the magics: errors become ``UsageError`` with an example, ``-h``/``--help`` prints help."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from IPython.core.error import UsageError


class HelpShown(Exception):
    """A parser printed its help (``-h``/``--help``): the command does nothing else, and no error is shown."""


class HopsArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are ``UsageError`` with an example of right usage.

    ``-h``/``--help`` prints the full help, with the examples, and raises ``HelpShown`` so that the command
    does nothing else (a cell with ``--help`` is not run).
    Example: ``HopsArgumentParser(prog="%hops fs", example="%hops fs iceberg --version 1")``
    """

    def __init__(self, *args: Any, example: str, more_examples: Sequence[str] = (), **kwargs: Any) -> None:
        self.example = example
        examples = "\n  ".join([example, *more_examples])
        # Raw text, so the examples keep their lines; the description is wrapped here instead.
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("epilog", f"Example{'s' if more_examples else ''}:\n  {examples}")
        if kwargs.get("description"):
            kwargs["description"] = textwrap.fill(kwargs["description"], 78)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}\nUsage: {self.format_usage().strip()}\nExample: {self.example}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status == 0 and message is None:
            raise HelpShown()  # argparse's help action exits this way once the help is printed
        raise UsageError(message or self.format_usage())


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def memory_size(value: str) -> str:
    """An argparse type: a memory size as Spark writes it (``512m``, ``4g``)."""
    from jhops.compute.memory import parse_size

    try:
        parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value
