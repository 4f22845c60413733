"""No input gets a 500: random requests to every route of openapi.yaml (random ids, names, verbs, query
arguments and bodies, beside the project's real ones), and to paths that are not routes.

Every answer must be one the document describes for its path and verb: a documented status (a 5xx only where
the document has one, the 502 of a failed model server) with a body that conforms to its schema, so every 4xx is
JSON with a message. Hypothesis draws the requests (the same ones on every run: ``derandomize``); set
``JHOPS_FUZZ_EXAMPLES`` to draw more, and ``JHOPS_FUZZ_RANDOM=1`` to draw new ones.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jhops import models, serving
from jhops.project import Project
from tests.featurestore.conftest import chips, iceberg_rules
from tests.server.openapi_contract import SPEC, VERBS, check_answer, template_of
from tests.serving.conftest import PREDICTORS

EXAMPLES = int(os.environ.get("JHOPS_FUZZ_EXAMPLES", "500"))
HUGE = 2**70  # beyond any stored id


@dataclass(frozen=True)
class Known:
    """What the project under test holds, so that most requests reach real things: path parameters by the
    resource (the path's first segment) and the parameter's name."""

    values: dict[tuple[str, str], tuple[str, ...]]

    def of(self, template: str, param: str) -> tuple[str, ...]:
        return self.values.get((template.split("/")[1], param), ("1",))


@pytest.fixture
def known(project_root) -> Any:
    project = Project(project_root)
    store = project.experiments
    ids = []
    for state in ("RUNNING", "FINISHED"):
        exp = store.create_experiment(name=state.lower(), kind="parallel", executor="local", workers=2, num_trials=2,
                                      direction="max", metric_key="acc")
        trial = store.create_trial(exp.id, 0, {"lr": 0.1})
        store.update_trial(trial.id, state="FINISHED", metrics={"acc": 0.5})
        store.update_experiment(exp.id, state=state)
        ids.append(exp.id)
    group = project.get_feature_store().create_feature_group("iceberg", primary_key=["id"],
                                                             expectations=iceberg_rules())
    group.insert(chips(8))
    root = str(project_root)
    models.export(str(PREDICTORS), "doubler", framework="python", predictor_class="Doubler",
                  input_example=np.zeros((2, 3), dtype="float32"), project=root)
    deployment = serving.create_or_update("doubler-api", "doubler", project=root)
    yield Known({("experiments", "id"): (*map(str, ids), "0"),
                 ("featurestore", "name"): ("iceberg",), ("featurestore", "version"): ("1", "2"),
                 ("models", "name"): ("doubler",), ("models", "version"): ("1", "2"),
                 ("deployments", "name"): ("doubler-api",)})
    deployment.stop(timeout=10)


def _segment(text: str) -> str:
    return quote(text, safe="").replace(".", "%2E")  # "." and ".." would be resolved away by the client


def _texts(max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=max_size)


def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-3, 5), st.integers(-HUGE, HUGE), st.floats(), st.just(HUGE)).map(str)


def _path_value(template: str, param: dict[str, Any], known: Known) -> st.SearchStrategy[str]:
    schema = param.get("schema", {})
    real = st.sampled_from(schema.get("enum") or known.of(template, param["name"]))
    edges = st.sampled_from([str(2**63 - 1), str(2**63), "-1", "0"])
    return st.one_of(real, real, real, real, edges, _numbers(), _texts())  # mostly real, to reach past the 404s


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers(-HUGE, HUGE) | st.floats(allow_nan=False) | _texts(8)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(_texts(8), inner, max_size=3), max_leaves=8)


def _bodies(template: str) -> st.SearchStrategy[bytes | None]:
    """Random bodies, and objects shaped like the operation's own body with random values."""
    shaped: st.SearchStrategy[Any] = st.nothing()
    if template == "/compute":
        keys = list(SPEC["components"]["schemas"]["ComputeSettings"]["properties"])
        shaped = st.dictionaries(st.sampled_from([*keys, "wokers"]), _json_values() | _numbers(), max_size=4)
    elif template.endswith("/predict"):
        rows = st.lists(st.lists(st.floats(allow_nan=False) | st.integers(-9, 9), max_size=4) | _json_values(),
                        max_size=3)
        shaped = st.fixed_dictionaries({"instances": rows})
    as_json = (shaped | _json_values()).map(lambda v: json.dumps(v).encode())
    return st.one_of(st.none(), as_json, st.binary(max_size=20))


@st.composite
def fuzz_requests(draw: st.DrawFn, known: Known) -> tuple[str, str, dict[str, str], bytes | None]:
    """(method, path below /jhops, query, body): mostly for a documented operation (sometimes with another
    verb), else for a path that is no route."""
    if draw(st.integers(0, 9)) == 0:
        return _other_path(draw)
    operations = [(t, v) for t, item in SPEC["paths"].items() for v in item if v in VERBS]
    template, verb = draw(st.sampled_from(operations))
    item = SPEC["paths"][template]
    params = item.get("parameters", []) + item[verb].get("parameters", [])
    path = template
    for param in (p for p in params if p["in"] == "path"):
        path = path.replace("{" + param["name"] + "}", _segment(draw(_path_value(template, param, known))))
    names = [p["name"] for p in params if p["in"] == "query"]
    query = draw(st.dictionaries(st.sampled_from(names) | st.sampled_from(names) | _texts(6),
                                 _numbers() | _numbers() | _texts(), max_size=3)
                 if names else st.dictionaries(_texts(6), _texts(), max_size=1))
    method = draw(st.sampled_from([verb] * 6 + [v for v in VERBS if v != verb])).upper()
    return method, path, query, draw(_bodies(template))


def _other_path(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    segments = draw(st.lists(_texts(10) | st.sampled_from(["experiments", "models", "featurestore", "groups",
                                                            "deployments", "1", ""]), min_size=1, max_size=5))
    method = draw(st.sampled_from(VERBS)).upper()
    return method, "/" + "/".join(map(_segment, segments)), {}, draw(_bodies("/"))


async def test_no_request_gets_a_500_and_every_answer_is_documented(jp_fetch, jp_http_port, jp_base_url,
                                                                     jp_auth_header, known):
    assert (await jp_fetch("jhops", "status")).code == 200  # the server is up
    base = f"http://localhost:{jp_http_port}{jp_base_url.rstrip('/')}/jhops"
    session = requests.Session()
    session.headers.update(jp_auth_header)
    answered: dict[int, int] = {}
    succeeded: set[tuple[str, str | None]] = set()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              derandomize=os.environ.get("JHOPS_FUZZ_RANDOM") != "1",
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=fuzz_requests(known))
    # First a tour that reaches every route's real answer (the deployment stays running for what follows).
    @example(("POST", "/deployments/doubler-api/start", {}, None))
    @example(("POST", "/deployments/doubler-api/predict", {}, b'{"instances": [[1, 2, 3]]}'))
    @example(("POST", "/deployments/doubler-api/predict", {}, b'{"instances": [["a", "b", "c"]]}'))
    @example(("GET", "/deployments/doubler-api/monitoring", {"bucket_s": "1"}, None))
    @example(("GET", "/experiments/1/trials", {}, None))
    @example(("GET", "/featurestore/groups/iceberg/1/preview", {"n": "2"}, None))
    @example(("GET", "/featurestore/search", {"q": "band"}, None))
    @example(("GET", "/featurestore/groups/iceberg/1/statistics", {}, None))
    @example(("GET", "/featurestore/groups/iceberg/1", {}, None))
    @example(("GET", "/models/doubler", {}, None))
    @example(("GET", "/models/doubler/1", {}, None))
    @example(("GET", "/deployments/doubler-api", {}, None))
    @example(("DELETE", "/experiments/1", {}, None))
    @example(("PUT", "/compute", {}, b'{"workers": 3}'))
    def fuzz(request: tuple[str, str, dict[str, str], bytes | None]) -> None:
        method, path, query, body = request
        response = session.request(method, base + path, params=query, data=body, timeout=60,
                                   allow_redirects=False)
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        if response.ok:
            succeeded.add((method.lower(), template_of(path)))
        assert response.status_code != 500, f"{method} {path} {query} {body!r}: {response.text[:500]}"
        # a documented status with a body that conforms: so every 4xx is JSON with a message
        check_answer(method, path, response.status_code, response.headers.get("Content-Type", ""),
                     response.content)

    # The server runs on this test's event loop: the blocking client runs on a thread meanwhile.
    await asyncio.get_running_loop().run_in_executor(None, fuzz)
    operations = {(verb, template) for template, item in SPEC["paths"].items() for verb in item if verb in VERBS}
    assert operations <= succeeded, f"never answered with success: {sorted(operations - succeeded)}"
    assert {400, 404, 405} <= set(answered), answered  # and it reached the errors
