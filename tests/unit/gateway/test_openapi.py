"""The OpenAPI document: built from the route table, complete, and its examples valid."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.core.result import Ok
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import openapi
from gateway.app import ROUTES, openapi_document
from gateway.document import Alias
from gateway.openc3 import PREFIX
from gateway.statusheader import STATUS_HEADER

DOCUMENT = openapi_document()
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of the document; a path item's other keys (its `servers`) left
    out."""
    return [
        (path, method, spec)
        for path, item in DOCUMENT["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]


def bodies() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, method, spec in operations():
        content = spec.get("requestBody", {}).get("content", {}).get("application/json")
        if content is not None:
            found.append((f"{method.upper()} {path}", content))
    return found


def test_every_served_route_and_method_is_described_once() -> None:
    served = sorted(
        (route.path, method.lower())
        for route in ROUTES
        if isinstance(route, Route) and route.include_in_schema  # not the /api/job aliases
        for method in route.methods or ()
        if method != "HEAD"
    )
    described = sorted((path, method) for path, method, _ in operations())
    assert described == served
    ids = [spec["operationId"] for _, _, spec in operations()]
    assert len(ids) == len(set(ids))


def test_every_openc3_path_is_served_at_the_root_and_under_api_job_once() -> None:
    aliases = sorted({r.path for r in ROUTES if isinstance(r, Alias)})
    openc3 = sorted(p for p, item in DOCUMENT["paths"].items() if "servers" in item)

    assert aliases == sorted({PREFIX + path for path in openc3})
    assert {"/task/{projectid}", "/slave/{slave}/tasklog/{uuid}"} <= set(openc3)
    for path in openc3:
        assert DOCUMENT["paths"][path]["servers"] == [{"url": "/"}, {"url": PREFIX}]
    assert "servers" not in DOCUMENT["paths"]["/health"]


def test_openc3_refusals_are_documented_as_200_answers_with_the_status_header() -> None:
    task = DOCUMENT["paths"]["/task/{projectid}/plugin_cmd"]["post"]["responses"]
    health = DOCUMENT["paths"]["/health"]["get"]["responses"]

    assert set(task) == {"200", "404"}  # 404: no such path, the router's own answer
    answers = task["200"]["content"]["application/json"]["schema"]["anyOf"]
    refusal = answers[1]
    assert refusal["properties"]["stat"] == {"const": False}
    assert refusal["properties"]["code"]["const"] == 10000 and refusal["required"] == [
        "stat",
        "info",
    ]
    assert "401 no or unknown credentials" in task["200"]["description"]
    for responses in (task, health):  # every answer carries the true status
        for answer in responses.values():
            assert answer["headers"][STATUS_HEADER]["required"] is True
    assert {"200", "4XX", "503"} <= set(health)  # the probe keeps its true statuses


def test_project_zero_and_the_session_cookie_are_documented() -> None:
    params = DOCUMENT["paths"]["/task/{projectid}"]["get"]["parameters"]
    projectid = next(p for p in params if p["name"] == "projectid")
    session = DOCUMENT["components"]["securitySchemes"]["session"]

    assert projectid["schema"]["minimum"] == 0
    assert (session["in"], session["name"]) == ("cookie", "sid")
    assert openapi_document("c3sid")["components"]["securitySchemes"]["session"]["name"] == "c3sid"
    assert {"session": []} in DOCUMENT["security"]


@pytest.mark.parametrize(("operation", "content"), bodies(), ids=[b[0] for b in bodies()])
def test_every_body_has_an_example_the_schema_accepts(
    operation: str, content: dict[str, Any]
) -> None:
    assert "example" in content, f"{operation} gives no example"
    validator = jsonschema_rs.Draft202012Validator(content["schema"])
    errors = [e.message for e in validator.iter_errors(content["example"])]
    assert not errors, errors


def test_a_route_without_a_description_is_named() -> None:
    async def undescribed(request: Request[Any]) -> Response:
        return Response()

    with pytest.raises(LookupError, match=r"/nowhere \(undescribed\)"):
        openapi.document([*ROUTES, Route("/nowhere", undescribed)])


def test_open_routes_need_no_credentials_and_others_do() -> None:
    health = DOCUMENT["paths"]["/health"]["get"]
    assert health["security"] == []
    tasks = DOCUMENT["paths"]["/task/{projectid}"]["get"]
    assert "security" not in tasks  # the document's default: a token
    assert {"token": []} in DOCUMENT["security"]


def test_the_document_loads_as_valid_openapi_every_operation_of_it() -> None:
    loaded = schemathesis.openapi.from_dict(DOCUMENT)

    results = list(loaded.get_all_operations())

    assert len(results) == len(operations())
    assert all(isinstance(result, Ok) for result in results), results
