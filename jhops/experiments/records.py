"""Experiment and trial records as they are stored and read back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jhops.models.model_version import ModelVersion


class ExperimentState(str, Enum):
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


class TrialState(str, Enum):
    """Where a trial is. ERROR: the training function raised. FAILED: its worker was lost, retries used up."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    FAILED = "FAILED"
    KILLED = "KILLED"
    EARLY_STOPPED = "EARLY_STOPPED"

    @property
    def is_final(self) -> bool:
        return self not in (TrialState.PENDING, TrialState.RUNNING)

    @property
    def is_failure(self) -> bool:
        """The trial ended without a result of its own: it raised (ERROR) or its worker was lost (FAILED)."""
        return self in (TrialState.ERROR, TrialState.FAILED)


@dataclass
class Trial:
    """One run of the training function with one set of hyperparameters."""

    id: int
    experiment_id: int
    number: int
    params: dict[str, Any]
    state: TrialState
    metrics: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)
    worker: dict[str, Any] = field(default_factory=dict)
    #: why the trial ended when it did not finish: its traceback (ERROR), the lost worker or the memory limit
    #: (FAILED), the kill (KILLED), or the early-stopping rule's reason (EARLY_STOPPED)
    error: str | None = None
    stdout: str = ""
    stderr: str = ""
    folder: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    history: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        if self.start_time is None or self.end_time is None:
            return None
        return self.end_time - self.start_time

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        data["duration"] = self.duration
        return data


@dataclass
class Experiment:
    """A launch of a training function: one or more trials, their records, and the best result."""

    id: int
    name: str
    kind: str
    state: ExperimentState
    metric_key: str | None
    direction: str
    executor: str
    workers: int
    num_trials: int
    start_time: float
    args: Any = None
    code: str | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    driver: dict[str, Any] = field(default_factory=dict)
    end_time: float | None = None
    best_trial_id: int | None = None
    best_metric: float | None = None
    error: str | None = None
    trials: list[Trial] = field(default_factory=list)
    #: when a stop was asked for from outside the notebook (None: never)
    stop_requested: float | None = None
    #: what the running driver last published: {"logs": [...], "workers_alive": n, "updated": time}
    live: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        return None if self.end_time is None else self.end_time - self.start_time

    @property
    def best_trial(self) -> Trial | None:
        return next((t for t in self.trials if t.id == self.best_trial_id), None)

    @property
    def metrics(self) -> dict[str, float]:
        """The final metrics of the best trial (of the only trial, for a single run)."""
        best = self.best_trial
        if best is None and len(self.trials) == 1:
            best = self.trials[0]
        return dict(best.metrics) if best is not None else {}

    @property
    def best_params(self) -> dict[str, Any]:
        best = self.best_trial
        return dict(best.params) if best is not None else {}

    def counts(self) -> dict[str, int]:
        """How many trials are in each state, e.g. ``{"FINISHED": 3, "FAILED": 1}``."""
        counts: dict[str, int] = {}
        for trial in self.trials:
            counts[trial.state.value] = counts.get(trial.state.value, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        data["duration"] = self.duration
        data["trials"] = [t.to_dict() for t in self.trials]
        return data

    def register_best_model(self, name: str, model_path_key_or_artifact: str | None = None,
                            **export_kwargs: Any) -> ModelVersion:
        """Export the best trial's model file to the model registry, with its metrics and provenance.

        ``model_path_key_or_artifact`` picks the artifact (``"model.keras"``, or ``"model"`` for a function that
        returned ``{"model": "model.keras"}``); None takes the trial's only model file. Keywords go to
        ``jhops.models.export`` (``project``, ``input_example``, ``training_dataset``, ...).
        Example: ``exp.register_best_model("iceberg-cnn", input_example=x_val[:2])``
        """
        from jhops.models.from_experiment import register_best_model

        return register_best_model(self, name, model_path_key_or_artifact, **export_kwargs)
