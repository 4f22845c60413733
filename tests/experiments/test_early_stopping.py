import pytest

from jhops.experiments.early_stopping import MedianRule, NoEarlyStop, make_rule

FINISHED = [
    [(0, 0.5), (1, 0.7), (2, 0.8)],   # running averages: 0.5, 0.6, 0.667
    [(0, 0.6), (1, 0.8), (2, 0.9)],   # 0.6, 0.7, 0.767
    [(0, 0.4), (1, 0.6), (2, 0.7)],   # 0.4, 0.5, 0.567
]


def test_median_rule_stops_a_trial_below_the_median_of_running_averages():
    rule = MedianRule(min_finished=3)
    assert rule.should_stop([(0, 0.3), (1, 0.45)], FINISHED, "max")       # best 0.45 < median 0.6 at step 1
    assert not rule.should_stop([(0, 0.3), (1, 0.65)], FINISHED, "max")   # best 0.65 >= 0.6
    assert not rule.should_stop([(0, 0.55)], FINISHED, "max")             # 0.55 >= median 0.5 at step 0


def test_median_rule_for_minimised_metrics():
    losses = [[(0, 1.0), (1, 0.8)], [(0, 0.9), (1, 0.7)], [(0, 1.2), (1, 1.0)]]
    rule = MedianRule(min_finished=3)
    assert rule.should_stop([(0, 1.5), (1, 1.3)], losses, "min")
    assert not rule.should_stop([(0, 1.0), (1, 0.7)], losses, "min")


def test_median_rule_waits_for_enough_finished_trials_and_warmup():
    assert not MedianRule(min_finished=4).should_stop([(0, 0.0), (1, 0.0)], FINISHED, "max")
    assert not MedianRule(min_finished=3, warmup_steps=3).should_stop([(0, 0.0), (1, 0.0)], FINISHED, "max")
    assert not MedianRule(min_finished=1).should_stop([], FINISHED, "max")


def test_finished_trials_without_values_by_that_step_do_not_count():
    late = [[(5, 0.9)], [(5, 0.9)], [(5, 0.9)]]
    assert not MedianRule(min_finished=3).should_stop([(0, 0.1)], late, "max")


def test_no_early_stop_and_names():
    assert not NoEarlyStop().should_stop([(0, 0.0)], FINISHED, "max")
    assert isinstance(make_rule("median", min_finished=2), MedianRule)
    assert isinstance(make_rule(None), NoEarlyStop)
    with pytest.raises(ValueError, match="Unknown early-stopping rule"):
        make_rule("mean")
