"""``/jhops/experiments``: experiments with their live progress, one experiment, its trials, and stopping one.

Progress comes from the project store, which the drivers running in kernels write (trial states and metrics as
they happen, plus recent logs every second), so this works when the server cannot reach the kernel's process.
"""

from __future__ import annotations

from typing import Any

import tornado.web

from jhops.experiments.progress_summary import ProgressSummary
from jhops.experiments.records import Experiment
from jhops.server.base import JhopsHandler

DEFAULT_LIMIT = 50


def progress_of(exp: Experiment) -> dict[str, Any]:
    """Trials done out of planned, by state, the best so far, and what the driver last published."""
    return ProgressSummary.of(exp).to_dict()


def summary_of(exp: Experiment) -> dict[str, Any]:
    return {"id": exp.id, "name": exp.name, "kind": exp.kind, "state": exp.state.value, "executor": exp.executor,
            "workers": exp.workers, "metric_key": exp.metric_key, "direction": exp.direction,
            "start_time": exp.start_time, "end_time": exp.end_time, "duration": exp.duration,
            "best_metric": exp.best_metric, "error": exp.error, "stop_requested": exp.stop_requested,
            "progress": progress_of(exp)}


class ExperimentsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        """Newest first, running ones before the rest."""
        limit = self.int_argument("limit", DEFAULT_LIMIT, minimum=1)
        store = self.project.experiments
        experiments = store.list_experiments(limit=limit)
        for exp in experiments:
            exp.trials = store.get_trials(exp.id, with_history=False)
        experiments.sort(key=lambda e: (e.state.value != "RUNNING", -e.id))
        self.finish({"experiments": [summary_of(e) for e in experiments]})


class ExperimentHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, experiment_id: str) -> None:
        exp = self.project.experiments.get_experiment(int(experiment_id))
        data = summary_of(exp)
        data.update({"args": exp.args, "code": exp.code, "environment": exp.environment, "driver": exp.driver,
                     "best_params": exp.best_params, "trials": [t.to_dict() for t in exp.trials]})
        self.finish(data)

    @tornado.web.authenticated
    def delete(self, experiment_id: str) -> None:
        """Ask the experiment's driver to stop: its workers stop and it ends KILLED (409 if it is not running)."""
        exp = self.project.experiments.request_stop(int(experiment_id))
        self.set_status(202)
        self.finish(summary_of(exp))


class TrialsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, experiment_id: str) -> None:
        store, number = self.project.experiments, int(experiment_id)
        store.get_experiment(number, with_trials=False)  # 404 for an unknown experiment
        self.finish({"trials": [t.to_dict() for t in store.get_trials(number)]})
