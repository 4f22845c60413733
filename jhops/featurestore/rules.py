"""Validation rules with the Hopsworks (Deequ) names, grouped into expectations on features.

The same rules written as plain data (dicts, YAML or JSON files) are read by
:mod:`jhops.featurestore.expectation_specs`.

Example::

    Expectation("labels", features=["is_iceberg"],
                rules=[Rule("HAS_MIN", min=0), Rule("HAS_MAX", max=1), Rule("HAS_COMPLETENESS", min=1.0)])
    Expectation("bands", features=["band_1", "band_2"],
                rules=[Rule("HAS_LENGTH", value=5625), Rule("IS_FINITE"), Rule("HAS_ELEMENT_RANGE", min=-60, max=40)])
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from jhops.featurestore.errors import FeatureStoreError

#: rules on scalar columns, run through Great Expectations
SCALAR_RULES = {
    "HAS_MIN": "the column's minimum lies in [min, max]",
    "HAS_MAX": "the column's maximum lies in [min, max]",
    "HAS_MEAN": "the column's mean lies in [min, max]",
    "HAS_SIZE": "the number of rows lies in [min, max]",
    "HAS_COMPLETENESS": "the fraction of non-null values is at least min",
    "HAS_UNIQUENESS": "the fraction of unique values lies in [min, max]",
    "HAS_DATATYPE": "every value is of accepted_type (Integral, Fractional, String, Boolean)",
    "HAS_PATTERN": "every value (at least a fraction min) matches the regular expression pattern",
    "IS_CONTAINED_IN": "every value is one of legal_values",
    "IS_NON_NEGATIVE": "every value is >= 0",
}
#: rules on array columns (EO chips), run on Arrow (pandas inserts) or Spark SQL (Spark inserts)
ARRAY_RULES = {
    "HAS_LENGTH": "every array has length value (or a length in [min, max])",
    "HAS_ELEMENT_RANGE": "every element of every array lies in [min, max]",
    "IS_FINITE": "no element is NaN or infinite",
}
RULES = {**SCALAR_RULES, **ARRAY_RULES}
DATATYPES = ("Integral", "Fractional", "String", "Boolean")
LEVELS = ("WARNING", "ERROR")
#: the keys of a rule written as a dict, besides "rule" (its name)
RULE_FIELDS = ("level", "min", "max", "value", "pattern", "accepted_type", "legal_values")
_EXAMPLE = 'Rule("HAS_MIN", level="ERROR", min=0)'


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'HAS_MIN'?)`` for the closest of ``choices`` to a misspelt ``word``, else ``""``.

    Example: ``did_you_mean("HAS_MINIMUM", RULES)`` is ``" (did you mean 'HAS_MIN'?)"``.
    """
    choices = list(choices)
    by_upper = {c.upper(): c for c in choices}
    match = difflib.get_close_matches(str(word).upper(), list(by_upper), n=1)
    return f" (did you mean {by_upper[match[0]]!r}?)" if match else ""


@dataclass(frozen=True)
class Rule:
    """One check; ``level`` ERROR can reject an insert under the STRICT policy, WARNING only reports.

    Example: ``Rule("IS_CONTAINED_IN", legal_values=[0, 1])``
    """

    name: str
    level: str = "ERROR"
    min: float | None = None
    max: float | None = None
    value: float | None = None
    pattern: str | None = None
    accepted_type: str | None = None
    legal_values: list[Any] | None = None

    def __post_init__(self) -> None:
        if self.name not in RULES:
            raise FeatureStoreError(f"Unknown rule {self.name!r}{did_you_mean(self.name, RULES)}; the rules are "
                                    f"{', '.join(RULES)}. Example: {_EXAMPLE}")
        if self.level not in LEVELS:
            raise FeatureStoreError(f"Rule {self.name}: level must be WARNING or ERROR, got {self.level!r}"
                                    f"{did_you_mean(self.level, LEVELS)}")
        needs = {
            "HAS_MIN": self.min is not None or self.max is not None,
            "HAS_MAX": self.min is not None or self.max is not None,
            "HAS_MEAN": self.min is not None or self.max is not None,
            "HAS_SIZE": self.min is not None or self.max is not None,
            "HAS_UNIQUENESS": self.min is not None or self.max is not None,
            "HAS_COMPLETENESS": self.min is not None,
            "HAS_PATTERN": self.pattern is not None,
            "IS_CONTAINED_IN": bool(self.legal_values),
            "HAS_DATATYPE": self.accepted_type in DATATYPES,
            "HAS_LENGTH": self.value is not None or self.min is not None or self.max is not None,
            "HAS_ELEMENT_RANGE": self.min is not None or self.max is not None,
        }
        if not needs.get(self.name, True):
            raise FeatureStoreError(f"Rule {self.name} ({RULES[self.name]}) is missing its bound: "
                                    f"{_how(self.name)}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise FeatureStoreError(f"Rule {self.name}: min {self.min} is greater than max {self.max}")

    @property
    def on_arrays(self) -> bool:
        return self.name in ARRAY_RULES

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "rule") -> Rule:
        """A rule written as data, as in a YAML or JSON file; names, levels and types in any case.

        ``name`` may stand for ``rule`` (it is the key ``to_dict`` writes). Errors start with ``where``.
        Example: ``Rule.from_dict({"rule": "HAS_MIN", "min": 0, "level": "WARNING"})``
        """
        def fail(message: str) -> FeatureStoreError:
            return FeatureStoreError(f"{where}: {message}")

        keys = ("rule", *RULE_FIELDS)
        for key in data:
            if key not in keys and key != "name":
                hint = " (the expectation's features apply to all its rules)" if key in ("feature", "features") \
                    else did_you_mean(key, keys)
                raise fail(f"unknown key {key!r}{hint}; a rule's keys inside an expectation are {', '.join(keys)}")
        if "rule" in data and "name" in data:
            raise fail("give the rule's name as 'rule' or as 'name', not both")
        name = data.get("rule", data.get("name"))
        if name is None:
            raise fail(f"a rule needs 'rule', the name of a rule such as 'HAS_MIN'; the rules are {', '.join(RULES)}")
        if not isinstance(name, str):
            also = "; an expectation's rules go under 'rules'" if isinstance(name, (list, tuple)) else ""
            raise fail(f"'rule' must be the name of a rule such as 'HAS_MIN', got a {type(name).__name__}{also}")
        if name.upper() not in RULES:
            raise fail(f"unknown rule {name!r}{did_you_mean(name, RULES)}; the rules are {', '.join(RULES)}")
        fields: dict[str, Any] = {}
        for key in RULE_FIELDS:
            value = data.get(key)
            if value is not None:
                fields[key] = _field(key, value, fail)
        try:
            return cls(name.upper(), **fields)
        except FeatureStoreError as exc:
            raise fail(str(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _field(key: str, value: Any, fail: Callable[[str], FeatureStoreError]) -> Any:
    """One field of a rule written as data, checked and normalised."""
    if key in ("min", "max", "value"):
        if isinstance(value, str):
            # PyYAML reads 1e-3 (no dot) as a string: take any text that is a number
            try:
                return float(value)
            except ValueError:
                raise fail(f"{key!r} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(f"{key!r} must be a number, got {value!r}")
        return value
    if key == "level":
        if not isinstance(value, str) or value.upper() not in LEVELS:
            raise fail(f"unknown level {value!r}{did_you_mean(value, LEVELS)}; the levels are {', '.join(LEVELS)}")
        return value.upper()
    if key == "accepted_type":
        types = {t.upper(): t for t in DATATYPES}
        if not isinstance(value, str) or value.upper() not in types:
            raise fail(f"unknown accepted_type {value!r}{did_you_mean(value, DATATYPES)}; the types are "
                       f"{', '.join(DATATYPES)}")
        return types[value.upper()]
    if key == "legal_values":
        if not isinstance(value, (list, tuple)):
            raise fail(f"'legal_values' must be a list, e.g. [0, 1]; got {value!r}")
        return list(value)
    if not isinstance(value, str):  # pattern
        raise fail(f"{key!r} must be a string (a regular expression), got {value!r}")
    return value


def _how(name: str) -> str:
    examples = {
        "HAS_COMPLETENESS": 'Rule("HAS_COMPLETENESS", min=0.95)',
        "HAS_PATTERN": 'Rule("HAS_PATTERN", pattern="^[0-9a-f]{8}$")',
        "IS_CONTAINED_IN": 'Rule("IS_CONTAINED_IN", legal_values=[0, 1])',
        "HAS_DATATYPE": f'Rule("HAS_DATATYPE", accepted_type="Integral")  (one of {", ".join(DATATYPES)})',
        "HAS_LENGTH": 'Rule("HAS_LENGTH", value=5625)',
    }
    return "for example " + examples.get(name, f'Rule("{name}", min=0, max=1)')


@dataclass(frozen=True)
class Expectation:
    """Rules applied to each of ``features`` (``HAS_SIZE`` applies to the table).

    Example: ``Expectation("id_complete", features=["id"], rules=[Rule("HAS_COMPLETENESS", min=1)])``
    """

    name: str
    features: list[str]
    rules: list[Rule]
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A bare string would be read as one feature per character; rules may be written as dicts.
        if isinstance(self.features, str):
            object.__setattr__(self, "features", [self.features])
        rules = [Rule.from_dict(r, f"Expectation {self.name!r}, rules[{i}]") if isinstance(r, Mapping) else r
                 for i, r in enumerate(self.rules)]
        for i, rule in enumerate(rules):
            if not isinstance(rule, Rule):
                raise FeatureStoreError(f"Expectation {self.name!r}, rules[{i}]: a rule is a Rule or a dict such as "
                                        f"{{'rule': 'HAS_MIN', 'min': 0}}, got a {type(rule).__name__}")
        object.__setattr__(self, "rules", rules)
        if not self.rules:
            raise FeatureStoreError(f"Expectation {self.name!r} has no rules. Example: "
                                    f'Expectation("{self.name}", features=["x"], rules=[{_EXAMPLE}])')
        if not self.features and any(r.name != "HAS_SIZE" for r in self.rules):
            raise FeatureStoreError(f"Expectation {self.name!r} names no features to apply its rules to")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "features": list(self.features), "description": self.description,
                "rules": [r.to_dict() for r in self.rules]}
