"""``/jhops/experiments``: list with progress, one experiment, its trials, and a stop (DELETE)."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient

from jhops import experiment
from jhops.experiments.records import ExperimentState
from jhops.project import Project


def _fit(x, reporter):
    reporter.broadcast(x / 10, step=0)
    if x == 3:
        raise ValueError("x=3 is bad")
    return {"acc": x / 10}


@pytest.fixture
def finished(project_root):
    return experiment.launch(_fit, {"x": [1, 2, 3]}, metric_key="acc", project=Project(project_root), listeners=[])


async def test_list_detail_and_trials(jp_fetch, finished):
    listed = json.loads((await jp_fetch("jhops", "experiments")).body)["experiments"]
    assert [e["id"] for e in listed] == [finished.id]
    progress = listed[0]["progress"]
    assert progress["done"] == 3 and progress["total"] == 3 and progress["failed"] == 1
    assert progress["best"] == {"trial": 1, "params": {"x": 2}, "metric": 0.2}
    detail = json.loads((await jp_fetch("jhops", "experiments", str(finished.id))).body)
    assert detail["state"] == "FINISHED" and detail["best_params"] == {"x": 2} and len(detail["trials"]) == 3
    trials = json.loads((await jp_fetch("jhops", "experiments", str(finished.id), "trials")).body)["trials"]
    assert [t["state"] for t in trials] == ["FINISHED", "FINISHED", "ERROR"]
    assert trials[0]["history"] == {"acc": [[0, 0.1]]}


async def test_running_experiments_come_first(jp_fetch, finished, project_root):
    store = Project(project_root).experiments
    running = store.create_experiment(name="live", kind="parallel", executor="local", workers=2, num_trials=4,
                                      direction="max")
    listed = json.loads((await jp_fetch("jhops", "experiments")).body)["experiments"]
    assert [e["id"] for e in listed] == [running.id, finished.id]
    answer = await jp_fetch("jhops", "experiments", str(running.id), method="DELETE")
    assert answer.code == 202 and json.loads(answer.body)["stop_requested"] is not None
    assert store.stop_requested(running.id)


async def test_stopping_an_ended_experiment_is_409(jp_fetch, finished):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "experiments", str(finished.id), method="DELETE")
    assert refused.value.code == 409
    assert "is FINISHED, not RUNNING" in json.loads(refused.value.response.body)["message"]
    assert Project().experiments.get_experiment(finished.id).state is ExperimentState.FINISHED


@pytest.mark.parametrize("path", [("experiments", "999"), ("experiments", "999", "trials")])
async def test_unknown_experiment_is_404(jp_fetch, project_root, path):
    with pytest.raises(tornado.httpclient.HTTPClientError) as missing:
        await jp_fetch("jhops", *path)
    assert missing.value.code == 404
    assert json.loads(missing.value.response.body)["message"] == "No experiment with id 999 in this project."


async def test_a_bad_limit_is_400(jp_fetch, project_root):
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_fetch("jhops", "experiments", params={"limit": "many"})
    assert refused.value.code == 400
