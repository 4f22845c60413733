"""Validation rules with the Hopsworks (Deequ) names, grouped into expectations on features.

Example::

    Expectation("labels", features=["is_iceberg"],
                rules=[Rule("HAS_MIN", min=0), Rule("HAS_MAX", max=1), Rule("HAS_COMPLETENESS", min=1.0)])
    Expectation("bands", features=["band_1", "band_2"],
                rules=[Rule("HAS_LENGTH", value=5625), Rule("IS_FINITE"), Rule("HAS_ELEMENT_RANGE", min=-60, max=40)])
"""

from __future__ import annotations

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
_EXAMPLE = 'Rule("HAS_MIN", level="ERROR", min=0)'


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
            raise FeatureStoreError(f"Unknown rule {self.name!r}; the rules are {', '.join(RULES)}. "
                                    f"Example: {_EXAMPLE}")
        if self.level not in LEVELS:
            raise FeatureStoreError(f"Rule {self.name}: level must be WARNING or ERROR, got {self.level!r}")
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

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


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
        if not self.rules:
            raise FeatureStoreError(f"Expectation {self.name!r} has no rules. Example: "
                                    f'Expectation("{self.name}", features=["x"], rules=[{_EXAMPLE}])')
        if not self.features and any(r.name != "HAS_SIZE" for r in self.rules):
            raise FeatureStoreError(f"Expectation {self.name!r} names no features to apply its rules to")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "features": list(self.features), "description": self.description,
                "rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Expectation:
        return cls(data["name"], list(data["features"]), [Rule(**r) for r in data["rules"]],
                   data.get("description", ""))
