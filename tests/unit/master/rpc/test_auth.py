"""Project scope of the Control services: every request names its project or is listed as
project-less or admin-only; a project token's requests are narrowed or refused."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any, cast

import peewee
import pytest
from google.protobuf.message import Message

from jobfleet.v1 import auth_pb2, catalog_pb2, crontab_pb2, task_pb2, terminal_pb2
from jobfleet.v1.catalog_pb2 import ListProjectsRequest, ListSlavesRequest
from master.catalogue.service import Tokens
from master.db.connection import DbRunner
from master.domain import NO_PROJECT
from master.errors import InvalidArgument, JobfleetError, PermissionDenied
from master.rpc.auth import ADMIN_ONLY, PROJECTLESS, Authenticator, scoped
from master.rpc.context import ADMIN, Caller
from master.rpc.credentials import TRUSTED_FOR, UNKNOWN_BURST, Memory
from master.slaves.service import Slaves
from master.slaves.sessions import SlaveSessions
from master.store import tokens

MODULES = {
    "TaskService": task_pb2,
    "CatalogService": catalog_pb2,
    "CrontabService": crontab_pb2,
    "TokenService": auth_pb2,
    "TerminalService": terminal_pb2,
}
ONE = Caller(project_id=1, token_id=7)


def control_methods() -> list[Any]:
    found = []
    for service, module in MODULES.items():
        for method in module.DESCRIPTOR.services_by_name[service].methods:
            request = getattr(module, method.input_type.name)()
            path = f"/jobfleet.v1.{service}/{method.name}"
            found.append(pytest.param(path, request, id=method.name))
    return found


@pytest.mark.parametrize(("method", "request_"), control_methods())
def test_every_control_request_names_a_project_or_is_listed(method: str, request_: Message) -> None:
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
        ("/jobfleet.v1.CatalogService/CreateProject", catalog_pb2.CreateProjectRequest()),
    ],
)
def test_another_project_or_none_is_refused(method: str, request_: Message) -> None:
    with pytest.raises(PermissionDenied):
        Authenticator.permit(ONE, method, request_)


def test_listing_slaves_takes_any_token_and_the_admin_passes_everywhere() -> None:
    Authenticator.permit(ONE, "/jobfleet.v1.CatalogService/ListSlaves", ListSlavesRequest())
    # the servicer answers a project token its own project only
    Authenticator.permit(ONE, "/jobfleet.v1.CatalogService/ListProjects", ListProjectsRequest())
    request = task_pb2.ReadLogRequest(project_id=2)
    Authenticator.permit(ADMIN, "/jobfleet.v1.TaskService/ReadLog", request)
    assert request.project_id == 2 and ADMIN.admin and not Caller(0, slave="s1").admin


# --- project 0, the shared project: named outright it is a project like any other

SHARED_TOKEN = Caller(project_id=0, token_id=9)


def test_project_zero_named_outright_is_refused_to_another_projects_token() -> None:
    for request in (
        task_pb2.ListTasksRequest(project_id=0),
        task_pb2.GetTaskRequest(project_id=0, uuid="T1"),
        task_pb2.DryRunRequest(job=task_pb2.SubmitJobRequest(project_id=0)),
        auth_pb2.AuthenticateRequest(project_id=0),
    ):
        with pytest.raises(PermissionDenied, match="for project 1, not 0"):
            Authenticator.permit(ONE, "/jobfleet.v1.TaskService/ListTasks", request)


def test_a_project_zero_token_is_no_admin_and_acts_on_project_zero_only() -> None:
    named, unnamed = task_pb2.ListTasksRequest(project_id=0), task_pb2.ListTasksRequest()

    Authenticator.permit(SHARED_TOKEN, "/jobfleet.v1.TaskService/ListTasks", named)
    Authenticator.permit(SHARED_TOKEN, "/jobfleet.v1.TaskService/ListTasks", unnamed)

    assert not SHARED_TOKEN.admin
    assert unnamed.HasField("project_id") and unnamed.project_id == 0
    for method, request_ in [
        ("/jobfleet.v1.TaskService/ListTasks", task_pb2.ListTasksRequest(project_id=1)),
        ("/jobfleet.v1.CatalogService/CreateProject", catalog_pb2.CreateProjectRequest()),
        ("/jobfleet.v1.TokenService/CreateToken", auth_pb2.CreateTokenRequest(project_id=0)),
    ]:
        with pytest.raises(PermissionDenied):
            Authenticator.permit(SHARED_TOKEN, method, request_)


def test_the_admin_names_project_zero_or_none_and_no_negative_id() -> None:
    named, unnamed = task_pb2.GetTaskRequest(project_id=0), task_pb2.GetTaskRequest()

    Authenticator.permit(ADMIN, "/jobfleet.v1.TaskService/GetTask", named)
    Authenticator.permit(ADMIN, "/jobfleet.v1.TaskService/GetTask", unnamed)

    assert (named.project_id, unnamed.project_id) == (0, NO_PROJECT)
    for who in (ADMIN, ONE):
        with pytest.raises(InvalidArgument):
            ask = task_pb2.GetTaskRequest(project_id=NO_PROJECT)
            Authenticator.permit(who, "/jobfleet.v1.TaskService/GetTask", ask)


# --- the cost of bad tokens: remembered, looked up one at a time within a budget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingDb:
    """The real DbRunner, counting token lookups and how many ran at once."""

    def __init__(self) -> None:
        self.runner = DbRunner(4)
        self.lookups = 0
        self.running = 0
        self.most_at_once = 0

    async def __call__(self, fn: Any, *args: Any) -> Any:
        self.lookups += fn is tokens.by_digest
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            return await self.runner(fn, *args)
        finally:
            self.running -= 1


@pytest.fixture
def counted(database: peewee.Database) -> Iterator[tuple[Authenticator, CountingDb, Clock]]:
    clock, db = Clock(), CountingDb()
    auth = Authenticator(
        Tokens(cast(DbRunner, db)),  # a DbRunner that counts
        Slaves(cast(DbRunner, db), SlaveSessions()),
        None,
        memory=Memory(clock),
    )
    yield auth, db, clock
    db.runner.close()


async def outcomes(auth: Authenticator, presented: list[str]) -> list[str]:
    async def one(token: str) -> str:
        try:
            return str((await auth.identify(token, "/m")).project_id)
        except JobfleetError as exc:
            return str(exc.code.name)  # grpc's StatusCode is untyped

    return await asyncio.gather(*(one(t) for t in presented))


def test_a_bad_token_tried_again_and_again_is_looked_up_once(
    counted: tuple[Authenticator, CountingDb, Clock],
) -> None:
    auth, db, _ = counted

    async def flood() -> list[str]:
        return await outcomes(auth, ["b" * 32] * 500) + await outcomes(auth, ["b" * 32] * 500)

    assert set(asyncio.run(flood())) == {"UNAUTHENTICATED"}
    assert db.lookups == 1


def test_a_flood_of_distinct_bad_tokens_costs_one_thread_and_a_bounded_number_of_lookups(
    counted: tuple[Authenticator, CountingDb, Clock],
) -> None:
    auth, db, _ = counted
    flood = [secrets.token_hex(16) for _ in range(2000)]

    got = asyncio.run(outcomes(auth, flood))

    assert db.lookups == got.count("UNAUTHENTICATED") <= UNKNOWN_BURST
    assert got.count("RESOURCE_EXHAUSTED") >= len(flood) - UNKNOWN_BURST
    assert db.most_at_once == 1


def test_a_valid_token_is_never_throttled_by_someone_elses_flood(
    counted: tuple[Authenticator, CountingDb, Clock],
) -> None:
    auth, db, clock = counted
    _, valid = tokens.create(1, "", "ci", "admin")

    async def scenario() -> tuple[list[str], list[str]]:
        first = await outcomes(auth, [valid])
        clock.now += TRUSTED_FOR + 1  # no longer trusted without a lookup
        flood = [secrets.token_hex(16) for _ in range(int(UNKNOWN_BURST) + 50)]
        return first, await outcomes(auth, [*flood, valid, *flood[:10]])

    first, during = asyncio.run(scenario())

    assert first == ["1"] and "RESOURCE_EXHAUSTED" in during
    assert during[int(UNKNOWN_BURST) + 50] == "1"


def test_a_deleted_token_stops_at_once_and_a_created_one_works_at_once(
    counted: tuple[Authenticator, CountingDb, Clock],
) -> None:
    auth, _, _ = counted
    row, doomed = tokens.create(1, "", "ci", "admin")
    later = "L" * 32

    async def scenario() -> list[str]:
        seen = await outcomes(auth, [doomed, later])
        tokens.delete(1, row.id)
        auth.token_deleted(row.id)
        tokens.create(1, later, "ci", "admin")
        auth.token_created(later)
        return seen + await outcomes(auth, [doomed, later])

    assert asyncio.run(scenario()) == ["1", "UNAUTHENTICATED", "UNAUTHENTICATED", "1"]


@pytest.mark.parametrize(
    ("method", "request_"),
    [
        ("/jobfleet.v1.TokenService/CreateToken", auth_pb2.CreateTokenRequest(project_id=1)),
        ("/jobfleet.v1.TokenService/DeleteToken", auth_pb2.DeleteTokenRequest(project_id=1, id=7)),
        ("/jobfleet.v1.TokenService/CreateToken", auth_pb2.CreateTokenRequest()),
    ],
)
def test_a_project_token_mints_and_deletes_no_token_not_even_its_own_projects(
    method: str, request_: Message
) -> None:
    with pytest.raises(PermissionDenied):
        Authenticator.permit(ONE, method, request_)
    Authenticator.permit(ONE, "/jobfleet.v1.TokenService/ListTokens", auth_pb2.ListTokensRequest())
    Authenticator.permit(ADMIN, method, request_)
