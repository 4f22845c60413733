"""%hops serve and %hops monitor: a deployment driven from cells, and the usage errors."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from IPython.core.error import UsageError

from jhops import models, serving
from tests.serving.conftest import PREDICTORS


@pytest.fixture
def doubler(project):
    models.export(str(PREDICTORS), "doubler", framework="python", predictor_class="Doubler",
                  input_example=np.zeros((2, 3), dtype="float32"), project=project)
    yield "doubler"
    for status in serving.list(project=project):
        serving.stop(status.name, project=project, timeout=10)


def test_create_start_predict_status_stop_delete(ip, project, doubler):
    status = ip.run_line_magic("hops", "serve create dbl --model doubler --max-batch-size 4 --logging PREDICTIONS "
                                       "--start")
    assert status.state == "RUNNING" and status.model_version == 1
    deployment = serving.get_deployment("dbl", project)
    assert deployment.batching.max_batch_size == 4 and deployment.inference_logging == "PREDICTIONS"
    ip.user_ns["chips"] = np.ones((2, 3), dtype="float32")
    ip.run_line_magic("hops", "serve predict dbl --instances chips --out twice")
    assert ip.user_ns["twice"].tolist() == [[2, 2, 2], [2, 2, 2]]
    table = ip.run_line_magic("hops", "serve status")
    assert table.loc["dbl", "state"] == "RUNNING"
    assert ip.run_line_magic("hops", "serve stop dbl").state == "STOPPED"
    manifest = ip.run_line_magic("hops", "serve export dbl")
    assert manifest["kind"] == "InferenceService"
    ip.run_line_magic("hops", "serve delete dbl")
    assert serving.list(project=project) == []


def test_monitor_shows_the_view(ip, project, doubler):
    ip.run_line_magic("hops", "serve create dbl --model doubler --start")
    ip.user_ns["rows"] = [[1.0, 2.0, 3.0]]
    ip.run_line_magic("hops", "serve predict dbl --instances rows")
    serving.stop("dbl", project=project)
    with mock.patch("jhops.widgets.monitor_view.display") as display:
        ip.run_line_magic("hops", "monitor dbl")
    html = display.call_args[0][0]._repr_html_()
    assert "dbl" in html and "<svg" in html and "1 request" in html


@pytest.mark.parametrize("line, message", [
    ("serve", "a subcommand is needed"),
    ("serve launch x", "unknown subcommand 'launch'"),
    ("serve create dbl", "the following arguments are required: --model"),
    ("serve create dbl --model nothing", "nothing"),
    ("serve start ghost", "ghost"),
    ("serve create dbl --model doubler --logging SOME", "invalid choice"),
    ("serve predict ghost --instances missing_var", "no variable named 'missing_var'"),
    ("monitor ghost", "ghost"),
    ("monitor", "the following arguments are required: name"),
])
def test_usage_errors_say_what_was_wrong_with_an_example(ip, project, doubler, line, message):
    with pytest.raises(UsageError, match="Example: %hops") as error:
        ip.run_line_magic("hops", line)
    assert message in str(error.value)


def test_a_server_that_does_not_start_shows_its_log_without_a_traceback(ip, project, doubler):
    serving.create_or_update("broken", "doubler", project=project, predictor_loader="json:no_loader")
    with pytest.raises(UsageError) as error:
        ip.run_line_magic("hops", "serve start broken")
    message = str(error.value)
    assert "%hops serve start: the model server did not start" in message
    assert "could not load model 'doubler'" in message and "no_loader" in message  # the server log's tail
