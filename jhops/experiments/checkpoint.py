"""Checkpoint folders shared by every trial of one configuration, so a trial can resume instead of restarting.

ASHA and Hyperband promote a configuration by running it again with a larger budget; a trial whose worker died
runs again on another worker. Both are the same parameters apart from the budget, so they share one folder,
``experiments/<id>/checkpoints/<key>``, where the earlier run left its model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: parameters that size a run rather than define the configuration
BUDGET_KEYS = frozenset({"budget"})


def config_key(params: Mapping[str, Any]) -> str:
    """A short stable key of a configuration, ignoring its budget.

    Example: ``config_key({"lr": 0.1, "budget": 3}) == config_key({"lr": 0.1, "budget": 9})``
    """
    config = {k: v for k, v in params.items() if k not in BUDGET_KEYS}
    text = json.dumps(config, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def checkpoint_folder(experiment_id: int, params: Mapping[str, Any]) -> str:
    """The project-relative checkpoint folder of a configuration in an experiment.

    Example: ``checkpoint_folder(3, {"lr": 0.1})`` is ``"experiments/3/checkpoints/<key>"``.
    """
    return f"experiments/{experiment_id}/checkpoints/{config_key(params)}"
