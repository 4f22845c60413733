"""Turning the ``args`` of a launch into the parameters of each trial, and injecting them into a call."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

INJECTED = ("reporter", "hparams")


def grid(**values: Sequence[Any]) -> list[dict[str, Any]]:
    """Every combination of the given values (a Cartesian grid), as a list of parameter dicts.

    Example: ``grid(lr=[0.1, 0.01], layers=[2, 3])`` gives four dicts, from ``{"lr": 0.1, "layers": 2}``.
    """
    names = list(values)
    for name, options in values.items():
        if isinstance(options, (str, bytes)) or not isinstance(options, Sequence) or not options:
            raise ValueError(f"grid({name}=...) needs a non-empty list of values, got {options!r}")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]


def expand_args(args: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The parameters of each trial.

    ``None`` is one trial without parameters. A dict of lists follows hops-util-py's ``args_dict``: trial
    *i* takes the *i*-th element of every list, so all lists must have the same length (a single value
    stands for every trial). A list of dicts is used as it is; ``grid(...)`` makes one from a grid.

    Example: ``expand_args({"lr": [0.1, 0.01], "epochs": 5})`` gives
    ``[{"lr": 0.1, "epochs": 5}, {"lr": 0.01, "epochs": 5}]``.
    """
    if args is None:
        return [{}]
    if isinstance(args, Mapping):
        lists = {k: v for k, v in args.items() if isinstance(v, (list, tuple))}
        lengths = {k: len(v) for k, v in lists.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"args lists must all have the same length (trial i takes element i of each), got {lengths}. "
                "For every combination use jhops.experiment.grid(lr=[...], layers=[...])."
            )
        count = next(iter(lengths.values()), 1)
        if count == 0:
            raise ValueError("args lists are empty: nothing to run")
        return [{k: (v[i] if k in lists else v) for k, v in args.items()} for i in range(count)]
    if isinstance(args, Sequence) and not isinstance(args, (str, bytes)):
        trials = [dict(a) for a in args if isinstance(a, Mapping)]
        if len(trials) != len(args) or not trials:
            raise ValueError("args as a list must be a non-empty list of dicts, one per trial")
        return trials
    raise TypeError(f"args must be a dict of lists or a list of dicts, got {type(args).__name__}")


def _parameters(fn: Callable[..., Any]) -> tuple[dict[str, inspect.Parameter], bool]:
    params = dict(inspect.signature(fn).parameters)
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return params, var_kw


def wants_hparams_dict(fn: Callable[..., Any], params: Mapping[str, Any]) -> bool:
    signature, _ = _parameters(fn)
    return "hparams" in signature and "hparams" not in params


def check_call(fn: Callable[..., Any], params: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` now if ``fn`` cannot take ``params``, rather than in every trial later."""
    signature, var_kw = _parameters(fn)
    if wants_hparams_dict(fn, params):
        given = {"hparams"}
    else:
        given = set(params)
        unknown = sorted(given - set(signature))
        if unknown and not var_kw:
            raise ValueError(
                f"{fn.__name__}() has no parameter named {', '.join(unknown)}; it takes "
                f"({', '.join(signature)}). Rename the args keys or add the parameters."
            )
    missing = [
        name for name, p in signature.items()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and name not in given and name != "reporter"
    ]
    if missing:
        raise ValueError(f"{fn.__name__}() needs {', '.join(missing)} but args does not give it a value.")


def call_kwargs(fn: Callable[..., Any], params: Mapping[str, Any], reporter: Any) -> dict[str, Any]:
    """The keyword arguments to call ``fn`` with: the parameters (or one ``hparams`` dict) and ``reporter``."""
    signature, _ = _parameters(fn)
    kwargs: dict[str, Any] = {"hparams": dict(params)} if wants_hparams_dict(fn, params) else dict(params)
    if "reporter" in signature:
        kwargs["reporter"] = reporter
    return kwargs
