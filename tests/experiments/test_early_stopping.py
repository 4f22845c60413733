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


def test_median_rule_says_why_it_stops_a_trial():
    decision = MedianRule(min_finished=3).decide([(0, 0.3), (1, 0.45)], FINISHED, "max", metric="accuracy")
    assert decision.stop
    assert decision.reason == ("at step 1 its best accuracy 0.45 was below the median 0.6 of the running averages "
                               "of 3 finished trials")
    keep = MedianRule(min_finished=3).decide([(0, 0.3), (1, 0.65)], FINISHED, "max", metric="accuracy")
    assert not keep.stop and keep.reason == ""


def test_median_rule_reason_for_a_minimised_metric():
    losses = [[(0, 1.0), (1, 0.8)], [(0, 0.9), (1, 0.7)], [(0, 1.2), (1, 1.0)]]
    decision = MedianRule(min_finished=3).decide([(0, 1.5), (1, 1.3)], losses, "min", metric="loss")
    assert decision.stop and "its best loss 1.3 was above the median 0.9 " in decision.reason


def test_a_rule_of_ones_own_with_only_should_stop_still_gets_a_reason():
    from jhops.experiments.early_stopping import EarlyStopRule

    class Always(EarlyStopRule):
        def should_stop(self, running, finished, direction):
            return True

    decision = Always().decide([(4, 0.1)], [], "max", metric="acc")
    assert decision.stop and decision.reason == "at step 4 the rule Always stopped it"
