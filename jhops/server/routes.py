"""The route table of the jhops API: patterns relative to ``<base_url>/jhops/``, one handler each.

``openapi.yaml`` beside this file describes every route; a test keeps the two in step.
"""

from __future__ import annotations

from jhops.server.compute import ComputeHandler
from jhops.server.deployments import (
    DeploymentActionHandler,
    DeploymentHandler,
    DeploymentsHandler,
    MonitoringHandler,
    PredictHandler,
)
from jhops.server.experiments import ExperimentHandler, ExperimentsHandler, TrialsHandler
from jhops.server.featurestore import (
    FeatureGroupHandler,
    FeatureGroupsHandler,
    PreviewHandler,
    SearchHandler,
    StatisticsHandler,
)
from jhops.server.models import ModelHandler, ModelsHandler, ModelVersionHandler
from jhops.server.status import StatusHandler
from jhops.server.unknown_path import UnknownPathHandler

_GROUP = r"featurestore/groups/([a-z][a-z0-9_]*)/([0-9]+)"
# Model and deployment names are checked by the registry and the deployments, which say what a name may be.
_MODEL = r"models/([^/]+)"
_DEPLOYMENT = r"deployments/([^/]+)"

ROUTES: list[tuple[str, type]] = [
    (r"status", StatusHandler),
    (r"compute", ComputeHandler),
    (r"experiments", ExperimentsHandler),
    (r"experiments/([0-9]+)", ExperimentHandler),
    (r"experiments/([0-9]+)/trials", TrialsHandler),
    (r"featurestore/groups", FeatureGroupsHandler),
    (_GROUP, FeatureGroupHandler),
    (_GROUP + r"/statistics", StatisticsHandler),
    (_GROUP + r"/preview", PreviewHandler),
    (r"featurestore/search", SearchHandler),
    (r"models", ModelsHandler),
    (_MODEL, ModelHandler),
    (_MODEL + r"/([0-9]+)", ModelVersionHandler),
    (r"deployments", DeploymentsHandler),
    (_DEPLOYMENT, DeploymentHandler),
    (_DEPLOYMENT + r"/(start|stop)", DeploymentActionHandler),
    (_DEPLOYMENT + r"/predict", PredictHandler),
    (_DEPLOYMENT + r"/monitoring", MonitoringHandler),
]

#: Mounted after ROUTES (given them, to say which part of a path is wrong): every other path under jhops/.
FALLBACK: tuple[str, type] = (r"(.*)", UnknownPathHandler)
