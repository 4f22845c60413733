"""Running expectations on data: Hopsworks rules and native suites through Great Expectations, array rules on
Arrow or Spark SQL, and the report that each insert stores.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jhops.featurestore.errors import FeatureStoreError
from jhops.featurestore.expectation_specs import ExpectationsSource, read_expectations
from jhops.featurestore.rules import Expectation, Rule

#: Deequ datatypes as the dtype names Great Expectations sees on pandas and on Spark
_PANDAS_TYPES = {
    "Integral": ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "Int8", "Int16", "Int32",
                 "Int64"],
    "Fractional": ["float16", "float32", "float64", "Float32", "Float64"],
    "String": ["object", "str", "string", "StringDtype"],
    "Boolean": ["bool", "boolean"],
}
_SPARK_TYPES = {
    "Integral": ["ByteType", "ShortType", "IntegerType", "LongType"],
    "Fractional": ["FloatType", "DoubleType", "DecimalType"],
    "String": ["StringType"],
    "Boolean": ["BooleanType"],
}


@dataclass
class RuleResult:
    """The outcome of one rule on one feature."""

    expectation: str
    rule: str
    feature: str | None
    level: str
    success: bool
    observed: Any = None
    expected: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"expectation": self.expectation, "rule": self.rule, "feature": self.feature, "level": self.level,
                "success": self.success, "observed": _json_ready(self.observed), "expected": self.expected}


@dataclass
class ValidationReport:
    """All rule results of one validation; ``status`` is SUCCESS, WARNING (only WARNING rules failed) or FAILURE."""

    rows: int
    results: list[RuleResult] = field(default_factory=list)
    id: int | None = None

    @property
    def status(self) -> str:
        failed = [r for r in self.results if not r.success]
        if any(r.level == "ERROR" for r in failed):
            return "FAILURE"
        return "WARNING" if failed else "SUCCESS"

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if not r.success]

    def summary(self) -> str:
        failed = self.failures
        if not failed:
            return f"all {len(self.results)} rules passed on {self.rows} rows"
        listed = "; ".join(f"{r.level} {r.rule}({r.feature or 'table'}) expected {r.expected}, observed "
                           f"{_short(r.observed)}" for r in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        return f"{len(failed)} of {len(self.results)} rules failed: {listed}{more}"

    def results_as_dicts(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.results]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "rows": self.rows, "results": self.results_as_dicts()}

    def __repr__(self) -> str:
        return f"ValidationReport({self.status}: {self.summary()})"


def _short(value: Any) -> str:
    text = repr(_json_ready(value))
    return text if len(text) < 80 else text[:77] + "..."


def _json_ready(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _bounds(rule: Rule) -> str:
    if rule.name == "HAS_LENGTH" and rule.value is not None:
        return f"== {rule.value:g}"
    low = "-inf" if rule.min is None else f"{rule.min:g}"
    high = "inf" if rule.max is None else f"{rule.max:g}"
    return f"in [{low}, {high}]"


def _expected(rule: Rule) -> str:
    return {
        "HAS_COMPLETENESS": f"completeness >= {rule.min}",
        "HAS_DATATYPE": f"type {rule.accepted_type}",
        "HAS_PATTERN": f"matches {rule.pattern!r}",
        "IS_CONTAINED_IN": f"in {rule.legal_values}",
        "IS_NON_NEGATIVE": ">= 0",
        "IS_FINITE": "no NaN or inf",
    }.get(rule.name, _bounds(rule))


# --- Great Expectations -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Great Expectations routes Python warnings into logging, where nobody sees them; jhops warns users of
    # WARNING-level rule failures with warnings.warn, so give warnings back to Python.
    logging.captureWarnings(False)
    # Its per-validation progress bars would flood notebooks and logs; jhops reports the outcome instead.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


@functools.lru_cache(maxsize=2)
def _batch_definition(engine: str) -> Any:
    context = _context()
    source = context.data_sources.add_pandas("jhops_pandas") if engine == "pandas" \
        else context.data_sources.add_spark("jhops_spark")
    return source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("all")


def _gx_arguments(rule: Rule, engine: str) -> tuple[str, dict[str, Any]]:
    """The Great Expectations class that checks ``rule`` and its arguments (without the column)."""
    bounds: dict[str, Any] = {"min_value": rule.min, "max_value": rule.max}
    mostly = float(rule.min if rule.min is not None else 1.0)
    types = (_PANDAS_TYPES if engine == "pandas" else _SPARK_TYPES).get(str(rule.accepted_type))
    table: dict[str, tuple[str, dict[str, Any]]] = {
        "HAS_SIZE": ("ExpectTableRowCountToBeBetween", bounds),
        "HAS_MIN": ("ExpectColumnMinToBeBetween", bounds),
        "HAS_MAX": ("ExpectColumnMaxToBeBetween", bounds),
        "HAS_MEAN": ("ExpectColumnMeanToBeBetween", bounds),
        "HAS_UNIQUENESS": ("ExpectColumnProportionOfUniqueValuesToBeBetween", bounds),
        "HAS_COMPLETENESS": ("ExpectColumnValuesToNotBeNull", {"mostly": mostly}),
        "HAS_DATATYPE": ("ExpectColumnValuesToBeInTypeList",
                         {"type_list": types}),
        "HAS_PATTERN": ("ExpectColumnValuesToMatchRegex", {"regex": str(rule.pattern), "mostly": mostly}),
        "IS_CONTAINED_IN": ("ExpectColumnValuesToBeInSet", {"value_set": list(rule.legal_values or [])}),
        "IS_NON_NEGATIVE": ("ExpectColumnValuesToBeBetween", {"min_value": 0}),
    }
    return table[rule.name]


def _gx_expectation(rule: Rule, feature: str | None, engine: str) -> Any:
    import great_expectations.expectations as gxe

    name, arguments = _gx_arguments(rule, engine)
    if feature is not None and rule.name != "HAS_SIZE":
        arguments = {"column": feature, **arguments}
    expectation_class: Any = getattr(gxe, name)
    return expectation_class(**arguments)


def _observed(result: Any) -> Any:
    details = dict(result.result or {})
    for key in ("observed_value", "unexpected_percent", "partial_unexpected_list"):
        if key in details:
            return details[key]
    return details or None


def _run_suite(batch_data: Any, engine: str, expectations: list[Any]) -> list[Any]:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="jhops", expectations=expectations)
    batch = _batch_definition(engine).get_batch(batch_parameters={"dataframe": batch_data})
    return list(batch.validate(suite).results)


# --- array rules ---------------------------------------------------------------------------------------
def _array_observations_arrow(column: pa.ChunkedArray) -> dict[str, float]:
    lengths = pc.list_value_length(column)
    flat = pc.list_flatten(column)
    values = flat.to_numpy(zero_copy_only=False) if len(flat) else np.array([], dtype=np.float64)
    if values.dtype.kind not in "fiu":
        values = values.astype(np.float64)
    mask = np.isfinite(values)
    finite = values if mask.all() else values[mask]
    return {"min_length": float(pc.min(lengths).as_py() or 0), "max_length": float(pc.max(lengths).as_py() or 0),
            "min": float(finite.min()) if finite.size else math.nan,
            "max": float(finite.max()) if finite.size else math.nan,
            "non_finite": float(values.size - finite.size)}


def _array_result(name: str, rule: Rule, feature: str, obs: dict[str, float]) -> RuleResult:
    if rule.name == "HAS_LENGTH":
        low = rule.value if rule.value is not None else rule.min
        high = rule.value if rule.value is not None else rule.max
        ok = (low is None or obs["min_length"] >= low) and (high is None or obs["max_length"] <= high)
        observed: Any = {"min_length": obs["min_length"], "max_length": obs["max_length"]}
    elif rule.name == "HAS_ELEMENT_RANGE":
        ok = (rule.min is None or not obs["min"] < rule.min) and (rule.max is None or not obs["max"] > rule.max)
        observed = {"min": obs["min"], "max": obs["max"]}
    else:  # IS_FINITE
        ok = obs["non_finite"] == 0
        observed = {"non_finite_elements": obs["non_finite"]}
    return RuleResult(name, rule.name, feature, rule.level, bool(ok), observed, _expected(rule))


# --- the entry point -----------------------------------------------------------------------------------
def _columns_of(data: Any) -> list[str]:
    return list(data.column_names) if isinstance(data, pa.Table) else list(data.columns)


def _rows_of(data: Any) -> int:
    return data.num_rows if isinstance(data, pa.Table) else int(data.count())


def validate(data: Any, expectations: ExpectationsSource) -> ValidationReport:
    """Run ``expectations`` on an Arrow table or Spark DataFrame: ``Expectation``s, Great Expectations suites,
    rules written as dicts, or a YAML/JSON file of them (see :mod:`jhops.featurestore.expectation_specs`).

    Example: ``validate(pa.table({"x": [1, 2]}), [{"rule": "HAS_MIN", "feature": "x", "min": 0}])``
    """
    engine = "pandas" if isinstance(data, pa.Table) else "spark"
    columns = _columns_of(data)
    planned: list[tuple[str, Rule, str | None]] = []
    suites: list[Any] = []
    for expectation in read_expectations(expectations):
        if isinstance(expectation, Expectation):
            missing = [f for f in expectation.features if f not in columns]
            if missing:
                raise FeatureStoreError(f"Expectation {expectation.name!r} names feature(s) {missing} that the data "
                                        f"does not have; its columns are {columns}.")
            for rule in expectation.rules:
                targets: list[str | None] = [None] if rule.name == "HAS_SIZE" else list(expectation.features)
                planned.extend((expectation.name, rule, feature) for feature in targets)
        else:
            suites.append(expectation)
    report = ValidationReport(_rows_of(data))
    array_rules = [(n, r, f) for n, r, f in planned if r.on_arrays]
    scalar_rules = [(n, r, f) for n, r, f in planned if not r.on_arrays]
    observed: dict[str, dict[str, float]] = {}  # one pass per column, whatever the number of rules on it
    for name, rule, feature in array_rules:
        assert feature is not None
        if feature not in observed:
            if engine == "pandas":
                observed[feature] = _array_observations_arrow(data.column(feature))
            else:
                from jhops.featurestore.spark_io import array_observations_spark

                observed[feature] = array_observations_spark(data, feature)
        report.results.append(_array_result(name, rule, feature, observed[feature]))
    gx_items = [_gx_expectation(rule, feature, engine) for _, rule, feature in scalar_rules]
    native = [e for suite in suites for e in suite.expectations]
    if gx_items or native:
        batch_data = data
        if engine == "pandas":
            # Great Expectations sees the scalar columns; array columns stay in Arrow for the array rules.
            scalar = [c for c in columns if not pa.types.is_list(data.schema.field(c).type)
                      and not pa.types.is_large_list(data.schema.field(c).type)]
            batch_data = data.select(scalar).to_pandas()
        results = _run_suite(batch_data, engine, [*gx_items, *native])
        for (name, rule, feature), result in zip(scalar_rules, results[:len(gx_items)], strict=True):
            report.results.append(RuleResult(name, rule.name, feature, rule.level, bool(result.success),
                                             _observed(result), _expected(rule)))
        for result in results[len(gx_items):]:
            config = result.expectation_config
            kwargs = dict(config.kwargs)
            level = "WARNING" if (config.meta or {}).get("level") == "WARNING" else "ERROR"
            report.results.append(RuleResult("great_expectations", config.type, kwargs.get("column"), level,
                                             bool(result.success), _observed(result),
                                             ", ".join(f"{k}={v}" for k, v in kwargs.items()
                                                       if k not in ("column", "batch_id"))))
    return report


def suite_to_dict(suite: Any) -> dict[str, Any]:
    """A Great Expectations suite as stored JSON (its expectations' type, kwargs and meta)."""
    return {"kind": "great_expectations", "name": suite.name,
            "expectations": [e.configuration.to_json_dict() for e in suite.expectations]}


def load_expectations(stored: Sequence[dict[str, Any]]) -> list[Any]:
    """The expectations of a feature group from their stored JSON (the plain-data form, see
    :mod:`jhops.featurestore.expectation_specs`)."""
    return read_expectations(list(stored))
