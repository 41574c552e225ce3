"""Project scope of the Control services: every request names its project or is listed as
project-less or admin-only; a project token's requests are narrowed or refused."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.message import Message
from jobfleet.v1 import auth_pb2, catalog_pb2, crontab_pb2, task_pb2
from jobfleet.v1.catalog_pb2 import ListSlavesRequest

from master.auth import ADMIN_ONLY, PROJECTLESS, Authenticator, Identity, scoped
from master.errors import PermissionDenied

MODULES = {
    "TaskService": task_pb2,
    "CatalogService": catalog_pb2,
    "CrontabService": crontab_pb2,
    "TokenService": auth_pb2,
}
ONE = Identity(project_id=1, token_id=7)


def control_methods() -> list[Any]:
    found = []
    for service, module in MODULES.items():
        for method in module.DESCRIPTOR.services_by_name[service].methods:
            request = getattr(module, method.input_type.name)()
            path = f"/jobfleet.v1.{service}/{method.name}"
            found.append(pytest.param(path, request, id=method.name))
    return found


@pytest.mark.parametrize(("method", "request_"), control_methods())
def test_every_control_request_names_a_project_or_is_listed(
    method: str, request_: Message
) -> None:
    name = method.rpartition("/")[2]
    assert (scoped(request_) is None) == (name in PROJECTLESS | ADMIN_ONLY), name


def test_any_project_is_narrowed_to_the_tokens_also_nested() -> None:
    log = task_pb2.ReadLogRequest(execution_id=5)
    dry = task_pb2.DryRunRequest(job=task_pb2.SubmitJobRequest(job_uuid="j"))

    Authenticator.permit(ONE, "/jobfleet.v1.TaskService/ReadLog", log)
    Authenticator.permit(ONE, "/jobfleet.v1.TaskService/DryRun", dry)

    assert log.project_id == 1 and dry.job.project_id == 1


@pytest.mark.parametrize(
    ("method", "request_"),
    [
        ("/jobfleet.v1.TaskService/ReadLog", task_pb2.ReadLogRequest(project_id=2)),
        (
            "/jobfleet.v1.TaskService/DryRun",
            task_pb2.DryRunRequest(job=task_pb2.SubmitJobRequest(project_id=2)),
        ),
        ("/jobfleet.v1.CatalogService/Unlisted", catalog_pb2.ListProjectsRequest()),
        ("/jobfleet.v1.CatalogService/ListProjects", catalog_pb2.ListProjectsRequest()),
    ],
)
def test_another_project_or_none_is_refused(method: str, request_: Message) -> None:
    with pytest.raises(PermissionDenied):
        Authenticator.permit(ONE, method, request_)


def test_listing_slaves_takes_any_token_and_the_admin_passes_everywhere() -> None:
    Authenticator.permit(ONE, "/jobfleet.v1.CatalogService/ListSlaves", ListSlavesRequest())
    request = task_pb2.ReadLogRequest(project_id=2)
    Authenticator.permit(Identity(0), "/jobfleet.v1.TaskService/ReadLog", request)
    assert request.project_id == 2 and Identity(0).admin and not Identity(0, slave="s1").admin
