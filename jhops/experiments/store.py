"""Reading and writing experiment records in the project's metadata database."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState
from jhops.metadb import experiments, integer_equals, metric_points, trials


class ExperimentNotFound(LookupError):
    """No experiment has the requested id."""


def _experiment_from_row(row: Row[Any]) -> Experiment:
    return Experiment(
        id=row.id,
        name=row.name,
        kind=row.kind,
        state=ExperimentState(row.state),
        metric_key=row.metric_key,
        direction=row.direction,
        executor=row.executor,
        workers=row.workers,
        num_trials=row.num_trials,
        start_time=row.start_time,
        args=row.args,
        code=row.code,
        environment=row.environment or {},
        driver=row.driver or {},
        end_time=row.end_time,
        best_trial_id=row.best_trial_id,
        best_metric=row.best_metric,
        error=row.error,
        stop_requested=row.stop_requested,
        live=row.live or {},
    )


def _trial_from_row(row: Row[Any]) -> Trial:
    return Trial(
        id=row.id,
        experiment_id=row.experiment_id,
        number=row.number,
        params=row.params or {},
        state=TrialState(row.state),
        metrics=row.metrics or {},
        outputs=row.outputs or {},
        artifacts=row.artifacts or [],
        worker=row.worker or {},
        error=row.error,
        stdout=row.stdout or "",
        stderr=row.stderr or "",
        folder=row.folder,
        start_time=row.start_time,
        end_time=row.end_time,
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


class ExperimentNotRunning(ValueError):
    """A request that needs a running experiment (a stop) named one that has ended: answered with 409."""


class ExperimentStore:
    """Experiment and trial records; every method is one short transaction, safe across processes.

    Example::

        store = Project().experiments
        exp = store.create_experiment(name="lr-grid", kind="experiment", executor="local", workers=2,
                                      num_trials=3, direction="max")
        store.get_experiment(exp.id).state  # ExperimentState.RUNNING
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # experiments -----------------------------------------------------------------------------------
    def create_experiment(
        self,
        *,
        name: str,
        kind: str,
        executor: str,
        workers: int,
        num_trials: int,
        direction: str,
        metric_key: str | None = None,
        args: Any = None,
        code: str | None = None,
        environment: Mapping[str, Any] | None = None,
        driver: Mapping[str, Any] | None = None,
    ) -> Experiment:
        values = dict(
            name=name,
            kind=kind,
            state=ExperimentState.RUNNING.value,
            metric_key=metric_key,
            direction=direction,
            executor=executor,
            workers=workers,
            num_trials=num_trials,
            args=args,
            code=code,
            environment=dict(environment or {}),
            driver=dict(driver or {}),
            start_time=time.time(),
        )
        with self.engine.begin() as conn:
            key = conn.execute(experiments.insert().values(**values)).inserted_primary_key
        assert key is not None
        return self.get_experiment(int(key[0]), with_trials=False)

    def update_experiment(self, experiment_id: int, **values: Any) -> None:
        if isinstance(values.get("state"), ExperimentState):
            values["state"] = values["state"].value
        with self.engine.begin() as conn:
            conn.execute(experiments.update().where(experiments.c.id == experiment_id).values(**values))

    def request_stop(self, experiment_id: int) -> Experiment:
        """Ask the driver of a running experiment to stop it; the driver sees this within a second.

        Works from any process that opens the project (the server extension, another kernel), so it needs no
        connection to the kernel running the driver. Example: ``store.request_stop(12)``
        """
        experiment = self.get_experiment(experiment_id, with_trials=False)
        if experiment.state is not ExperimentState.RUNNING:
            raise ExperimentNotRunning(f"Experiment {experiment_id} is {experiment.state.value}, not RUNNING; "
                                       "there is nothing to stop.")
        with self.engine.begin() as conn:
            conn.execute(experiments.update().where(experiments.c.id == experiment_id)
                         .where(experiments.c.stop_requested.is_(None)).values(stop_requested=time.time()))
        return self.get_experiment(experiment_id, with_trials=False)

    def stop_requested(self, experiment_id: int) -> bool:
        with self.engine.begin() as conn:
            value = conn.execute(sa.select(experiments.c.stop_requested)
                                 .where(experiments.c.id == experiment_id)).scalar()
        return value is not None

    def publish_live(self, experiment_id: int, live: dict[str, Any]) -> None:
        """Store what the driver shows live (recent logs, live workers) for readers in other processes."""
        self.update_experiment(experiment_id, live=live)

    def get_experiment(self, experiment_id: int, with_trials: bool = True) -> Experiment:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(experiments).where(integer_equals(experiments.c.id, experiment_id))).first()
        if row is None:
            raise ExperimentNotFound(f"No experiment with id {experiment_id} in this project.")
        experiment = _experiment_from_row(row)
        if with_trials:
            experiment.trials = self.get_trials(experiment_id)
        return experiment

    def close_orphans(self) -> list[int]:
        """Record as KILLED the RUNNING experiments whose driver process on this host has ended.

        A kernel restarted mid-experiment leaves its records RUNNING; this closes them (and their open
        trials) with a message saying why. Returns the ids it closed.
        """
        host = socket.gethostname()
        closed = []
        for exp in self.list_experiments_in_state(ExperimentState.RUNNING):
            pid = exp.driver.get("pid")
            if exp.driver.get("host") != host or not isinstance(pid, int) or _process_alive(pid):
                continue
            now, reason = time.time(), f"the driver process ({pid} on {host}) ended before the experiment did"
            with self.engine.begin() as conn:
                conn.execute(trials.update()
                             .where(trials.c.experiment_id == exp.id)
                             .where(trials.c.state.in_([TrialState.PENDING.value, TrialState.RUNNING.value]))
                             .values(state=TrialState.KILLED.value, end_time=now, error=reason))
                conn.execute(experiments.update().where(experiments.c.id == exp.id)
                             .values(state=ExperimentState.KILLED.value, end_time=now, error=reason))
            closed.append(exp.id)
        return closed

    def list_experiments_in_state(self, state: ExperimentState) -> list[Experiment]:
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(experiments).where(experiments.c.state == state.value)).all()
        return [_experiment_from_row(r) for r in rows]

    def list_experiments(self, limit: int | None = None) -> list[Experiment]:
        """Experiments, newest first, without their trials."""
        query = sa.select(experiments).order_by(experiments.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        return [_experiment_from_row(r) for r in rows]

    # trials ----------------------------------------------------------------------------------------
    def create_trials(self, experiment_id: int, params_list: Iterable[Mapping[str, Any]]) -> list[Trial]:
        rows = [
            dict(experiment_id=experiment_id, number=i, params=dict(p), state=TrialState.PENDING.value)
            for i, p in enumerate(params_list)
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(trials.insert(), rows)
        return self.get_trials(experiment_id, with_history=False)

    def create_trial(self, experiment_id: int, number: int, params: Mapping[str, Any]) -> Trial:
        """Add one PENDING trial (a search adds them as its optimizer suggests them)."""
        with self.engine.begin() as conn:
            key = conn.execute(trials.insert().values(experiment_id=experiment_id, number=number, params=dict(params),
                                                      state=TrialState.PENDING.value)).inserted_primary_key
        assert key is not None
        return Trial(int(key[0]), experiment_id, number, dict(params), TrialState.PENDING)

    def update_trial(self, trial_id: int, **values: Any) -> None:
        if isinstance(values.get("state"), TrialState):
            values["state"] = values["state"].value
        with self.engine.begin() as conn:
            conn.execute(trials.update().where(trials.c.id == trial_id).values(**values))

    def reset_trial(self, trial_id: int, note: str) -> None:
        """Make a trial PENDING again for another attempt: its metric history goes, its logs get ``note``."""
        with self.engine.begin() as conn:
            conn.execute(metric_points.delete().where(metric_points.c.trial_id == trial_id))
            conn.execute(trials.update().where(trials.c.id == trial_id).values(
                state=TrialState.PENDING.value, start_time=None, worker=None, stderr=trials.c.stderr + note))

    def append_logs(self, trial_id: int, stdout: str = "", stderr: str = "") -> None:
        if not stdout and not stderr:
            return
        with self.engine.begin() as conn:
            conn.execute(
                trials.update()
                .where(trials.c.id == trial_id)
                .values(stdout=trials.c.stdout + stdout, stderr=trials.c.stderr + stderr)
            )

    def add_metric_points(self, trial_id: int, points: Iterable[tuple[str, int, float, float]]) -> None:
        """Append (key, step, value, wall_time) points to a trial's metric history."""
        rows = [dict(trial_id=trial_id, key=k, step=s, value=v, wall_time=w) for k, s, v, w in points]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(metric_points.insert(), rows)

    def get_trials(self, experiment_id: int, with_history: bool = True) -> list[Trial]:
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(trials).where(trials.c.experiment_id == experiment_id).order_by(trials.c.number)
            ).all()
            result = [_trial_from_row(r) for r in rows]
            if with_history and result:
                points = conn.execute(
                    sa.select(metric_points)
                    .where(metric_points.c.trial_id.in_([t.id for t in result]))
                    .order_by(metric_points.c.id)
                ).all()
                by_id = {t.id: t for t in result}
                for p in points:
                    by_id[p.trial_id].history.setdefault(p.key, []).append((p.step, p.value))
        return result
