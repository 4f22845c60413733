"""The REST contract: an answer of the jhops server checked against ``jhops/server/openapi.yaml``.

:func:`check_answer` finds the operation by path template and verb, requires the status to be one the operation
documents, and validates the JSON body against that status's schema (OpenAPI 3.0 ``nullable`` included, through
``openapi-schema-validator``). A path or verb the document lacks may only be answered 404 or 405 with an
``Error`` body. The ``jp_fetch`` fixture of this folder runs it on every answer of the server tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import referencing
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing.jsonschema import DRAFT4

import jhops.server

SPEC_PATH = Path(jhops.server.__file__).parent / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
_URI = "urn:jhops:openapi"
_REGISTRY = referencing.Registry().with_resource(_URI, referencing.Resource.from_contents(SPEC, DRAFT4))
VERBS = ("get", "put", "post", "delete", "patch")


def _shape(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


#: path templates, those with fewer parameters first: ``/deployments/{name}/predict`` before ``.../{action}``
_TEMPLATES = sorted(SPEC["paths"], key=lambda t: (t.count("{"), t))
_SHAPES = [(_shape(t), t) for t in _TEMPLATES]


def template_of(path: str) -> str | None:
    """The document's path template that ``path`` (below ``/jhops``, e.g. ``/experiments/3``) has the shape of."""
    return next((t for shape, t in _SHAPES if shape.fullmatch(path)), None)


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _response(template: str | None, verb: str, status: int) -> tuple[str, dict[str, Any]] | None:
    """The documented response (its JSON pointer in the document, and itself) or None when it is undocumented."""
    operation = SPEC["paths"].get(template or "", {}).get(verb)
    if operation is None:  # no such path, or not this verb on it: only "not found" / "not allowed" may answer
        if status not in (404, 405):
            return None
        return _pointer("components", "responses", "NotFound"), SPEC["components"]["responses"]["NotFound"]
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    pointer = _pointer("paths", template or "", verb, "responses", str(status))
    if "$ref" in response:
        pointer = response["$ref"][1:]
        response = SPEC["components"]["responses"][pointer.rsplit("/", 1)[-1]]
    return pointer, response


def schema_errors(pointer: str, body: Any) -> list[str]:
    """Where ``body`` breaks the schema at ``pointer`` in the document (empty when it conforms)."""
    validator = OAS30Validator({"$ref": f"{_URI}#{quote(pointer, safe='/~')}"}, registry=_REGISTRY,
                               format_checker=oas30_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]


def check_answer(method: str, path: str, status: int, content_type: str, body: bytes) -> None:
    """Fail (AssertionError) unless the answer is one the document describes for ``method path``.

    ``path`` is below ``/jhops`` (``/experiments/3``), without the query.
    """
    verb = method.lower()
    template = template_of(path)
    found = _response(template, verb, status)
    where = f"{method} /jhops{path} (documented as {template or 'nothing'}) answered {status}"
    assert found is not None, f"{where}, which openapi.yaml does not document: {body[:300]!r}"
    pointer, response = found
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None or verb == "head":
        return
    assert content_type.startswith("application/json"), f"{where} with Content-Type {content_type!r}, not JSON"
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise AssertionError(f"{where} with a body that is not JSON ({exc}): {body[:300]!r}") from None
    errors = schema_errors(pointer + "/content/application~1json/schema", document)
    assert not errors, f"{where} with a body that breaks the schema:\n  " + "\n  ".join(errors[:20])
