"""openc3.routes.third: project_id and params.{jobname, variable} -> SubmitJobRequest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes.third import job_request
from jobfleet.v1 import task_pb2

BODY: dict[str, Any] = {
    "project_id": 4,
    "uuid": "abcdef123456",
    "params": {"jobname": "deploy", "variable": {"version": "1.2", "n": 3}},
}


def test_job_request() -> None:
    assert job_request(BODY, "flow", uuid_required=True) == task_pb2.SubmitJobRequest(
        project_id=4,
        job_name="deploy",
        variables={"version": "1.2", "n": "3"},
        task_uuid="abcdef123456",
        submitter="flow",
        call_type="api",
    )


def test_params_may_be_json_text_in_a_form() -> None:
    form = {"project_id": "4", "uuid": "u1", "params": json.dumps(BODY["params"])}

    assert job_request(form, "flow", uuid_required=True).job_name == "deploy"


def test_dry_run_needs_no_uuid() -> None:
    body = {k: v for k, v in BODY.items() if k != "uuid"}

    assert job_request(body, "flow", uuid_required=False).task_uuid == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"project_id": None}, "project_id"),
        ({"project_id": "x"}, "project_id"),
        ({"uuid": None}, "uuid"),
        ({"params": None}, "params"),
        ({"params": "[1]"}, "params"),
        ({"params": {"variable": {}}}, "params.jobname"),
        ({"params": {"jobname": "j", "variable": ["a"]}}, "params.variable"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in {**BODY, **change}.items() if v is not None}

    with pytest.raises(FieldError) as caught:
        job_request(body, "flow", uuid_required=True)

    assert caught.value.field == field
