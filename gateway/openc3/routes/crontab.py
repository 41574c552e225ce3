"""OpenC3 `crontab` document: crontabs that run a job on a cron schedule.

Beyond the document's `name`, `jobuuid`, `cron` and `mutex`, a crontab takes `timezone` (an IANA
name; absent = the master's zone) and `misfire` (`skip`, the default, or `run_once`, with
`misfire_grace` seconds). Lists and detail take `fires` (how many recent fires each row shows).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import filters, words
from gateway.openc3.views.crontab import crontab_row
from gateway.upstream import GatewayState
from gateway.words import value_of
from jobfleet.v1 import crontab_pb2

MAX_GRACE = 7 * 86400
MAX_FIRES = 1000
POLICIES = tuple(words.MISFIRE_POLICY.values())
STATUSES = tuple(words.CRONTAB_STATUS.values())
CRONTAB_BODY = schemas.obj(
    {
        "name": schemas.text(255, required=True),
        "jobuuid": schemas.token(description="the job to run"),
        "cron": schemas.text(
            255,
            required=True,
            description="5 fields, or 6 with seconds last, or an @alias such as @hourly",
        ),
        "mutex": schemas.text(255, description="crontabs sharing a mutex never overlap"),
        "timezone": schemas.text(64, description="an IANA zone; absent: the master's"),
        "misfire": schemas.choice(POLICIES, description="default skip"),
        "misfire_grace": schemas.integer(0, MAX_GRACE, description="seconds, for run_once"),
    },
    ["name", "jobuuid", "cron"],
)
CRONTAB_EXAMPLE = {
    "name": "nightly backup",
    "jobuuid": "J1a2b3c4d5e6",
    "cron": "30 2 * * *",
    "mutex": "backup",
    "timezone": "Europe/Berlin",
    "misfire": "run_once",
    "misfire_grace": 600,
}
COUNTS: schemas.Schema = {
    "type": "object",
    "properties": {s: {"type": "integer", "minimum": 0} for s in STATUSES},
    "required": list(STATUSES),
}
FIRES = {"fires": schemas.integer(1, MAX_FIRES, description="how many recent fires to show")}


def crontab(fields: Fields) -> crontab_pb2.Crontab:
    """name, jobuuid, cron, mutex, timezone, misfire, misfire_grace -> the wanted crontab."""
    policy = forms.choice(fields, "misfire", POLICIES, "skip")
    return crontab_pb2.Crontab(
        name=forms.text(fields, "name", required=True, max_len=255),
        job_uuid=forms.token(fields, "jobuuid", required=True),
        cron=forms.text(fields, "cron", required=True, max_len=255),
        mutex=forms.text(fields, "mutex", max_len=255),
        time_zone=forms.text(fields, "timezone", max_len=64),
        misfire_policy=value_of(words.MISFIRE_POLICY, policy, "misfire"),
        misfire_grace_seconds=forms.integer(
            fields, "misfire_grace", default=0, low=0, high=MAX_GRACE
        ),
    )


def create_request(project_id: int, fields: Fields, actor: str) -> crontab_pb2.CreateCrontabRequest:
    wanted = crontab(fields)
    return crontab_pb2.CreateCrontabRequest(
        project_id=project_id,
        name=wanted.name,
        job_uuid=wanted.job_uuid,
        cron=wanted.cron,
        time_zone=wanted.time_zone,
        mutex=wanted.mutex,
        misfire_policy=wanted.misfire_policy,
        misfire_grace_seconds=wanted.misfire_grace_seconds,
        actor=actor,
        status=crontab_pb2.CRONTAB_STATUS_UNAVAILABLE,  # as OpenC3's: started by a status change
    )


def update_request(
    project_id: int, crontab_id: int, fields: Fields, actor: str
) -> crontab_pb2.UpdateCrontabRequest:
    wanted = crontab(fields)
    return crontab_pb2.UpdateCrontabRequest(
        project_id=project_id,
        id=crontab_id,
        name=wanted.name,
        job_uuid=wanted.job_uuid,
        cron=wanted.cron,
        time_zone=wanted.time_zone,
        mutex=wanted.mutex,
        misfire_policy=wanted.misfire_policy,
        misfire_grace_seconds=wanted.misfire_grace_seconds,
        actor=actor,
    )


def status_request(
    project_id: int, crontab_id: int, fields: Fields, actor: str
) -> crontab_pb2.SetCrontabStatusRequest:
    status = forms.choice(fields, "status", STATUSES)
    return crontab_pb2.SetCrontabStatusRequest(
        project_id=project_id,
        id=crontab_id,
        status=value_of(words.CRONTAB_STATUS, status, "status"),
        actor=actor,
    )


def project_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


def crontab_id(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "crontabid")


def fire_limit(request: Request[GatewayState]) -> int:
    return forms.integer(request.query_params, "fires", default=0, low=1, high=MAX_FIRES)


@describe(
    query={**filters.query(["jobname"]), **FIRES},
    data={"type": "array", "items": {"type": "object"}},
)
async def list_crontabs(request: Request[GatewayState]) -> Response:
    """GET /crontab/{projectid}: crontab rows, filtered like every catalogue list (+ `jobname`)."""
    ask = crontab_pb2.ListCrontabsRequest(
        project_id=project_id(request),
        filter=filters.list_filter(request.query_params, extra=["jobname"]),
        fire_limit=fire_limit(request),
    )
    master = request.state["master"]
    reply = await master.crontab.ListCrontabs(ask, timeout=master.timeout)
    return envelope.ok([crontab_row(c) for c in reply.crontabs], total=reply.total)


@describe(query=filters.query(["jobname"]), data=COUNTS)
async def count_crontabs(request: Request[GatewayState]) -> Response:
    """GET /crontab/{projectid}/count: `{available, unavailable}`, how many crontabs of each
    status the same filters list (the dashboard adds them up)."""
    wanted = filters.count_filter(request.query_params, extra=["jobname"])
    master = request.state["master"]
    counts: dict[str, int] = {}
    for status, shown in words.CRONTAB_STATUS.items():
        ask = crontab_pb2.ListCrontabsRequest(
            project_id=project_id(request), filter=wanted, fire_limit=1, status=status
        )
        counts[shown] = (await master.crontab.ListCrontabs(ask, timeout=master.timeout)).total
    return envelope.ok(counts)


@describe(query=FIRES, data={"type": "object"})
async def get_crontab(request: Request[GatewayState]) -> Response:
    """GET /crontab/{projectid}/{crontabid}: the row, with `fires` recent fires (default 5)."""
    ask = crontab_pb2.GetCrontabRequest(
        project_id=project_id(request), id=crontab_id(request), fire_limit=fire_limit(request)
    )
    master = request.state["master"]
    found = (await master.crontab.GetCrontab(ask, timeout=master.timeout)).crontab
    return envelope.ok(crontab_row(found))


@describe(body=CRONTAB_BODY, example=CRONTAB_EXAMPLE, data={"type": "object"})
async def create_crontab(request: Request[GatewayState]) -> Response:
    """POST /crontab/{projectid}: a new crontab, `unavailable` (it fires once set available,
    as OpenC3's); `data` is its row."""
    ask = create_request(
        project_id(request), await forms.read_fields(request), forms.submitter(request)
    )
    master = request.state["master"]
    made = (await master.crontab.CreateCrontab(ask, timeout=master.timeout)).crontab
    return envelope.ok(crontab_row(made), id=made.id)


@describe(body=CRONTAB_BODY, example=CRONTAB_EXAMPLE, data={"type": "object"})
async def update_crontab(request: Request[GatewayState]) -> Response:
    """POST /crontab/{projectid}/{crontabid}: replace every field, as a create sends them."""
    ask = update_request(
        project_id(request),
        crontab_id(request),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    saved = (await master.crontab.UpdateCrontab(ask, timeout=master.timeout)).crontab
    return envelope.ok(crontab_row(saved), id=saved.id)


@describe(
    body=schemas.obj({"status": schemas.choice(STATUSES)}, ["status"]),
    example={"status": "unavailable"},
    data={"type": "object"},
)
async def set_status(request: Request[GatewayState]) -> Response:
    """POST /crontab/{projectid}/{crontabid}/status: `status` available or unavailable."""
    ask = status_request(
        project_id(request),
        crontab_id(request),
        await forms.read_fields(request),
        forms.submitter(request),
    )
    master = request.state["master"]
    saved = (await master.crontab.SetCrontabStatus(ask, timeout=master.timeout)).crontab
    return envelope.ok(crontab_row(saved))


@describe(data={"const": 1})
async def delete_crontab(request: Request[GatewayState]) -> Response:
    """DELETE /crontab/{projectid}/{crontabid}: `data` is 1."""
    ask = crontab_pb2.DeleteCrontabRequest(project_id=project_id(request), id=crontab_id(request))
    master = request.state["master"]
    await master.crontab.DeleteCrontab(ask, timeout=master.timeout)
    return envelope.ok(1)


# /count comes before /{crontabid}, which would take it for an id (and refuse it).
routes: list[BaseRoute] = [
    Route("/crontab/{projectid}", list_crontabs, methods=["GET"]),
    Route("/crontab/{projectid}", create_crontab, methods=["POST"]),
    Route("/crontab/{projectid}/count", count_crontabs, methods=["GET"]),
    Route("/crontab/{projectid}/{crontabid}", get_crontab, methods=["GET"]),
    Route("/crontab/{projectid}/{crontabid}", update_crontab, methods=["POST"]),
    Route("/crontab/{projectid}/{crontabid}", delete_crontab, methods=["DELETE"]),
    Route("/crontab/{projectid}/{crontabid}/status", set_status, methods=["POST"]),
]
