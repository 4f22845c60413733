"""Launch settings chosen in the sidebar (or over REST) and used as the defaults of ``%%hops`` cells.

They live in the project (``settings/compute.json``), so the server extension writes them and every kernel that
opens the project reads them, without the two processes talking to each other.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from jhops.compute.memory import parse_size

if TYPE_CHECKING:
    from jhops.project import Project

#: launch modes, as the Hopsworks Jupyter launcher names them
MODES = {"experiment": "Experiment", "parallel": "Parallel Experiments", "distributed": "Distributed Training"}
EXECUTORS = ("local", "spark")
SETTINGS_FILE = "settings/compute.json"
_SPARK_MASTER = re.compile(r"^(local(\[(\*|[1-9][0-9]*)\])?|spark://\S+|sc://\S+|yarn|k8s://\S+)$")


@dataclass
class ComputeSettings:
    """How the next ``%%hops`` cell runs when its flags do not say.

    Example: ``ComputeSettings(mode="parallel", executor="spark", workers=2).validate()``
    """

    mode: str = "experiment"
    executor: str = "local"
    workers: int = 2
    gpus_per_worker: int = 0
    #: a Spark master (``local[2]``, ``spark://host:7077``) or Spark Connect URL (``sc://host:15002``); None:
    #: the active session, or ``local[workers]``
    spark_master: str | None = None
    #: the memory a worker may use (``512m``, ``4g``): a local worker over it is ended and its trial FAILED; a
    #: SparkSession jhops creates gets it as the executors' memory (``jhops.compute.spark.session_conf``)
    memory_per_worker: str = "2g"

    def problems(self) -> list[str]:
        """What is wrong, one sentence per field (empty when the settings are valid)."""
        found = []
        if not isinstance(self.mode, str) or self.mode not in MODES:
            found.append(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not isinstance(self.executor, str) or self.executor not in EXECUTORS:
            found.append(f"executor must be one of {', '.join(EXECUTORS)}, got {self.executor!r}")
        if not isinstance(self.workers, int) or isinstance(self.workers, bool) or not 1 <= self.workers <= 1024:
            found.append(f"workers must be a whole number from 1 to 1024, got {self.workers!r}")
        if not isinstance(self.gpus_per_worker, int) or isinstance(self.gpus_per_worker, bool) \
                or not 0 <= self.gpus_per_worker <= 16:
            found.append(f"gpus_per_worker must be a whole number from 0 to 16, got {self.gpus_per_worker!r}")
        if self.spark_master is not None and (not isinstance(self.spark_master, str)
                                              or not _SPARK_MASTER.match(self.spark_master)):
            found.append(f"spark_master must look like local[2], spark://host:7077 or sc://host:15002, got "
                         f"{self.spark_master!r}")
        try:
            parse_size(self.memory_per_worker)
        except ValueError:
            found.append(f"memory_per_worker must look like 512m or 4g, got {self.memory_per_worker!r}")
        return found

    def validate(self) -> ComputeSettings:
        problems = self.problems()
        if problems:
            raise ValueError("Invalid compute settings: " + "; ".join(problems) + ".")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComputeSettings:
        """Settings from JSON; unknown keys are refused so a typo is not silently ignored."""
        if not isinstance(data, dict):
            raise ValueError(f"compute settings must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown compute setting(s) {unknown}; the settings are {sorted(known)}.")
        return cls(**data).validate()


def saved_settings(project: Project) -> ComputeSettings | None:
    """The settings saved in the project, or None when nobody saved any."""
    path = project.artifact_path(*SETTINGS_FILE.split("/"))
    if not project.fs.exists(path):
        return None
    with project.fs.open(path, "r") as f:
        return ComputeSettings.from_dict(json.load(f))


def load_settings(project: Project) -> ComputeSettings:
    """The project's saved settings, or the defaults. Example: ``load_settings(Project()).workers``"""
    return saved_settings(project) or ComputeSettings()


def save_settings(project: Project, settings: ComputeSettings) -> ComputeSettings:
    """Validate and store ``settings`` in the project (atomically on a local disk)."""
    settings.validate()
    path = project.artifact_path(*SETTINGS_FILE.split("/"))
    folder = path.rsplit("/", 1)[0] if not project.is_local else project.artifact_path("settings")
    project.fs.makedirs(folder, exist_ok=True)
    text = json.dumps(settings.to_dict(), indent=2)
    if project.is_local:
        import os
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".compute-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    else:
        with project.fs.open(path, "w") as f:
            f.write(text)
    return settings
