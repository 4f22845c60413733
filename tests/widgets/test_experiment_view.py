import time

from jhops.experiments.driver import LogLine, Progress
from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState
from jhops.widgets import experiment_view
from jhops.widgets.charts import line_chart


def _experiment(state=ExperimentState.RUNNING):
    trials = [
        Trial(1, 7, 0, {"lr": 0.1}, TrialState.FINISHED, metrics={"acc": 0.8}, start_time=1, end_time=3,
              history={"acc": [(0, 0.5), (1, 0.8)]}, worker={"index": 0, "partition_id": 0}),
        Trial(2, 7, 1, {"lr": "<script>"}, TrialState.FAILED, error="Traceback...\nValueError: boom",
              worker={"index": 1}),
        Trial(3, 7, 2, {"lr": 0.3}, TrialState.RUNNING, history={"acc": [(0, 0.4)]}),
    ]
    return Experiment(7, "grid", "experiment", state, "acc", "max", "local", 2, 3, time.time() - 5,
                      trials=trials, best_trial_id=1, best_metric=0.8)


def test_html_shows_progress_best_curve_table_errors_and_logs():
    page = experiment_view.render_html(_experiment(), [LogLine(0, 0, "stdout", "epoch 1 done")], workers_alive=2)
    assert 'data-state="RUNNING"' in page
    assert '<progress value="2" max="3"' in page
    assert "best acc = <b>0.8</b>" in page
    assert page.count("<polyline") == 2  # one curve per trial that reported
    assert "spark partition 0" in page
    assert "ValueError: boom" in page
    assert "[trial 0] epoch 1 done" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_run_without_a_metric_name_gets_its_curves():
    # A cell without --metric whose function broadcasts bare values: they are recorded as "metric", while the
    # experiment's key comes from the dict the function returned.
    exp = _experiment(ExperimentState.FINISHED)
    for trial in exp.trials:
        trial.history = {"metric": trial.history["acc"]} if "acc" in trial.history else {}
    assert experiment_view.render_html(exp).count("<polyline") == 2


def test_text_view_for_terminals():
    text = experiment_view.render_text(_experiment(ExperimentState.FINISHED))
    assert "grid #7 FINISHED" in text and "best acc=0.8" in text and "trial 1 FAILED" in text


def test_view_updates_one_display_in_place(monkeypatch):
    shown = []

    class Handle:
        def update(self, data, raw):
            shown.append(("update", data))

    def fake_display(data, raw, display_id):
        shown.append(("display", data))
        return Handle()

    monkeypatch.setattr(experiment_view, "display", fake_display)
    view = experiment_view.ExperimentView()
    exp = _experiment()
    view(Progress(exp, [], 2))
    exp.state = ExperimentState.FINISHED
    view(Progress(exp, [], 0, final=True))
    assert [kind for kind, _ in shown] == ["display", "update"]
    assert 'data-state="FINISHED"' in shown[-1][1]["text/html"]


def test_line_chart_handles_flat_and_empty_series():
    assert line_chart({}) == ""
    svg = line_chart({"a": [(0, 1.0), (1, 1.0)]}, y_label="acc")
    assert svg.startswith("<svg") and "<polyline" in svg


def test_integer_steps_get_whole_number_ticks():
    svg = line_chart({"a": [(0, 0.1), (1, 0.2), (2, 0.3)]})
    assert ">0.5<" not in svg and ">1<" in svg and ">2<" in svg


def test_best_of_a_run_without_parameters_reads_cleanly():
    exp = _experiment(ExperimentState.FINISHED)
    exp.trials[0].params = {}
    assert "with" not in experiment_view.render_text(exp).splitlines()[1]
    assert "best acc = <b>0.8</b></div>" in experiment_view.render_html(exp)


def test_parameters_all_trials_share_are_shown_once():
    exp = _experiment(ExperimentState.FINISHED)
    for trial in exp.trials:
        trial.params["epochs"] = 4
    page = experiment_view.render_html(exp)
    assert page.count("epochs=4") == 1
    assert "all trials: epochs=4" in page
    assert "best acc = <b>0.8</b> with lr=0.1</div>" in page


def _climb(x, reporter):
    import time

    for step in range(6):
        reporter.broadcast(x * (step + 1), step=step)
        time.sleep(0.1)
    return x


def test_view_after_a_search_shows_counts_best_and_every_trial(project, monkeypatch):
    from jhops.experiments.early_stopping import MedianRule
    from jhops.experiments.search import search
    from jhops.experiments.searchspace import Searchspace

    shown = []

    class Handle:
        def update(self, data, raw):
            shown.append(data)

    monkeypatch.setattr(experiment_view, "display", lambda data, raw, display_id: shown.append(data) or Handle())
    space = Searchspace(x=("DISCRETE", [0.9, 0.8, 0.01, 0.02]))
    from jhops.experiments.driver import DriverSettings

    # Stops travel on heartbeats: beat often enough that a short trial sees several.
    exp = search(_climb, space, optimizer="gridsearch", num_trials=None, early_stop=MedianRule(1, warmup_steps=2),
                 es_interval=0.05, workers=2, project=project, listeners=[experiment_view.ExperimentView()],
                 settings=DriverSettings(hb_interval=0.1))
    final = shown[-1]["text/html"]
    assert len(shown) >= 2  # it updated while the search ran
    assert 'data-state="FINISHED"' in final and "4/4 trials" in final
    stopped = sum(t.state is TrialState.EARLY_STOPPED for t in exp.trials)
    assert stopped >= 1 and f"{stopped} early_stopped" in final
    assert "best metric = <b>0.9</b> with x=0.9" in final
    assert final.count("<polyline") == 4 and final.count("<tr>") == 5


def test_a_running_search_shows_the_planned_total_the_best_so_far_and_why_trials_stopped():
    exp = _experiment()
    exp.kind, exp.num_trials, exp.best_trial_id, exp.best_metric = "parallel", 6, None, None
    exp.trials[2].state = TrialState.EARLY_STOPPED
    exp.trials[2].error = "at step 0 its best acc 0.4 was below the median 0.5 of the running averages of 1 " \
                          "finished trials"
    page = experiment_view.render_html(exp)
    assert '<progress value="3" max="6"' in page and "3/6 trials" in page
    assert "best acc = <b>0.8</b> with lr=0.1" in page  # the best so far, before the driver records it
    assert ("trial 2 EARLY_STOPPED: at step 0 its best acc 0.4 was below the median 0.5 of the running averages "
            "of 1 finished trials") in page


def test_a_stored_experiment_shows_its_trials_stderr_only_when_verbose():
    exp = _experiment(ExperimentState.FINISHED)
    exp.trials[0].stdout = "epoch 1: 0.8\n"
    exp.trials[0].stderr = "W tensorflow: a library warning\n[jhops] metric 'acc' is nan at step 2; not recorded\n"
    quiet = "\n".join(line.text for line in experiment_view.stored_logs(exp))
    assert "epoch 1: 0.8" in quiet and "not recorded" in quiet and "library warning" not in quiet
    loud = "\n".join(line.text for line in experiment_view.stored_logs(exp, verbose=True))
    assert "library warning" in loud
