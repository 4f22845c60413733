"""The experiment driver: runs in the caller's process, hands trials to workers, records what they report.

It owns the trial queue, watches workers through their heartbeats and the executor, fails the trial of a
worker that dies, starts a replacement while trials remain, and publishes progress to listeners (the
notebook view, the console). Any internal error fails the experiment with a visible message; it never
waits silently.
"""

from __future__ import annotations

import collections
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jhops.compute.executor import Executor
from jhops.compute.protocol import (
    DONE,
    FINAL,
    GET,
    HB,
    OK,
    REG,
    STOP,
    TASK,
    WAIT,
    DriverChannel,
    Request,
    new_secret,
)
from jhops.compute.worker import WorkerSpec
from jhops.experiments.checkpoint import checkpoint_folder
from jhops.experiments.optimizers.base import WAIT as NOTHING_YET
from jhops.experiments.progress_summary import best_trial
from jhops.experiments.records import Experiment, ExperimentState, Trial, TrialState
from jhops.experiments.schedule import FixedSchedule, Planned, Schedule
from jhops.experiments.store import ExperimentStore
from jhops.experiments.summary import trial_ending

log = logging.getLogger("jhops")

RESULT_STATES = {"finished": TrialState.FINISHED, "failed": TrialState.ERROR, "stopped": TrialState.KILLED}


class DriverError(RuntimeError):
    """The experiment could not run to its end (no worker started, all workers died, internal error)."""


@dataclass
class LogLine:
    """A line of the live view: a trial's output (``stdout``/``stderr``) or the driver's own (``jhops``)."""

    trial: int | None
    worker: int
    stream: str
    text: str


@dataclass
class Progress:
    """What listeners receive: the live experiment record and the latest worker log lines."""

    experiment: Experiment
    logs: list[LogLine]
    workers_alive: int
    final: bool = False


Listener = Callable[[Progress], None]


@dataclass
class _Worker:
    index: int
    worker_id: str
    info: dict[str, Any]
    last_seen: float
    trial_id: int | None = None
    alive: bool = True


@dataclass
class DriverSettings:
    hb_interval: float = 1.0
    #: a worker silent for this long is dead (default: 5 heartbeats, at least 10 s)
    hb_timeout: float | None = None
    #: how long the first worker may take to register before the launch fails
    start_timeout: float = 180.0
    #: replacement workers started, at most, after workers die
    max_restarts: int | None = None
    #: how often a trial whose worker died is run again on another worker before it is FAILED
    max_retries: int = 1
    #: how long a kill waits for trials to stop by themselves before workers are terminated
    kill_grace: float = 3.0
    publish_interval: float = 0.5
    #: how often the driver writes its live state to the project and checks for a stop asked from outside
    bridge_interval: float = 1.0

    @property
    def heartbeat_timeout(self) -> float:
        return self.hb_timeout if self.hb_timeout is not None else max(10.0, 5 * self.hb_interval)


class StopRequested(Exception):
    """Someone outside the notebook asked for the experiment to stop (``ExperimentStore.request_stop``)."""


STOPPED_FROM_OUTSIDE = "stopped from outside the notebook (the jhops sidebar, or DELETE /jhops/experiments/ID)"
LIVE_LOG_LINES = 50


class ExperimentDriver:
    """Runs the trials of ``experiment`` on ``executor``'s workers until every trial has ended.

    Example (what ``jhops.experiment.launch`` does)::

        driver = ExperimentDriver(store, experiment, executor, runner_blob, workers=2)
        experiment = driver.run()
    """

    def __init__(
        self,
        store: ExperimentStore,
        experiment: Experiment,
        executor: Executor,
        runner_blob: bytes,
        workers: int,
        listeners: Iterable[Listener] = (),
        settings: DriverSettings | None = None,
        worker_env: dict[str, str] | None = None,
        schedule: Schedule | None = None,
        verbose: bool = False,
    ) -> None:
        self.store = store
        #: whether what trials write to standard error also goes to the live lines (it is always recorded)
        self.verbose = verbose
        self.experiment = experiment
        self.executor = executor
        self.target_workers = workers
        self.listeners = list(listeners)
        self.settings = settings or DriverSettings()
        self._secret = new_secret()
        self.channel = DriverChannel(self._secret, host=executor.driver_host())
        self.spec = WorkerSpec(
            address=self.channel.address.replace("0.0.0.0", socket.gethostname()),
            secret=self._secret,
            runner=runner_blob,
            hb_interval=self.settings.hb_interval,
            # A worker gives up on a driver silent for three heartbeat timeouts (30 s by default).
            call_timeout=3 * self.settings.heartbeat_timeout,
            env=dict(worker_env or {}),
        )
        self.trials: dict[int, Trial] = {t.id: t for t in experiment.trials}
        self.pending: collections.deque[int] = collections.deque(t.id for t in experiment.trials)
        self.schedule = schedule or FixedSchedule()
        self.schedule_done = not self.schedule.produces_trials
        self._tokens: dict[int, Any] = {}
        #: trials told to stop early, with the rule's reason, recorded when they end
        self._early_stopping: dict[int, str] = {}
        self._es_checked: dict[int, float] = {}
        self._retries: dict[int, int] = {}
        self.workers: dict[str, _Worker] = {}
        self.starting: dict[int, float] = {}
        self.exit_reasons: list[str] = []
        self.next_index = 0
        self.restarts = 0
        self.killing = False
        self.logs: collections.deque[LogLine] = collections.deque(maxlen=400)
        self._last_publish = 0.0
        self._listener_failed = False

    # lifecycle ------------------------------------------------------------------------------------
    def run(self) -> Experiment:
        """Run to the end; ``KeyboardInterrupt`` kills the experiment (state KILLED) and is re-raised."""
        try:
            for _ in range(self._wanted_workers()):
                self._start_worker()
            self._loop()
            self._finish(ExperimentState.FINISHED)
        except KeyboardInterrupt:
            self._kill()
            self._finish(ExperimentState.KILLED, "interrupted: the experiment was killed")
            raise
        except StopRequested:
            self._kill(STOPPED_FROM_OUTSIDE)
            self._finish(ExperimentState.KILLED, STOPPED_FROM_OUTSIDE)
        except BaseException as exc:
            self._shutdown_workers()
            self._fail_open_trials(TrialState.FAILED, f"the experiment failed: {exc}")
            self._finish(ExperimentState.FAILED, f"{type(exc).__name__}: {exc}")
            if isinstance(exc, DriverError):
                raise
            raise DriverError(f"experiment {self.experiment.id} failed: {exc}") from exc
        finally:
            self.channel.close()
        return self.experiment

    def _start_worker(self) -> None:
        index = self.next_index
        self.next_index += 1
        self.starting[index] = time.monotonic()
        self.executor.start_worker(self.spec, index)

    def _loop(self) -> None:
        started = time.monotonic()
        last_check = last_bridge = 0.0
        while not self._all_trials_ended():
            request = self.channel.receive(timeout=0.05)
            if request is not None:
                self._handle(request)
            now = time.monotonic()
            if now - last_check >= 0.2:
                last_check = now
                self._check_workers(now, started)
            if now - last_bridge >= self.settings.bridge_interval:
                last_bridge = now
                self._bridge()
            self._publish()
        self._dismiss_workers()

    def _publish_live(self) -> None:
        """Share the live state with other processes (the sidebar, REST) through the project."""
        lines = list(self.logs)[-LIVE_LOG_LINES:]
        self.store.publish_live(self.experiment.id, {
            "logs": [{"trial": ln.trial, "worker": ln.worker, "stream": ln.stream, "text": ln.text} for ln in lines],
            "workers_alive": sum(w.alive for w in self.workers.values()), "updated": time.time()})

    def _bridge(self) -> None:
        """Share the live state with other processes through the project, and hear a stop asked there."""
        self._publish_live()
        if self.store.stop_requested(self.experiment.id):
            raise StopRequested()

    def _dismiss_workers(self) -> None:
        """Answer DONE until every live worker has heard it (or a short grace passes), then stop them."""
        deadline = time.monotonic() + 2 * self.settings.hb_interval + 2.0
        while any(w.alive for w in self.workers.values()) and time.monotonic() < deadline:
            request = self.channel.receive(timeout=0.05)
            if request is not None:
                self._handle(request)
            for ended in self.executor.poll():
                self._mark_index_dead(ended.index, ended.reason, ended.retry)
        self._shutdown_workers()

    def _shutdown_workers(self) -> None:
        self.executor.stop(timeout=5.0)
        for worker in self.workers.values():
            worker.alive = False

    def _kill(self, reason: str = "killed: the experiment was interrupted") -> None:
        """Stop running trials (STOP on their next heartbeat), then terminate the workers."""
        self.killing = True
        for trial_id in list(self.pending):
            self._end_trial(self.trials[trial_id], TrialState.KILLED, error="killed before it started")
        self.pending.clear()
        deadline = time.monotonic() + self.settings.kill_grace
        try:
            while time.monotonic() < deadline and any(w.trial_id is not None for w in self.workers.values()
                                                      if w.alive):
                request = self.channel.receive(timeout=0.05)
                if request is not None:
                    self._handle(request)
        except KeyboardInterrupt:
            pass  # a second interrupt: stop waiting and terminate now
        self._shutdown_workers()
        self._fail_open_trials(TrialState.KILLED, reason)

    def _fail_open_trials(self, state: TrialState, reason: str) -> None:
        for trial in self.trials.values():
            if not trial.state.is_final:
                self._end_trial(trial, state, error=reason)
        self.pending.clear()

    def _finish(self, state: ExperimentState, error: str | None = None) -> None:
        trials = list(self.trials.values())
        if state is ExperimentState.FINISHED and trials and all(t.state.is_failure for t in trials):
            state = ExperimentState.FAILED
            first = trials[0].error or ""
            error = f"all {len(trials)} trials failed; the first with:\n{first}"
        key, best = best_trial(trials, self.experiment.metric_key, self.experiment.direction)
        exp = self.experiment
        exp.state, exp.error, exp.end_time = state, error, time.time()
        exp.metric_key = key
        exp.best_trial_id, exp.best_metric = (best.id, best.metrics[key]) if best and key else (None, None)
        if key and best is None and any(t.state is TrialState.FINISHED for t in trials) and not exp.error:
            exp.error = f"no finished trial reported the metric {key!r}"
        self.store.update_experiment(
            exp.id, state=state, error=exp.error, end_time=exp.end_time, metric_key=key,
            best_trial_id=exp.best_trial_id, best_metric=exp.best_metric,
        )
        self._publish_live()  # the last lines (how the last trials ended) stay readable after the end
        self._publish(final=True)

    # requests -------------------------------------------------------------------------------------
    def _handle(self, request: Request) -> None:
        handler = {REG: self._on_register, GET: self._on_get, HB: self._on_heartbeat, FINAL: self._on_final}
        kind = request.type
        if kind not in handler:
            log.warning("jhops driver: unknown request %s", kind)
            return
        self.channel.reply(request, handler[kind](request.message))

    def _on_register(self, message: dict[str, Any]) -> dict[str, Any]:
        info = message["info"]
        index = int(info["index"])
        self.starting.pop(index, None)
        self.workers[message["worker"]] = _Worker(index, message["worker"], info, time.monotonic())
        return {"type": OK}

    def _live_worker(self, message: dict[str, Any]) -> _Worker | None:
        worker = self.workers.get(message.get("worker", ""))
        if worker is None or not worker.alive:
            return None
        worker.last_seen = time.monotonic()
        return worker

    def _on_get(self, message: dict[str, Any]) -> dict[str, Any]:
        worker = self._live_worker(message)
        if worker is not None and not self.killing and not self.pending and not self.schedule_done:
            planned = self.schedule.next()
            if planned == NOTHING_YET:
                return {"type": WAIT}
            if isinstance(planned, Planned):
                self._add_trial(planned)
            else:
                self.schedule_done = True
        if worker is None or self.killing or not self.pending:
            if worker is not None:
                worker.alive = False  # it leaves after DONE
            return {"type": DONE}
        trial = self.trials[self.pending.popleft()]
        worker.trial_id = trial.id
        folder = f"experiments/{self.experiment.id}/trials/{trial.number}"
        trial.state, trial.start_time, trial.worker, trial.folder = (
            TrialState.RUNNING, time.time(), dict(worker.info), folder)
        self.store.update_trial(trial.id, state=trial.state, start_time=trial.start_time, worker=trial.worker,
                                folder=folder)
        return {"type": TASK, "task": {"id": trial.id, "number": trial.number, "params": trial.params,
                                       "folder": folder,
                                       "checkpoint": checkpoint_folder(self.experiment.id, trial.params)}}

    def _add_trial(self, planned: Planned) -> None:
        trial = self.store.create_trial(self.experiment.id, len(self.trials), planned.params)
        self.trials[trial.id] = trial
        self._tokens[trial.id] = planned.token
        self.pending.append(trial.id)

    def _early_stop_reason(self, trial: Trial) -> str | None:
        """Why the schedule's early-stopping rule stops ``trial`` now (None: it goes on); checked at most every
        ``es_interval`` seconds per trial."""
        now = time.monotonic()
        if now - self._es_checked.get(trial.id, 0.0) < self.schedule.es_interval:
            return None
        self._es_checked[trial.id] = now
        key = self.experiment.metric_key or "metric"
        finished = [t.history.get(key, []) for t in self.trials.values() if t.state is TrialState.FINISHED]
        decision = self.schedule.early_stop.decide(trial.history.get(key, []), finished, self.experiment.direction,
                                                   metric=key)
        return (decision.reason or "stopped by the early-stopping rule") if decision.stop else None

    def _on_heartbeat(self, message: dict[str, Any]) -> dict[str, Any]:
        worker = self._live_worker(message)
        if worker is None:
            return {"type": DONE}
        trial_id = message.get("task")
        if trial_id is not None and trial_id == worker.trial_id:
            trial = self.trials[trial_id]
            self._apply_updates(trial, worker, message.get("updates") or {})
            if self.killing or trial.id in self._early_stopping:
                return {"type": STOP}
            reason = self._early_stop_reason(trial)
            if reason is not None:
                self._early_stopping[trial.id] = reason
                return {"type": STOP}
        return {"type": OK}

    def _on_final(self, message: dict[str, Any]) -> dict[str, Any]:
        worker = self._live_worker(message)
        trial = self.trials.get(message.get("task", -1))
        if worker is None or trial is None or worker.trial_id != trial.id:
            return {"type": OK}  # a result for a trial already given up on: keep the recorded outcome
        self._apply_updates(trial, worker, message.get("updates") or {})
        result = message["result"]
        worker.trial_id = None
        state = RESULT_STATES.get(result.get("status", "failed"), TrialState.ERROR)
        error = result.get("error")
        if state is TrialState.KILLED and trial.id in self._early_stopping:
            # The reason a trial ended goes where an error would: one field, shown by every view of a trial.
            state, error = TrialState.EARLY_STOPPED, error or self._early_stopping[trial.id]
        self._end_trial(
            trial, state,
            metrics=result.get("metrics") or {}, outputs=result.get("outputs") or {},
            artifacts=result.get("artifacts") or [], error=error,
        )
        return {"type": OK}

    def _apply_updates(self, trial: Trial, worker: _Worker, updates: dict[str, Any]) -> None:
        points = [(str(k), int(s), float(v), float(w)) for k, s, v, w in updates.get("metrics", [])]
        if points:
            self.store.add_metric_points(trial.id, points)
            for key, step, value, _wall in points:
                trial.history.setdefault(key, []).append((step, value))
        stdout, stderr = updates.get("stdout", ""), updates.get("stderr", "")
        if stdout or stderr:
            self.store.append_logs(trial.id, stdout=stdout, stderr=stderr)
            trial.stdout += stdout
            trial.stderr += stderr
            for stream, text in (("stdout", stdout), ("stderr", stderr)):
                for line in text.splitlines():
                    # Standard error carries the libraries' warnings and banners: always in the trial's record,
                    # live only when verbose, but for jhops' own notes.
                    if stream == "stdout" or self.verbose or line.startswith("[jhops]"):
                        self.logs.append(LogLine(trial.number, worker.index, stream, line))

    def _end_trial(self, trial: Trial, state: TrialState, *, metrics: dict[str, float] | None = None,
                   outputs: dict[str, str] | None = None, artifacts: list[str] | None = None,
                   error: str | None = None) -> None:
        trial.state, trial.end_time, trial.error = state, time.time(), error
        trial.metrics = dict(metrics or {})
        trial.outputs = dict(outputs or {})
        trial.artifacts = list(artifacts or [])
        self.store.update_trial(trial.id, state=state, end_time=trial.end_time, error=error,
                                metrics=trial.metrics, outputs=trial.outputs, artifacts=trial.artifacts)
        if trial.id in self._tokens:
            metric = trial.metrics.get(self.experiment.metric_key or "metric") if state is TrialState.FINISHED else None
            self.schedule.ended(self._tokens.pop(trial.id), metric)
        if error and state is not TrialState.FINISHED:
            self.logs.append(LogLine(trial.number, -1, "jhops", trial_ending(trial)))

    # worker health --------------------------------------------------------------------------------
    def _mark_dead(self, worker: _Worker, reason: str, retry: bool = True) -> None:
        worker.alive = False
        self.exit_reasons.append(f"worker {worker.index}: {reason}")
        if worker.trial_id is not None:
            trial = self.trials[worker.trial_id]
            worker.trial_id = None
            if trial.state.is_final:
                return
            attempts = self._retries.get(trial.id, 0)
            if not retry:  # it would end the same way on another worker (too much memory): say why, once
                self._end_trial(trial, TrialState.FAILED, error=reason)
            elif attempts < self.settings.max_retries and not self.killing:
                self._retries[trial.id] = attempts + 1
                self._retry(trial, f"worker {worker.index} was lost: {reason}")
            else:
                tries = f" (tried {attempts + 1} times)" if attempts else ""
                self._end_trial(trial, TrialState.FAILED, error=f"worker {worker.index} was lost{tries}: {reason}")

    def _retry(self, trial: Trial, reason: str) -> None:
        """Put a trial whose worker died back at the head of the queue, its partial history cleared."""
        note = f"[jhops] {reason.splitlines()[0]}; running the trial again on another worker\n"
        trial.state, trial.start_time, trial.worker, trial.history = TrialState.PENDING, None, {}, {}
        trial.stderr += note
        self.store.reset_trial(trial.id, note)
        self.logs.append(LogLine(trial.number, -1, "jhops", note.strip()))
        self.pending.appendleft(trial.id)

    def _mark_index_dead(self, index: int, reason: str, retry: bool = True) -> None:
        if index in self.starting:
            del self.starting[index]
            if reason != "exited":
                self.exit_reasons.append(f"worker {index} ended before registering: {reason}")
        for worker in self.workers.values():
            if worker.index == index and worker.alive:
                self._mark_dead(worker, reason, retry)

    def _check_workers(self, now: float, started: float) -> None:
        for ended in self.executor.poll():
            self._mark_index_dead(ended.index, ended.reason, ended.retry)
        timeout = self.settings.heartbeat_timeout
        for worker in self.workers.values():
            if worker.alive and now - worker.last_seen > timeout:
                self._mark_dead(worker, f"no heartbeat for {now - worker.last_seen:.0f}s")
        alive = sum(w.alive for w in self.workers.values()) + len(self.starting)
        limit = self.settings.max_restarts if self.settings.max_restarts is not None else len(self.trials)
        # Replace workers that died at work; a worker that cannot even register would only fail again.
        lost_at_work = sum(not w.alive for w in self.workers.values())
        while self._work_remains() and alive < self._wanted_workers() and self.restarts < min(limit, lost_at_work):
            self.restarts += 1
            alive += 1
            self._start_worker()
        if self._work_remains() and alive == 0:
            reasons = "\n".join(self.exit_reasons[-5:]) or "no reason given"
            left = f"the remaining {len(self.pending)} trials" if self.schedule_done else "the rest of the search"
            raise DriverError(f"no worker is left to run {left}:\n{reasons}")
        if not self.workers and now - started > self.settings.start_timeout:
            reasons = "\n".join(self.exit_reasons[-5:])
            raise DriverError(
                f"no worker registered within {self.settings.start_timeout:.0f}s on {self.executor.name}"
                + (f":\n{reasons}" if reasons else "; are executors available?")
            )

    def _wanted_workers(self) -> int:
        """All the workers asked for while a search may still suggest trials; no more than trials left otherwise."""
        return self.target_workers if not self.schedule_done else min(self.target_workers, len(self.pending))

    def _work_remains(self) -> bool:
        return bool(self.pending) or not self.schedule_done

    def _all_trials_ended(self) -> bool:
        return self.schedule_done and all(t.state.is_final for t in self.trials.values())

    # progress -------------------------------------------------------------------------------------
    def _publish(self, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last_publish < self.settings.publish_interval:
            return
        self._last_publish = now
        self.experiment.trials = sorted(self.trials.values(), key=lambda t: t.number)
        progress = Progress(self.experiment, list(self.logs), sum(w.alive for w in self.workers.values()), final)
        for listener in self.listeners:
            try:
                listener(progress)
            except Exception:
                if not self._listener_failed:
                    self._listener_failed = True
                    log.exception("jhops: a progress listener failed; the experiment goes on")
