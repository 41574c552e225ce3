"""The OpenAPI document: built from the route table, complete, and its examples valid."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import openapi
from gateway.app import ROUTES

DOCUMENT = openapi.document(ROUTES)


def bodies() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, methods in DOCUMENT["paths"].items():
        for method, spec in methods.items():
            content = spec.get("requestBody", {}).get("content", {}).get("application/json")
            if content is not None:
                found.append((f"{method.upper()} {path}", content))
    return found


def test_every_served_route_and_method_is_described_once() -> None:
    served = sorted(
        (route.path, method.lower())
        for route in ROUTES
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    )
    described = sorted((p, m) for p, ops in DOCUMENT["paths"].items() for m in ops)
    assert described == served
    ids = [op["operationId"] for ops in DOCUMENT["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


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
