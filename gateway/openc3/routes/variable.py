"""OpenC3 `variable` document: a job's global variables (name, value, describe, option).

Saving a job creates (empty) every variable its steps name (the master does, as OpenC3), so a
list shows them all. Rows are posted back as listed (`/update`): keys this model does not
keep (`id`, `env`, `create_user`, ...) are ignored, numbers are taken as their text.
"""

from __future__ import annotations

import json
import re
from typing import Any

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import refusals
from gateway.openc3.views import catalog as views
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_VALUE = 65536
MAX_DESCRIBE = 1024


NAME_SCHEMA: schemas.Schema = {
    "type": "string",
    "pattern": f"^(?:{NAME.pattern})$",
    "description": "letters, digits and '_', as `$name` / `${name}` refer to it",
}
MAX_OPTION = 65536
VARIABLE_FIELDS: dict[str, schemas.Schema] = {
    "name": NAME_SCHEMA,
    "value": schemas.text(MAX_VALUE, description="kept as sent"),
    "describe": schemas.text(MAX_DESCRIBE),
    "option": schemas.text(MAX_OPTION, description="the choices a run form offers, comma list"),
}
ENVS = ("test", "online")
JOB_UUID = schemas.token(description="the job's uuid")
SAVE_BODY = schemas.obj(
    {
        "jobuuid": JOB_UUID,
        "id": schemas.identifier(description="updates that variable; absent creates one"),
        **VARIABLE_FIELDS,
    },
    ["jobuuid", "name"],
)
SAVE_MANY_BODY = schemas.obj(
    {
        "jobuuid": JOB_UUID,
        "data": schemas.array(schemas.obj(VARIABLE_FIELDS, ["name"])),
    },
    ["jobuuid", "data"],
)
# DELETE reads jobuuid and name from the body, or else from the query: the document asks for
# them in the body (it cannot say "in one or the other") and gives the query as the fallback.
DELETE_BODY = schemas.obj({"jobuuid": JOB_UUID, "name": NAME_SCHEMA}, ["jobuuid", "name"])
DELETE_QUERY: dict[str, schemas.Schema] = {
    "jobuuid": schemas.token(description="used when the body has no `jobuuid`"),
    "name": {**NAME_SCHEMA, "description": "used when the body has no `name`"},
}
LIST_QUERY = {
    "empty": schemas.flag(description="only the variables without a value"),
    "exclude": schemas.query_name_list(description="the names to leave out"),
    "env": {
        "type": "string",
        "enum": ["", *ENVS],
        "description": "test: leave out the variables only online steps use; online: the "
        "reverse; empty: all",
    },
    "usrext": schemas.flag(
        description="OpenC3 expands user groups in `option`; there are none here: accepted"
    ),
}
ROWS: schemas.Schema = {"type": "array", "items": {"type": "object"}}


def variable_name(fields: Fields) -> str:
    """A required variable name, as `$name` / `${name}` refer to it."""
    name = forms.matching(fields, "name", NAME, "a variable name (letters, digits, '_')")
    if not name:
        raise FieldError("name", "is required")
    return name


def variable(fields: Fields) -> catalog_pb2.Variable:
    """name, value, describe and option of one variable (numbers are taken as their text)."""
    fields = {k: numbers_as_text(v) for k, v in fields.items() if k in VARIABLE_FIELDS}
    return catalog_pb2.Variable(
        name=variable_name(fields),
        value=forms.text(fields, "value", max_len=MAX_VALUE, strip=False),
        describe=forms.text(fields, "describe", max_len=MAX_DESCRIBE),
        option=forms.text(fields, "option", max_len=MAX_OPTION),
    )


def numbers_as_text(value: Any) -> Any:
    """A value a YAML round trip may have turned into a number, as the text it was."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    return value


def save_variable_request(project_id: int, fields: Fields) -> catalog_pb2.SaveVariableRequest:
    """jobuuid, name, value, describe; `id` updates that variable."""
    one = variable(fields)
    return catalog_pb2.SaveVariableRequest(
        project_id=project_id,
        job_uuid=forms.token(fields, "jobuuid", required=True),
        id=forms.identifier(fields, "id", required=False),
        name=one.name,
        value=one.value,
        describe=one.describe,
        option=one.option,
    )


def save_variables_request(project_id: int, fields: Fields) -> catalog_pb2.SaveVariablesRequest:
    """jobuuid and `data`: an array of {name, value, describe}, upserted by name."""
    job_uuid = forms.token(fields, "jobuuid", required=True)
    items: list[Any] = []
    for index, item in enumerate(forms.hash_list(fields, "data")):
        with forms.within(f"data[{index}]"):
            items.append(variable(item))
    return catalog_pb2.SaveVariablesRequest(
        project_id=project_id, job_uuid=job_uuid, variables=items
    )


@describe(query=LIST_QUERY, data=ROWS)
async def list_variables(request: Request[GatewayState]) -> Response:
    """GET /variable/{projectid}/{jobuuid}: every variable of the job (those its steps name
    are created with it); `empty=1` only those without a value; `exclude` a comma list of names
    to leave out; `env=test|online` leaves out those only the other's steps use."""
    query = request.query_params
    forms.flag(query, "usrext")
    env = forms.text(query, "env")
    ask = catalog_pb2.ListVariablesRequest(
        project_id=forms.path_id(request, "projectid"),
        job_uuid=forms.path_token(request, "jobuuid"),
        empty_only=forms.flag(query, "empty"),
        exclude=forms.name_list(query, "exclude", required=False),
        env=forms.choice(query, "env", ENVS) if env else "",
    )
    master = request.state["master"]
    reply = await master.catalog.ListVariables(ask, timeout=master.timeout)
    return envelope.ok([views.variable_row(v) for v in reply.variables])


@describe(
    body=SAVE_BODY,
    example={
        "jobuuid": "J1a2b3c4d5e6",
        "name": "version",
        "value": "1.2.3",
        "describe": "the release to deploy",
    },
    data={"type": "object"},
)
async def save_variable(request: Request[GatewayState]) -> Response:
    """POST /variable/{projectid}: create or update one variable; `data` is its row."""
    ask = save_variable_request(
        forms.path_id(request, "projectid"), await forms.read_fields(request)
    )
    master = request.state["master"]
    saved = (await master.catalog.SaveVariable(ask, timeout=master.timeout)).variable
    return envelope.ok(views.variable_row(saved))


@describe(
    body=SAVE_MANY_BODY,
    example={
        "jobuuid": "J1a2b3c4d5e6",
        "data": [
            {"name": "version", "value": "1.2.3", "describe": "the release to deploy"},
            {"name": "mount", "value": "/"},
        ],
    },
    data=ROWS,
)
async def save_variables(request: Request[GatewayState]) -> Response:
    """POST /variable/{projectid}/update: upsert several by name; `data` is their rows."""
    ask = save_variables_request(
        forms.path_id(request, "projectid"), await forms.read_fields(request)
    )
    master = request.state["master"]
    reply = await master.catalog.SaveVariables(ask, timeout=master.timeout)
    return envelope.ok([views.variable_row(v) for v in reply.variables])


@describe(
    query=DELETE_QUERY,
    body=DELETE_BODY,
    example={"jobuuid": "J1a2b3c4d5e6", "name": "version"},
    data={"const": 1},
)
async def delete_variable(request: Request[GatewayState]) -> Response:
    """DELETE /variable/{projectid}: jobuuid and name, from the body or else the query."""
    fields = {**request.query_params, **await forms.read_fields(request)}
    ask = catalog_pb2.DeleteVariableRequest(
        project_id=forms.path_id(request, "projectid"),
        job_uuid=forms.token(fields, "jobuuid", required=True),
        name=variable_name(fields),
    )
    master = request.state["master"]
    await master.catalog.DeleteVariable(ask, timeout=master.timeout)
    return envelope.ok(1)


routes: list[BaseRoute] = [
    Route("/variable/{projectid}", save_variable, methods=["POST"]),
    Route("/variable/{projectid}", delete_variable, methods=["DELETE"]),
    Route("/variable/{projectid}/update", save_variables, methods=["POST"]),
    Route("/variable/{projectid}/{jobuuid}", list_variables, methods=["GET"]),
]


# --- what OpenC3's job edit page (`business/job/edit`) and small-application page call

TOKEN_QUERY = {"name": {**NAME_SCHEMA, "description": "a variable the job has"}}
MON_IDS = re.compile(r"[A-Za-z0-9_,./]{0,200}")
MONITOR_BODY = schemas.obj(
    {
        "jobuuid": JOB_UUID,
        "status": schemas.flag(description="monitor events may start the job (`mon_status`)"),
        "mon_ids": schemas.matching(MON_IDS.pattern, description="monitor ids, a comma list"),
    },
    ["jobuuid"],
)
BY_ID_QUERY = {"name": {**NAME_SCHEMA, "description": "the variable to delete"}}


@describe(
    query=TOKEN_QUERY,
    required_query=["name"],
    data={"type": "string", "pattern": "^[0-9a-f]{64}$"},
)
async def variable_token(request: Request[GatewayState]) -> Response:
    """GET /variable/{projectid}/{jobuuid}/token: the key of the variable's update link (64 hex
    digits, bound to the project, the job and the name); the admin token alone gets one.

    OpenC3's page builds `/variable/update/...` links from it; that route is not served (see
    docs/decisions.md)."""
    ask = catalog_pb2.LinkVariableRequest(
        project_id=forms.path_id(request, "projectid"),
        job_uuid=forms.path_token(request, "jobuuid"),
        name=variable_name(request.query_params),
    )
    master = request.state["master"]
    return envelope.ok((await master.catalog.LinkVariable(ask, timeout=master.timeout)).key)


@describe(
    body=MONITOR_BODY,
    example={"jobuuid": "J1a2b3c4d5e6", "status": True, "mon_ids": "12,15"},
    data={"type": "object", "required": ["uuid", "mon_ids", "mon_status"]},
)
async def save_monitor(request: Request[GatewayState]) -> Response:
    """POST /variable/{projectid}/update_mon: which monitor events may start the job; `data` is
    the job as GET /jobs/{projectid}/{jobuuid} answers it (with `mon_ids`, `mon_status`)."""
    fields = await forms.read_fields(request)
    ask = catalog_pb2.SetJobMonitorRequest(
        project_id=forms.path_id(request, "projectid"),
        uuid=forms.token(fields, "jobuuid", required=True),
        mon_ids=forms.matching(fields, "mon_ids", MON_IDS, "monitor ids (letters, digits, _,./)"),
        mon_status=forms.flag(fields, "status"),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    with refusals.renamed(MONITOR_PATH, uuid="jobuuid"):
        job = (await master.catalog.SetJobMonitor(ask, timeout=master.timeout)).job
    return envelope.ok(views.job_detail(job))


@describe(query=BY_ID_QUERY, required_query=["name"], data={"enum": [0, 1]})
async def delete_variable_by_job_id(request: Request[GatewayState]) -> Response:
    """DELETE /variable/byid/{jobid}: the variable `name` of the job with that row id (the small
    application page's); `data` is 1, or 0 when there was none to delete (a job of another
    project is none alike)."""
    ask = catalog_pb2.DeleteVariableRequest(
        job_id=forms.path_id(request, "jobid"), name=variable_name(request.query_params)
    )
    master = request.state["master"]
    try:
        await master.catalog.DeleteVariable(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        if refusals.names_missing(exc, "job_id") or refusals.names_missing(exc, "name"):
            return envelope.ok(0)
        raise
    return envelope.ok(1)


MONITOR_PATH = "/variable/{projectid}/update_mon"
routes += [
    Route("/variable/{projectid}/{jobuuid}/token", variable_token, methods=["GET"]),
    Route(MONITOR_PATH, save_monitor, methods=["POST"]),
    Route("/variable/byid/{jobid}", delete_variable_by_job_id, methods=["DELETE"]),
]
