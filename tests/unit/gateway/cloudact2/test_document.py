"""cloud-act2's routes in `/openapi.json`: true statuses with its error body, the `id` a
required query parameter, Basic credentials besides the usual ones."""

from __future__ import annotations

from gateway.app import openapi_document
from gateway.cloudact2 import envelope

DOCUMENT = openapi_document()
PATHS = ("/api/v1/job/record/page", "/api/v1/job/record", "/api/v1/job/record/result")


def test_each_route_is_described_with_its_true_statuses_and_error_body() -> None:
    for path in PATHS:
        operation = DOCUMENT["paths"][path]["get"]
        responses = operation["responses"]

        assert "servers" not in DOCUMENT["paths"][path]  # no prefix
        assert {"200", "4XX", "503"} <= set(responses)
        success = responses["200"]["content"]["application/json"]["schema"]
        assert success["properties"]["status"] == {"const": "success"}
        assert responses["4XX"]["content"]["application/json"]["schema"] == envelope.FAILURE
        assert {"basic": []} in operation["security"] and {"token": []} in operation["security"]
    assert DOCUMENT["components"]["securitySchemes"]["basic"]["scheme"] == "basic"


def test_a_record_is_named_by_a_required_id() -> None:
    for path in PATHS[1:]:
        query = {p["name"]: p for p in DOCUMENT["paths"][path]["get"]["parameters"]}

        assert query["id"]["required"] is True
        assert query["projectId"]["required"] is False
    page = {p["name"]: p for p in DOCUMENT["paths"][PATHS[0]]["get"]["parameters"]}
    assert page["pageSize"]["schema"]["maximum"] == 100


def test_other_documents_take_no_basic_credentials() -> None:
    task = DOCUMENT["paths"]["/task/{projectid}"]["get"]
    assert {"basic": []} not in task.get("security", DOCUMENT["security"])
