"""``/jhops/deployments``: model deployments, their start and stop, a test request, and their monitoring.

Starting and stopping wait for the model server (seconds), so they run on a thread and the Jupyter server
keeps answering meanwhile. Test requests go through this server, which holds the project's API key: the page
never sees it.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import numpy as np
import tornado.web

from jhops.server.base import JhopsHandler

#: the latest Unix time the inference log's timestamps (pandas, in nanoseconds) hold: 2262-04-11
LATEST_TIME = 9_223_372_036.0


def _detail(deployment: Any) -> dict[str, Any]:
    record = deployment.record
    data: dict[str, Any] = deployment.status().to_json()
    data.update({key: record.get(key) for key in ("framework", "runtime", "inference_logging", "batching",
                                                  "signature", "created", "started", "stopped")})
    return data


def _jsonable(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


class DeploymentsHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        from jhops import serving

        self.finish({"deployments": [s.to_json() for s in serving.list(project=self.project)]})


class DeploymentHandler(JhopsHandler):
    @tornado.web.authenticated
    def get(self, name: str) -> None:
        from jhops import serving

        self.finish(_detail(serving.get_deployment(name, self.project)))


class DeploymentActionHandler(JhopsHandler):
    """``POST deployments/{name}/start`` and ``.../stop``: the deployment's status once the action is done."""

    @tornado.web.authenticated
    async def post(self, name: str, action: str) -> None:
        from jhops import serving

        deployment = serving.get_deployment(name, self.project)
        # No progress bar: it would draw into the Jupyter server's log; the sidebar shows the state instead.
        act = functools.partial(deployment.start, progress=False) if action == "start" else deployment.stop
        status = await asyncio.get_running_loop().run_in_executor(None, act)
        self.finish(status.to_json())


class PredictHandler(JhopsHandler):
    """``POST deployments/{name}/predict`` with ``{"instances": [...]}``: the running deployment's answer."""

    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        from jhops import serving

        body = self.json_body()
        if not isinstance(body, dict) or not isinstance(body.get("instances"), list) or not body["instances"]:
            raise ValueError('A test request needs a non-empty list of instances: '
                             '{"instances": [[5.1, 3.5, 1.4, 0.2]]}')
        deployment = serving.get_deployment(name, self.project)
        loop = asyncio.get_running_loop()
        predictions = await loop.run_in_executor(None, deployment.predict, body["instances"])
        self.finish({"predictions": _jsonable(predictions)})


class MonitoringHandler(JhopsHandler):
    """``GET deployments/{name}/monitoring[?since=&until=&bucket_s=]``: request rate, latency, errors, predictions
    and input drift (with a note instead of drift for a model trained without a training dataset)."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        from jhops.serving.monitoring import monitor

        since = self.float_argument("since", "a Unix time in seconds", maximum=LATEST_TIME)
        until = self.float_argument("until", "a Unix time in seconds", maximum=LATEST_TIME)
        bucket_s = self.float_argument("bucket_s", "a number of seconds", minimum=0.001)
        report = await asyncio.get_running_loop().run_in_executor(
            None, lambda: monitor(name, project=self.project, since=since, until=until, bucket_s=bucket_s,
                                  drift_errors="note"))
        self.finish(report.to_dict())
