"""Expectations written as plain data, as they come from a YAML or JSON file, read into ``Expectation`` objects
(and Great Expectations suites), with errors that say which entry is wrong and what would be right.

An ``expectations=`` argument is a list whose entries may be mixed:

- a rule: ``{"rule": "HAS_MIN", "feature": "is_iceberg", "min": 0, "level": "ERROR"}`` (``features`` for a list
  of columns; ``name`` and ``description`` optional), which becomes an expectation of its own;
- an expectation: ``{"name": "label", "features": ["is_iceberg"], "rules": [{"rule": "HAS_MIN", "min": 0}]}``;
- a stored Great Expectations suite: ``{"kind": "great_expectations", "name": ..., "expectations": [...]}``;
- ``Expectation`` objects, Great Expectations ``ExpectationSuite`` objects;
- the path of a ``.yaml``/``.yml``/``.json`` file holding a list of those, or ``{"expectations": [...]}``.

The argument may also be one such path, or one such mapping. Example::

    read_expectations("rules.yaml")
    read_expectations([{"rule": "HAS_MAX", "feature": "is_iceberg", "max": 1}, Expectation(...)])
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from jhops.featurestore.errors import FeatureStoreError
from jhops.featurestore.rules import RULE_FIELDS, Expectation, Rule, did_you_mean

#: what ``expectations=`` takes
ExpectationsSource: TypeAlias = "Sequence[Any] | Mapping[str, Any] | str | os.PathLike[str] | Expectation | None"

FILE_SUFFIXES = (".yaml", ".yml", ".json")
#: the keys of a rule entry: a rule with the features it applies to
RULE_ENTRY_KEYS = ("rule", "feature", "features", "name", "description", *RULE_FIELDS)
#: the keys of an expectation entry: rules applied to each of its features
EXPECTATION_KEYS = ("name", "features", "feature", "description", "rules", "kind")
KINDS = ("rules", "great_expectations")
_ENTRY = ("each entry is an Expectation, a Great Expectations suite, a dict (a rule such as {'rule': 'HAS_MIN', "
          "'feature': 'x', 'min': 0}, or an expectation such as {'name': 'e', 'features': ['x'], 'rules': [...]}) "
          "or the path of a .yaml/.yml/.json file")


def read_expectations(source: ExpectationsSource) -> list[Any]:
    """``Expectation`` objects and Great Expectations suites from any form ``expectations=`` takes.

    Example: ``read_expectations([{"rule": "HAS_MIN", "feature": "is_iceberg", "min": 0}])``
    """
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)):
        return read_file(source)
    if isinstance(source, Mapping):
        return _from_mapping(source, "expectations",
                             "expectations= takes a list of rules and expectations, or {'expectations': [...]}")
    if isinstance(source, Expectation) or _is_suite(source):
        return [source]
    if not isinstance(source, Sequence):
        raise FeatureStoreError(f"expectations must be a list of rules and expectations, one of them, or the path "
                                f"of a .yaml/.yml/.json file; got a {type(source).__name__}. {_ENTRY[0].upper()}"
                                f"{_ENTRY[1:]}.")
    return _entries(source, "expectations")


def read_file(path: str | os.PathLike[str]) -> list[Any]:
    """The expectations in a YAML or JSON file: a list of entries, or ``{"expectations": [...]}``.

    Example: ``read_file("rules.yaml")``
    """
    label = os.fspath(path)
    suffix = os.path.splitext(label)[1].lower()
    if suffix not in FILE_SUFFIXES:
        raise FeatureStoreError(f"{label}: an expectations file ends in .yaml, .yml or .json (a string given as "
                                "expectations is read as a file's path)")
    if not os.path.isfile(label):
        raise FeatureStoreError(f"No expectations file at {os.path.abspath(label)}")
    with open(label, encoding="utf-8") as f:
        text = f.read()
    data = _parse_json(text, label) if suffix == ".json" else _parse_yaml(text, label)
    shape = "a file holds a list of rules and expectations, or {'expectations': [...]}"
    if data is None:
        raise FeatureStoreError(f"{label} holds no expectations; {shape}, e.g. "
                                "- {rule: HAS_MIN, feature: is_iceberg, min: 0}")
    if isinstance(data, list):
        return _entries(data, f"{label}, expectations")
    if isinstance(data, dict):
        return _from_mapping(data, label, shape)
    raise FeatureStoreError(f"{label} holds a {type(data).__name__}; {shape}")


def _parse_json(text: str, label: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise FeatureStoreError(f"{label} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") \
            from None


def _parse_yaml(text: str, label: str) -> Any:
    try:
        import yaml
    except ImportError as exc:  # pyyaml comes with jhops's feature store extra
        raise FeatureStoreError(f"Reading expectations from {label} needs PyYAML: pip install pyyaml (or give "
                                "the rules as a .json file, or as a list of dicts)") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FeatureStoreError(f"{label} is not valid YAML{where}: {problem}") from None


def _from_mapping(data: Mapping[str, Any], label: str, shape: str) -> list[Any]:
    """A mapping that holds ``expectations``, or is one entry itself."""
    if "expectations" in data and "kind" not in data:
        extra = [k for k in data if k != "expectations"]
        if extra:
            raise FeatureStoreError(f"{label}: unknown key {extra[0]!r} beside 'expectations'; {shape}")
        items = data["expectations"]
        if not isinstance(items, list):
            raise FeatureStoreError(f"{label}: 'expectations' must be a list, got a {type(items).__name__}")
        prefix = "expectations" if label == "expectations" else f"{label}, expectations"
        return _entries(items, prefix)
    if any(k in data for k in ("rule", "rules", "kind")):
        return [_entry(data, label)]
    unknown = next(iter(data), None)
    hint = did_you_mean(unknown, ["expectations"]) if unknown is not None else ""
    raise FeatureStoreError(f"{label}: unknown key {unknown!r}{hint}; {shape}")


def _entries(items: Sequence[Any], prefix: str) -> list[Any]:
    loaded: list[Any] = []
    for i, item in enumerate(items):
        where = f"{prefix}[{i}]"
        if isinstance(item, (str, os.PathLike)):
            loaded.extend(read_file(item))
        elif isinstance(item, Mapping):
            loaded.append(_entry(item, where))
        elif isinstance(item, Expectation) or _is_suite(item):
            loaded.append(item)
        elif isinstance(item, Rule):
            raise FeatureStoreError(f"{where} is a Rule without features: wrap it in Expectation(name, features, "
                                    f"[rule]), or write it as {{'rule': {item.name!r}, 'feature': ..., ...}}")
        else:
            article = "an" if type(item).__name__[:1].lower() in "aeiou" else "a"
            raise FeatureStoreError(f"{where} is {article} {type(item).__name__}; {_ENTRY}")
    return loaded


def _entry(item: Mapping[str, Any], where: str) -> Any:
    kind = item.get("kind", "rules")
    if kind not in KINDS:
        raise FeatureStoreError(f"{where}: unknown kind {kind!r}{did_you_mean(kind, KINDS)}; the kinds are "
                                f"{', '.join(KINDS)} (the default)")
    if kind == "great_expectations":
        return _suite(item, where)
    if "rules" in item:
        return _expectation(item, where)
    if "rule" in item:
        return _rule(item, where)
    raise FeatureStoreError(f"{where} is neither a rule (a dict with 'rule') nor an expectation (a dict with "
                            f"'rules'); it has {sorted(item)}. E.g. {{'rule': 'HAS_MIN', 'feature': 'x', 'min': 0}} "
                            "or {'name': 'e', 'features': ['x'], 'rules': [{'rule': 'HAS_MIN', 'min': 0}]}")


def _unknown_keys(item: Mapping[str, Any], keys: Sequence[str], what: str, where: str) -> None:
    for key in item:
        if key not in keys:
            raise FeatureStoreError(f"{where}: unknown key {key!r}{did_you_mean(key, keys)}; {what} keys are "
                                    f"{', '.join(keys)}")


def _features(item: Mapping[str, Any], where: str) -> list[str] | None:
    if "feature" in item and "features" in item:
        raise FeatureStoreError(f"{where}: give 'feature' or 'features', not both")
    value = item.get("features", item.get("feature"))
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise FeatureStoreError(f"{where}: 'features' must be a list of column names (or 'feature' one name), "
                            f"got {value!r}")


def _text(item: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = item.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise FeatureStoreError(f"{where}: {key!r} must be a string, got {value!r}")
    return value


def _rule(item: Mapping[str, Any], where: str) -> Expectation:
    _unknown_keys(item, RULE_ENTRY_KEYS, "a rule's", where)
    rule = Rule.from_dict({k: v for k, v in item.items() if k == "rule" or k in RULE_FIELDS}, where)
    features = _features(item, where)
    if features is None and rule.name != "HAS_SIZE":
        raise FeatureStoreError(f"{where}: rule {rule.name} needs 'feature' (one column) or 'features' (a list of "
                                f"columns), e.g. {{'rule': {rule.name!r}, 'feature': 'is_iceberg', ...}}")
    name = _text(item, "name", where, ", ".join(features or []) or "table")
    return _expectation_object(name, features or [], [rule], _text(item, "description", where, ""), where)


def _expectation(item: Mapping[str, Any], where: str) -> Expectation:
    _unknown_keys(item, EXPECTATION_KEYS, "an expectation's", where)
    rules = item["rules"]
    if not isinstance(rules, list):
        raise FeatureStoreError(f"{where}: 'rules' must be a list such as [{{'rule': 'HAS_MIN', 'min': 0}}], got "
                                f"{rules!r}")
    parsed: list[Rule] = []
    for i, rule in enumerate(rules):
        if isinstance(rule, Rule):
            parsed.append(rule)
        elif isinstance(rule, Mapping):
            parsed.append(Rule.from_dict(rule, f"{where}.rules[{i}]"))
        else:
            raise FeatureStoreError(f"{where}.rules[{i}]: a rule is a dict such as {{'rule': 'HAS_MIN', 'min': 0}}, "
                                    f"got {rule!r}")
    features = _features(item, where) or []
    name = _text(item, "name", where, ", ".join(features) or "table")
    return _expectation_object(name, features, parsed, _text(item, "description", where, ""), where)


def _expectation_object(name: str, features: list[str], rules: list[Rule], description: str,
                        where: str) -> Expectation:
    try:
        return Expectation(name, features, rules, description)
    except FeatureStoreError as exc:
        raise FeatureStoreError(f"{where}: {exc}") from None


def _suite(item: Mapping[str, Any], where: str) -> Any:
    """A Great Expectations suite as jhops stores it: its expectations' ``type``, ``kwargs`` and ``meta``."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    configs = item.get("expectations")
    if not isinstance(configs, list) or not all(isinstance(c, Mapping) for c in configs):
        raise FeatureStoreError(f"{where}: a great_expectations entry needs 'expectations', a list of "
                                "{'type': ..., 'kwargs': {...}} dicts")
    try:
        expectations = [ExpectationConfiguration(**{k: v for k, v in c.items() if k in ("type", "kwargs", "meta")})
                        .to_domain_obj() for c in configs]
        return gx.ExpectationSuite(name=str(item.get("name", "suite")), expectations=expectations)
    except Exception as exc:  # Great Expectations' own errors (an unknown type, bad kwargs) name the problem
        raise FeatureStoreError(f"{where}: not a valid Great Expectations suite: {exc}") from exc


def _is_suite(item: Any) -> bool:
    return getattr(item, "expectations", None) is not None and hasattr(item, "name")


__all__ = ["ExpectationsSource", "read_expectations", "read_file"]
