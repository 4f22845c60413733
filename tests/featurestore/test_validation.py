"""Validation rules: each rule passing and failing, STRICT / WARNING / NONE, stored reports, native suites."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from jhops.featurestore import Expectation, FeatureStoreError, Rule, ValidationFailedError
from jhops.featurestore.validation import validate
from tests.featurestore.conftest import chips, iceberg_rules

DATA = pa.table({
    "id": ["a1", "b2", "c3", "d4"],
    "x": [0.5, 1.0, 2.0, 4.5],
    "n": [1, 2, 3, 3],
    "label": [0, 1, 1, 0],
    "band": pa.array([np.array([1, 2, 3], "float32")] * 3 + [np.array([1, np.nan, 3], "float32")],
                     type=pa.list_(pa.float32())),
})

# (rule, feature, passes on DATA)
CASES = [
    (Rule("HAS_MIN", min=0), "x", True), (Rule("HAS_MIN", min=1), "x", False),
    (Rule("HAS_MAX", max=5), "x", True), (Rule("HAS_MAX", max=4), "x", False),
    (Rule("HAS_MEAN", min=1, max=3), "x", True), (Rule("HAS_MEAN", min=3), "x", False),
    (Rule("HAS_SIZE", min=4, max=4), "x", True), (Rule("HAS_SIZE", min=10), "x", False),
    (Rule("HAS_COMPLETENESS", min=1.0), "x", True),
    (Rule("HAS_UNIQUENESS", min=1.0), "id", True), (Rule("HAS_UNIQUENESS", min=1.0), "n", False),
    (Rule("HAS_DATATYPE", accepted_type="Integral"), "n", True),
    (Rule("HAS_DATATYPE", accepted_type="Integral"), "x", False),
    (Rule("HAS_DATATYPE", accepted_type="String"), "id", True),
    (Rule("HAS_PATTERN", pattern="^[a-d][0-9]$"), "id", True), (Rule("HAS_PATTERN", pattern="^a"), "id", False),
    (Rule("IS_CONTAINED_IN", legal_values=[0, 1]), "label", True),
    (Rule("IS_CONTAINED_IN", legal_values=[0]), "label", False),
    (Rule("IS_NON_NEGATIVE"), "x", True), (Rule("IS_NON_NEGATIVE"), "x", True),
    (Rule("HAS_LENGTH", value=3), "band", True), (Rule("HAS_LENGTH", value=4), "band", False),
    (Rule("HAS_LENGTH", min=2, max=3), "band", True),
    (Rule("HAS_ELEMENT_RANGE", min=0, max=3), "band", True), (Rule("HAS_ELEMENT_RANGE", max=2), "band", False),
    (Rule("IS_FINITE"), "band", False),
]


@pytest.mark.parametrize(("rule", "feature", "passes"), CASES, ids=lambda v: getattr(v, "name", str(v)))
def test_each_rule_passes_and_fails(rule, feature, passes):
    report = validate(DATA, [Expectation("e", [feature], [rule])])
    assert [r.success for r in report.results] == [passes]
    assert report.status == ("SUCCESS" if passes else "FAILURE")


def test_completeness_and_negative_values_fail_when_they_should():
    table = pa.table({"x": [1.0, None, -2.0, None]})
    report = validate(table, [Expectation("e", ["x"], [Rule("HAS_COMPLETENESS", min=0.9), Rule("IS_NON_NEGATIVE")])])
    assert [r.success for r in report.results] == [False, False]


def test_bad_rule_definitions_are_refused():
    with pytest.raises(FeatureStoreError, match=r"Unknown rule 'HAS_MINIMUM'.*Example"):
        Rule("HAS_MINIMUM", min=0)
    with pytest.raises(FeatureStoreError, match=r"missing its bound.*IS_CONTAINED_IN"):
        Rule("IS_CONTAINED_IN")
    with pytest.raises(FeatureStoreError, match=r"level must be WARNING or ERROR"):
        Rule("HAS_MIN", min=0, level="FATAL")
    with pytest.raises(FeatureStoreError, match=r"min 2 is greater than max 1"):
        Rule("HAS_MEAN", min=2, max=1)
    with pytest.raises(FeatureStoreError, match=r"names feature.*'missing'"):
        validate(DATA, [Expectation("e", ["missing"], [Rule("HAS_MIN", min=0)])])


def test_strict_rejects_the_whole_insert_and_leaves_the_table_as_it_was(fs):
    fg = fs.create_feature_group("iceberg", primary_key=["id"], expectations=iceberg_rules())
    fg.insert(chips(10))
    bad = chips(5, seed=2, start=50)
    bad.loc[2, "is_iceberg"] = 7
    with pytest.raises(ValidationFailedError, match=r"ejected; nothing was written.*HAS_MAX\(is_iceberg\)") as err:
        fg.insert(bad)
    assert err.value.report.status == "FAILURE"
    assert fg.offline.version() == 0 and len(fg.read()) == 10
    reports = fg.validation_reports()
    assert [(r["delta_version"], r["status"]) for r in reports] == [(0, "SUCCESS"), (None, "FAILURE")]
    failed = [r for r in reports[-1]["results"] if not r["success"]]
    assert [(r["rule"], r["feature"], r["observed"]) for r in failed] == [("HAS_MAX", "is_iceberg", 7)]


def test_warning_rules_and_the_warning_policy_insert_and_report(fs):
    rules = [Expectation("angle", ["inc_angle"], [Rule("HAS_MAX", max=40, level="WARNING")])]
    fg = fs.create_feature_group("soft", primary_key=["id"], expectations=rules)
    with pytest.warns(UserWarning, match=r"HAS_MAX"):
        commit = fg.insert(chips(10))
    assert commit.report.status == "WARNING" and fg.offline.version() == 0
    lenient = fs.create_feature_group("lenient", primary_key=["id"], validation="WARNING",
                                      expectations=iceberg_rules(length=99))
    with pytest.warns(UserWarning, match=r"HAS_LENGTH"):
        commit = lenient.insert(chips(10))
    assert commit.report.status == "FAILURE" and lenient.validation_reports()[-1]["delta_version"] == 0
    skipped = fs.create_feature_group("skipped", primary_key=["id"], validation="NONE",
                                      expectations=iceberg_rules(length=99))
    assert skipped.insert(chips(10)).report is None and skipped.validation_reports() == []
    with pytest.raises(FeatureStoreError, match=r"validation must be one of"):
        fs.create_feature_group("x", primary_key=["id"], validation="LOOSE")


def test_native_great_expectations_suites_run_and_survive_a_reload(fs):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name="angles", expectations=[
        gxe.ExpectColumnValuesToBeBetween(column="inc_angle", min_value=30, max_value=46)])
    fg = fs.create_feature_group("native", primary_key=["id"], expectations=[suite])
    assert fg.insert(chips(10)).report.status == "SUCCESS"
    bad = chips(3, start=90)
    bad["inc_angle"] = 60.0
    again = fs.get_feature_group("native")  # expectations loaded from the catalog
    with pytest.raises(ValidationFailedError, match=r"expect_column_values_to_be_between"):
        again.insert(bad)


def test_a_rule_on_a_missing_column_is_a_clear_error_at_insert(fs):
    fg = fs.create_feature_group("typo", primary_key=["id"],
                                 expectations=[Expectation("e", ["is_icebreg"], [Rule("HAS_MIN", min=0)])])
    with pytest.raises(FeatureStoreError, match=r"names feature\(s\) \['is_icebreg'\]"):
        fg.insert(chips(5))
    assert not fg.offline.exists()


def test_validate_without_inserting(fs):
    fg = fs.create_feature_group("dry", primary_key=["id"], expectations=iceberg_rules())
    frame = chips(5)
    frame.loc[0, "band_1"][0] = np.inf
    report = fg.validate(frame)
    assert report.status == "FAILURE" and {r.rule for r in report.failures} == {"IS_FINITE"}
    assert isinstance(pd.DataFrame(report.results_as_dicts()), pd.DataFrame)
