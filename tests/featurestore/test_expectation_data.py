"""Expectations written as plain data: rule dicts, expectation dicts, YAML and JSON files, mixed with objects;
a misspelt rule, level or key gets an error naming the valid ones, the closest match and the entry."""

import json
import sys
import textwrap

import pyarrow as pa
import pytest

from jhops.featurestore import Expectation, FeatureStoreError, Rule, ValidationFailedError
from jhops.featurestore.validation import validate
from tests.featurestore.conftest import chips

LABEL_RULES = [{"rule": "HAS_MIN", "feature": "is_iceberg", "min": 0, "level": "ERROR"},
               {"rule": "HAS_MAX", "features": ["is_iceberg"], "max": 1}]

YAML_RULES = """\
# the iceberg rules, as a data engineer would keep them beside the pipeline
expectations:
  - name: label
    features: [is_iceberg]
    rules:
      - {rule: HAS_MIN, min: 0}
      - {rule: HAS_MAX, max: 1}
      - rule: IS_CONTAINED_IN
        legal_values: [0, 1]
  - name: bands
    features: [band_1, band_2]
    description: chips of 16 finite values
    rules:
      - {rule: HAS_LENGTH, value: 16}
      - {rule: IS_FINITE}
  - rule: HAS_MAX
    feature: inc_angle
    max: 40
    level: WARNING
"""

EQUIVALENT_OBJECTS = [
    Expectation("label", ["is_iceberg"], [Rule("HAS_MIN", min=0), Rule("HAS_MAX", max=1),
                                          Rule("IS_CONTAINED_IN", legal_values=[0, 1])]),
    Expectation("bands", ["band_1", "band_2"], [Rule("HAS_LENGTH", value=16), Rule("IS_FINITE")],
                "chips of 16 finite values"),
    Expectation("inc_angle", ["inc_angle"], [Rule("HAS_MAX", max=40, level="WARNING")]),
]


def _bad_label(n: int = 4):
    bad = chips(n, start=100)
    bad.loc[1, "is_iceberg"] = 7
    return bad


def test_rule_dicts_are_accepted_and_enforced(fs):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], expectations=LABEL_RULES)
    assert [(e.features, [r.name for r in e.rules]) for e in fg.expectations] == [
        (["is_iceberg"], ["HAS_MIN"]), (["is_iceberg"], ["HAS_MAX"])]
    assert fg.insert(chips(10)).report.status == "SUCCESS"
    with pytest.raises(ValidationFailedError, match=r"HAS_MAX\(is_iceberg\)"):
        fs.get_feature_group("iceberg").insert(_bad_label())  # the rules were stored and reloaded
    assert len(fg.read()) == 10


def test_expectation_dicts_mix_with_objects_and_suites(fs):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name="angles", expectations=[
        gxe.ExpectColumnValuesToBeBetween(column="inc_angle", min_value=30, max_value=46)])
    expectations = [
        {"name": "bands", "features": ["band_1", "band_2"], "rules": [{"rule": "HAS_LENGTH", "value": 16},
                                                                      {"rule": "is_finite"}]},  # any case
        Expectation("id", ["id"], [Rule("HAS_UNIQUENESS", min=1.0)]),
        suite,
        {"rule": "HAS_SIZE", "min": 1},  # a table rule needs no feature
    ]
    fg = fs.create_feature_group("mixed", primary_key=["id"], expectations=expectations)
    kinds = [type(e).__name__ for e in fg.expectations]
    assert kinds == ["Expectation", "Expectation", "ExpectationSuite", "Expectation"]
    report = fg.insert(chips(10)).report
    assert report.status == "SUCCESS"
    assert {r.rule for r in report.results} == {"HAS_LENGTH", "IS_FINITE", "HAS_UNIQUENESS", "HAS_SIZE",
                                                "expect_column_values_to_be_between"}


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_a_rules_file_gives_the_same_group_as_the_objects(fs, tmp_path, suffix):
    import yaml

    path = tmp_path / f"rules{suffix}"
    data = yaml.safe_load(YAML_RULES)
    if suffix == ".json":  # a top-level list this time
        path.write_text(json.dumps(data["expectations"]))
    else:
        path.write_text(YAML_RULES)
    from_file = fs.create_feature_group("from_file", primary_key=["id"], expectations=str(path))
    from_objects = fs.create_feature_group("from_objects", primary_key=["id"], expectations=EQUIVALENT_OBJECTS)
    assert from_file.to_dict()["expectations"] == from_objects.to_dict()["expectations"]
    again = fs.get_or_create_feature_group("other", primary_key=["id"], expectations=path)  # a Path works too
    assert again.to_dict()["expectations"] == from_objects.to_dict()["expectations"]
    with pytest.raises(ValidationFailedError, match=r"IS_CONTAINED_IN\(is_iceberg\)"):
        from_file.insert(_bad_label())


def test_validate_takes_rules_as_data_without_a_group(fs, tmp_path):
    path = tmp_path / "label.yaml"
    path.write_text("- {rule: HAS_MAX, feature: is_iceberg, max: 1}\n")
    fg = fs.create_feature_group("plain", primary_key=["id"])
    assert fg.validate(_bad_label(), expectations=path).status == "FAILURE"
    assert fg.validate(chips(5), expectations=LABEL_RULES).status == "SUCCESS"
    report = validate(pa.table({"x": [1.0, 5.0]}), [{"rule": "HAS_MAX", "feature": "x", "max": 4}])
    assert [(r.rule, r.feature, r.success) for r in report.results] == [("HAS_MAX", "x", False)]


def test_the_iceberg_rules_round_trip_through_json(fs, tmp_path):
    from jhops.pipelines import iceberg_features

    fg = iceberg_features.feature_group(fs)
    path = tmp_path / "iceberg.json"
    path.write_text(json.dumps({"expectations": fg.to_dict()["expectations"]}))
    copy = fs.create_feature_group("copy", primary_key=["id"], expectations=str(path))
    assert copy.to_dict()["expectations"] == fg.to_dict()["expectations"]


BAD = [
    ({"rule": "HAS_MINIMUM", "feature": "x", "min": 0},
     r"expectations\[1\]: unknown rule 'HAS_MINIMUM' \(did you mean 'HAS_MIN'\?\); the rules are HAS_MIN, HAS_MAX"),
    ({"rule": "HAS_MIN", "feture": "x", "min": 0},
     r"expectations\[1\]: unknown key 'feture' \(did you mean 'feature'\?\); a rule's keys are rule, feature, "
     r"features"),
    ({"rule": "HAS_MIN", "feature": "x", "min": 0, "level": "WARN"},
     r"expectations\[1\]: unknown level 'WARN' \(did you mean 'WARNING'\?\); the levels are WARNING, ERROR"),
    ({"rule": "HAS_MIN", "min": 0}, r"expectations\[1\]: rule HAS_MIN needs 'feature' \(one column\) or 'features'"),
    ({"rule": "HAS_MIN", "feature": "x", "min": "zero"}, r"expectations\[1\]: 'min' must be a number, got 'zero'"),
    ({"rule": "HAS_DATATYPE", "feature": "x", "accepted_type": "Integer"},
     r"expectations\[1\]: unknown accepted_type 'Integer' \(did you mean 'Integral'\?\); the types are Integral"),
    ({"rule": "IS_CONTAINED_IN", "feature": "x", "legal_values": 1},
     r"expectations\[1\]: 'legal_values' must be a list"),
    ({"rule": "HAS_COMPLETENESS", "feature": "x"},
     r"expectations\[1\]: Rule HAS_COMPLETENESS .* is missing its bound"),
    ({"feature": "x", "min": 0},
     r"expectations\[1\] is neither a rule \(a dict with 'rule'\) nor an expectation \(a dict with 'rules'\)"),
    ({"name": "e", "features": ["x"], "rules": [{"rule": "HAS_MIN", "min": 0}, {"rule": "HAS_MAXX", "max": 1}]},
     r"expectations\[1\]\.rules\[1\]: unknown rule 'HAS_MAXX' \(did you mean 'HAS_MAX'\?\)"),
    ({"name": "e", "feature": "x", "rules": [{"rule": "HAS_MIN", "feature": "x", "min": 0}]},
     r"expectations\[1\]\.rules\[0\]: unknown key 'feature' \(the expectation's features apply to all its "
     r"rules\); a rule's keys inside an expectation are rule, level"),
    ({"name": "e", "features": ["x"], "rule": [{"rule": "HAS_MIN", "min": 0}]},
     r"expectations\[1\]: 'rule' must be the name of a rule such as 'HAS_MIN', got a list; an expectation's "
     r"rules go under 'rules'"),
    ({"rule": "HAS_MIN", "feature": "x", "features": ["y"], "min": 0},
     r"expectations\[1\]: give 'feature' or 'features', not both"),
    ({"nmae": "e", "features": ["x"], "rules": [{"rule": "HAS_MIN", "min": 0}]},
     r"expectations\[1\]: unknown key 'nmae' \(did you mean 'name'\?\); an expectation's keys are name, features"),
    ({"name": "e", "features": ["x"], "rules": []}, r"expectations\[1\]: .*has no rules"),
    (Rule("HAS_MIN", min=0), r"expectations\[1\] is a Rule without features: wrap it in Expectation"),
    (42, r"expectations\[1\] is an int; each entry is an Expectation, a Great Expectations suite, a dict"),
]


@pytest.mark.parametrize(("entry", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_entry_is_named_with_what_would_be_right(fs, entry, message):
    with pytest.raises(FeatureStoreError, match=message):
        fs.create_feature_group("bad", primary_key=["id"], expectations=[LABEL_RULES[0], entry])
    assert fs.get_feature_groups() == []  # nothing was created


def test_a_misspelt_rule_object_gets_the_closest_name():
    with pytest.raises(FeatureStoreError, match=r"Unknown rule 'HAS_MINIMUM' \(did you mean 'HAS_MIN'\?\)"):
        Rule("HAS_MINIMUM", min=0)
    with pytest.raises(FeatureStoreError, match=r"level must be WARNING or ERROR, got 'warning' "
                                                r"\(did you mean 'WARNING'\?\)"):
        Rule("HAS_MIN", min=0, level="warning")


FILE_ERRORS = [
    ("rules.txt", "- {rule: HAS_MIN, feature: x, min: 0}\n", r"rules\.txt: an expectations file ends in \.yaml, "
                                                            r"\.yml or \.json"),
    ("rules.yaml", "expectations:\n  - {rule: HAS_MIN, feature: x, min: 0}\n  - {rule: HAS_MAXX, feature: x}\n",
     r"rules\.yaml, expectations\[1\]: unknown rule 'HAS_MAXX' \(did you mean 'HAS_MAX'\?\)"),
    ("rules.yaml", "expectation:\n  - {rule: HAS_MIN, feature: x, min: 0}\n",
     r"rules\.yaml: unknown key 'expectation' \(did you mean 'expectations'\?\); a file holds a list of rules and "
     r"expectations, or \{'expectations': \[\.\.\.\]\}"),
    ("rules.yaml", "expectations:\n  - {rule: HAS_MIN, feature: x, min: 0\n  - rule: HAS_MAX\n",
     r"rules\.yaml is not valid YAML \(line \d+"),
    ("rules.json", '[{"rule": "HAS_MIN", "feature": "x", "min": 0},]', r"rules\.json is not valid JSON \(line 1"),
    ("rules.yaml", "", r"rules\.yaml holds no expectations"),
    ("rules.yaml", "just text\n", r"rules\.yaml holds a str; a file holds a list of rules and expectations"),
]


@pytest.mark.parametrize(("name", "text", "message"), FILE_ERRORS, ids=[str(i) for i in range(len(FILE_ERRORS))])
def test_a_bad_rules_file_is_named_with_the_entry(fs, tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FeatureStoreError, match=message):
        fs.create_feature_group("bad", primary_key=["id"], expectations=str(path))
    assert fs.get_feature_groups() == []


def test_a_missing_rules_file_is_named(fs, tmp_path):
    with pytest.raises(FeatureStoreError, match=r"No expectations file at .*nowhere\.yaml"):
        fs.create_feature_group("bad", primary_key=["id"], expectations=str(tmp_path / "nowhere.yaml"))


def test_a_rules_file_in_a_list_and_an_expectations_mapping(fs, tmp_path):
    path = tmp_path / "label.yml"
    path.write_text(textwrap.dedent("""\
        - rule: HAS_MAX
          feature: is_iceberg
          max: 1
    """))
    fg = fs.create_feature_group("both", primary_key=["id"],
                                 expectations=[path, {"rule": "HAS_MIN", "feature": "is_iceberg", "min": 0}])
    assert [r.name for e in fg.expectations for r in e.rules] == ["HAS_MAX", "HAS_MIN"]
    single = fs.create_feature_group("single", primary_key=["id"], expectations={"expectations": LABEL_RULES})
    assert len(single.expectations) == 2


def test_a_yaml_file_without_pyyaml_says_what_to_install(fs, tmp_path, monkeypatch):
    path = tmp_path / "rules.yaml"
    path.write_text("- {rule: HAS_MIN, feature: is_iceberg, min: 0}\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(FeatureStoreError, match=r"rules\.yaml needs PyYAML: pip install pyyaml.*\.json"):
        fs.create_feature_group("bad", primary_key=["id"], expectations=path)
    json_path = tmp_path / "rules.json"
    json_path.write_text('[{"rule": "HAS_MIN", "feature": "is_iceberg", "min": 0}]')
    assert len(fs.create_feature_group("good", primary_key=["id"], expectations=json_path).expectations) == 1
