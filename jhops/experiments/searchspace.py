"""The hyperparameter search space, in the shape of Maggy's ``Searchspace``.

Example::

    space = Searchspace(lr=("DOUBLE", [1e-4, 1e-1], "log"), layers=("INTEGER", [1, 4]),
                        act=("CATEGORICAL", ["relu", "tanh"]), kernel=("DISCRETE", [3, 5]))
    space.sample(random.Random(42))   # {'lr': 0.0031..., 'layers': 2, 'act': 'tanh', 'kernel': 5}
"""

from __future__ import annotations

import itertools
import math
import numbers
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

DOUBLE, INTEGER, DISCRETE, CATEGORICAL = "DOUBLE", "INTEGER", "DISCRETE", "CATEGORICAL"
TYPES = (DOUBLE, INTEGER, DISCRETE, CATEGORICAL)
SCALES = ("linear", "log")
EXAMPLE = 'Searchspace(lr=("DOUBLE", [1e-4, 1e-1], "log"), layers=("INTEGER", [1, 4]), act=("CATEGORICAL", ["relu"]))'


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter: its name, type, bounds or values, and scale (for DOUBLE and INTEGER)."""

    name: str
    type: str
    values: tuple[Any, ...]
    scale: str = "linear"

    @property
    def low(self) -> float:
        return float(self.values[0])

    @property
    def high(self) -> float:
        return float(self.values[1])

    def sample(self, rng: random.Random) -> Any:
        """A random value: uniform (or log-uniform) within bounds, or one of the values."""
        if self.type in (DISCRETE, CATEGORICAL):
            return rng.choice(self.values)
        if self.scale == "log":
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.type == INTEGER:
            return min(int(self.high), max(int(self.low), round(value)))
        return value

    def grid_values(self) -> list[Any]:
        """Every value, for grid search; a continuous DOUBLE has no finite grid."""
        if self.type in (DISCRETE, CATEGORICAL):
            return list(self.values)
        if self.type == INTEGER:
            return list(range(int(self.low), int(self.high) + 1))
        raise ValueError(
            f"grid search cannot enumerate {self.name}: a DOUBLE range has no grid. Give it as "
            f'("DISCRETE", [values...]) or use random search.'
        )

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "values": list(self.values), "scale": self.scale}


def _parameter(name: str, spec: Any) -> Parameter:
    """Check one ``(type, values[, scale])`` definition and build its Parameter."""
    where = f"Searchspace parameter {name!r}"
    if not name.isidentifier():
        raise ValueError(f"{where}: the name must be a valid Python identifier (it becomes a keyword argument)")
    if not isinstance(spec, (tuple, list)) or len(spec) not in (2, 3):
        raise ValueError(f"{where}: expected (type, values) or (type, values, scale), got {spec!r}. Example: {EXAMPLE}")
    kind, values = str(spec[0]).upper(), spec[1]
    scale = str(spec[2]).lower() if len(spec) == 3 else "linear"
    if kind not in TYPES:
        raise ValueError(f"{where}: unknown type {spec[0]!r}; use one of {', '.join(TYPES)}")
    if scale not in SCALES:
        raise ValueError(f"{where}: unknown scale {spec[2]!r}; use 'linear' or 'log'")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{where}: values must be a non-empty list, got {values!r}")
    if kind in (DOUBLE, INTEGER):
        if len(values) != 2 or not all(_is_number(v) for v in values):
            raise ValueError(f"{where}: a {kind} needs [low, high] as two numbers, got {list(values)!r}")
        low, high = values
        if kind == INTEGER and not all(float(v).is_integer() for v in values):
            raise ValueError(f"{where}: INTEGER bounds must be whole numbers, got {list(values)!r}")
        if not low < high:
            raise ValueError(f"{where}: low must be below high, got [{low}, {high}]")
        if scale == "log" and low <= 0:
            raise ValueError(f"{where}: a log scale needs low > 0, got {low}")
        values = (int(low), int(high)) if kind == INTEGER else (float(low), float(high))
    else:
        if scale == "log":
            raise ValueError(f"{where}: only DOUBLE and INTEGER take a scale")
        if kind == DISCRETE and not all(_is_number(v) for v in values):
            raise ValueError(f"{where}: DISCRETE values must be numbers; use CATEGORICAL for {list(values)!r}")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"{where}: values repeat: {list(values)!r}")
    return Parameter(name, kind, tuple(values), scale)


class Searchspace:
    """Named hyperparameters with their types and ranges.

    Types: ``DOUBLE`` ([low, high], optionally ``"log"``), ``INTEGER`` ([low, high], inclusive),
    ``DISCRETE`` (numbers), ``CATEGORICAL`` (any values). Bad definitions raise ``ValueError`` saying why.

    Example::

        space = Searchspace(lr=("DOUBLE", [1e-4, 1e-1], "log"))
        space.add("dropout", ("DOUBLE", [0.0, 0.5]))
        [name for name, _ in space]   # ['lr', 'dropout']
    """

    def __init__(self, **parameters: Any) -> None:
        self._parameters: dict[str, Parameter] = {}
        for name, spec in parameters.items():
            self.add(name, spec)

    def add(self, name: str, spec: Any) -> Searchspace:
        """Add one parameter, ``(type, values[, scale])``; returns the space so calls can chain."""
        if name in self._parameters:
            raise ValueError(f"Searchspace already has a parameter named {name!r}")
        self._parameters[name] = _parameter(name, spec)
        return self

    def __iter__(self) -> Iterator[tuple[str, Parameter]]:
        return iter(self._parameters.items())

    def __len__(self) -> int:
        return len(self._parameters)

    def __contains__(self, name: object) -> bool:
        return name in self._parameters

    def __getitem__(self, name: str) -> Parameter:
        return self._parameters[name]

    def names(self) -> list[str]:
        return list(self._parameters)

    def sample(self, rng: random.Random) -> dict[str, Any]:
        """One random configuration."""
        return {name: p.sample(rng) for name, p in self._parameters.items()}

    def grid(self) -> list[dict[str, Any]]:
        """Every configuration of a space without continuous DOUBLEs, in a fixed order."""
        names = self.names()
        values = [self._parameters[n].grid_values() for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: p.to_dict() for name, p in self._parameters.items()}

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}=({p.type!r}, {list(p.values)!r}" + (", 'log')" if p.scale == "log" else ")")
                          for n, p in self._parameters.items())
        return f"Searchspace({inner})"
