"""Every route of every document, every kind of bad input: a refusal in its document's envelope
naming the problem (its true status in `X-Jobfleet-Status`, its HTTP status that one or 200 on a
document answering refusals 200, at the root and under the document's prefix alike), and not
one row of the database nor one file of the store changed.

The cases are made from the gateway's own OpenAPI document and `gateway.app.DOCUMENTS`, so a new
route or a new document gets them without a line here: each required field left out, each field
of the wrong type (one level down too: a field of an object, or of an array's first object), a
body over the cap, an unknown project, an unknown id (a path parameter with a form, a required
query parameter that is an id). How an answer reads: `tests.integration.documents`. The content
cases (invalid cron, path traversal, shell metacharacters in names) are listed by hand.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest

from gateway import forms
from gateway.app import openapi_document
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration import documents, rest, snapshot
from tests.integration.conftest import Gateway, Master
from tests.integration.seeds import seed_catalogue
from tests.waiting import wait_until

DOCUMENT = openapi_document()
METHODS = {"get", "put", "post", "delete", "patch"}
OVERSIZED = 1024 * 1024 + 1  # the gateway's default body cap is 1 MiB
FIELD_KEY = "jobfleet-field"  # the master's trailing metadata naming the refused field

# A format-valid value for a parameter, by its schema (an id, a uuid-like token, a name); an
# unknown one for the unknown-id cases.
VALID_ID, VALID_UUID, VALID_NAME = "1", "Tnosuchtask1", "n1"
UNKNOWN_ID, UNKNOWN_UUID = "987654321", "Nosuchthing1"
# A wrong-typed value per JSON type the document gives a field.
WRONG = {
    "string": {"an": "object"},
    "integer": "not a number",
    "boolean": {"an": "object"},
    "object": 12,
    "array": 12,
}


@dataclass
class Quiet:
    master: Master
    http: httpx.Client
    before: snapshot.Snapshot
    known: dict[str, str]
    """Parameter -> a value naming a row that exists (a job, a task, its first subtask)."""

    def unchanged(self) -> None:
        assert snapshot.take(db_url(self.master), self.master.data_dir) == self.before


def db_url(master: Master) -> str:
    return master.args[master.args.index("--db") + 1]


@pytest.fixture
def quiet(
    start_master: Callable[..., Master], start_gateway: Callable[..., Gateway]
) -> Iterator[Quiet]:
    """A master and gateway with a small catalogue, and a snapshot of all it keeps."""
    master = start_master()
    gateway = start_gateway(master)
    with gateway.client() as http:
        known = seed_catalogue(http)
        settled(db_url(master))
        yield Quiet(master, http, snapshot.take(db_url(master), master.data_dir), known)


def settled(db: str) -> None:
    """Wait until the outbox has taken the seeded runs' notices (the master does so on its own,
    just after they are written), so that a snapshot holds still."""
    pending = {"notices": "SELECT id FROM notice WHERE NOT expanded"}
    wait_until(lambda: not snapshot.selected(db, pending)["notices"], 30, what="notices taken")


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, spec in item.items():
            if method in METHODS:  # not the path's `servers`
                yield path, method, spec


def label(path: str, method: str) -> str:
    return f"{method.upper()} {path}"


def parameters(path: str, where: str) -> dict[str, dict[str, Any]]:
    """The path's parameters `where` ("path" or "query") by name, with their schemas (path
    parameters mean the same on every method)."""
    found: dict[str, dict[str, Any]] = {}
    for method, spec in DOCUMENT["paths"][path].items():
        if method in METHODS:
            found |= {p["name"]: p for p in spec["parameters"] if p["in"] == where}
    return found


def is_token(schema: dict[str, Any]) -> bool:
    return schema.get("pattern") == forms.TOKEN.pattern


def names_a_row(parameter: dict[str, Any]) -> bool:
    """A path parameter with a form (an integer, a pattern) names a row; a free one (OpenC3's
    `{slave}`, taken as given) does not. A query parameter names one when it is required and
    an id (an integer, a uuid-like token)."""
    schema = parameter["schema"]
    if parameter["in"] == "path":
        return schema.get("type") == "integer" or "pattern" in schema
    return bool(parameter["required"]) and (schema.get("type") == "integer" or is_token(schema))


def valid(schema: dict[str, Any]) -> str:
    if schema.get("type") == "integer":
        return VALID_ID
    return VALID_UUID if is_token(schema) else VALID_NAME


def unknown(schema: dict[str, Any]) -> str:
    return UNKNOWN_ID if schema.get("type") == "integer" else UNKNOWN_UUID


def fill(path: str, **values: str) -> str:
    """The path with each parameter's value from `values`, else a valid one for its schema."""
    schemas = {name: p["schema"] for name, p in parameters(path, "path").items()}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else valid(schemas[name])

    return re.sub(r"\{(\w+)\}", value, path)


def required_query(spec: dict[str, Any], **values: str) -> dict[str, str]:
    """The operation's required query parameters, each from `values` or valid for its schema."""
    needed = [p for p in spec["parameters"] if p["in"] == "query" and p["required"]]
    return {p["name"]: values.get(p["name"], valid(p["schema"])) for p in needed}


def json_body(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(schema, example) of a JSON body, or None."""
    content = spec.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    return content["schema"], content.get("example", {})


def with_known(example: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
    """The example naming rows that exist (the seeded job and task), so that the one thing
    wrong with a request is the one a case put there."""
    names = {**known, "jobname": "j1", "project_id": 1}
    return {k: names.get(k, v) if not isinstance(v, dict) else v for k, v in example.items()}


def refused(resp: httpx.Response, status: int | tuple[int, ...], *names: str) -> str:
    """The answer is its document's refusal standing for `status`, naming one of `names` when
    given (`rest.refusal`)."""
    return rest.refusal(resp, status, *names)


def send(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return http.request(method.upper(), path, **kwargs)


def wrong_kind(field_schema: dict[str, Any]) -> str | None:
    """The JSON type a wrong value is made for; None for a field of several shapes that an
    object may be one of."""
    kind = field_schema.get("type")
    if isinstance(kind, str) and kind in WRONG:
        return kind
    # one of several shapes (a name list, or a group's id): an object is none of them
    return "string" if "anyOf" in field_schema else None


def nested(
    field: str, field_schema: dict[str, Any], value: Any
) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(the path the house names its fields by, the schema, the example) of an object field,
    or of an array field's first object: `params.jobname`, `data[0].name`, `ip_list[0].ip`."""
    if field_schema.get("type") == "object" and isinstance(value, dict):
        return field, field_schema, value
    items = field_schema.get("items", {})
    if field_schema.get("type") != "array" or not value or not isinstance(value[0], dict):
        return None
    branches = items.get("oneOf") or items.get("anyOf") or [items]
    for branch in branches:  # the shape the example's first object has
        if "properties" in branch and documents.valid_against(branch, value[0]):
            return f"{field}[0]", branch, value[0]
    return None


def field_cases(
    schema: dict[str, Any], example: dict[str, Any], depth: int = 1
) -> Iterator[tuple[dict[str, Any], str, tuple[int, ...]]]:
    """(a body with one thing wrong, the field a refusal names, the statuses it may stand for):
    each required field left out (400, or 403 for a project), each field of the wrong type
    (400); `depth` levels down into objects and arrays of objects."""
    for field in schema.get("required", []):
        yield {k: v for k, v in example.items() if k != field}, field, (400, 403)
    for field, field_schema in schema.get("properties", {}).items():
        kind = wrong_kind(field_schema)
        if kind is not None:
            yield {**copy.deepcopy(example), field: WRONG[kind]}, field, (400,)
        inner = nested(field, field_schema, example.get(field)) if depth else None
        if inner is None:
            continue
        where, inner_schema, inner_example = inner
        for body, name, statuses in field_cases(inner_schema, inner_example, depth - 1):
            yield _replaced(example, field, where, body), f"{where}.{name}", statuses


def _replaced(example: dict[str, Any], field: str, where: str, inner: dict[str, Any]) -> Any:
    """The example with the field's object (or its array's first one) replaced by `inner`."""
    changed = copy.deepcopy(example)
    if where == field:
        changed[field] = inner
    else:
        changed[field] = [inner, *changed[field][1:]]
    return changed


BODY_OPS = [(p, m, s) for p, m, s in operations() if json_body(s) is not None]


@pytest.mark.parametrize(
    ("path", "method", "spec"), BODY_OPS, ids=[label(p, m) for p, m, _ in BODY_OPS]
)
def test_bad_bodies_are_refused_naming_the_field(
    quiet: Quiet, path: str, method: str, spec: dict[str, Any]
) -> None:
    schema, example = json_body(spec) or ({}, {})
    assert example or not schema.get("required"), "the document gives a valid example"
    example = with_known(example, quiet.known)
    url = fill(path)
    query = required_query(spec)
    for body, field, statuses in field_cases(schema, example):
        refused(send(quiet.http, method, url, json=body, params=query), statuses, field)
    padded = {**example, "padding": "x" * OVERSIZED}
    refused(send(quiet.http, method, url, json=padded, params=query), 413)
    as_json = {"content-type": "application/json"}
    garbled = {"content": b"{not json", "headers": as_json, "params": query}
    refused(send(quiet.http, method, url, **garbled), 400, "body")
    refused(send(quiet.http, method, url, json=[example], params=query), 400, "body")
    document = documents.document_of_template(path)
    if document is not None and document.prefix:  # as OpenC3's pages call it
        prefixed = document.prefix + url
        refused(send(quiet.http, method, prefixed, **garbled), 400, "body")
        for field in schema.get("required", [])[:1]:
            body = {k: v for k, v in example.items() if k != field}
            refused(send(quiet.http, method, prefixed, json=body, params=query), (400, 403), field)
    quiet.unchanged()


def identifiers(path: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's parameters that name a row (`names_a_row`)."""
    return [p for p in spec["parameters"] if p["in"] in ("path", "query") and names_a_row(p)]


ID_OPS = [(p, m, s) for p, m, s in operations() if identifiers(p, s)]
IDEMPOTENT = {("delete", "/jobs/{projectid}/{name}/byname"), ("delete", "/variable/byid/{jobid}")}
"""Deletes answering `data: 0` for a row that is not there (OpenC3's flow pages delete a flow's
job whether it has one or not; its small-application page deletes an application's variable
whether its job has one or not)."""
POLLED = {("get", "/task/{projectid}/{uuid}")}
"""An unknown task answers status `norun`, as OpenC3 clients poll for."""


@pytest.mark.parametrize(
    ("path", "method", "spec"), ID_OPS, ids=[label(p, m) for p, m, _ in ID_OPS]
)
def test_an_unknown_project_or_id_is_not_found(
    quiet: Quiet, path: str, method: str, spec: dict[str, Any]
) -> None:
    body = json_body(spec)
    example = with_known(body[1], quiet.known) if body else None
    upload = "multipart/form-data" in spec.get("requestBody", {}).get("content", {})
    files = {"file": ("notes.txt", b"hello")} if upload else None
    for parameter in [] if (method, path) in POLLED else identifiers(path, spec):
        name, where = parameter["name"], parameter["in"]
        if name == forms.PROJECT_PARAM:  # an unknown project
            named = {name: UNKNOWN_ID}
        else:
            named = {**quiet.known, name: unknown(parameter["schema"])}
        url = fill(path, **named) if where == "path" else fill(path, **quiet.known)
        query = required_query(spec, **(named if where == "query" else {}))
        resp = send(quiet.http, method, url, json=example, files=files, params=query)
        if (method, path) in IDEMPOTENT and name != forms.PROJECT_PARAM:
            assert resp.json() == {"stat": True, "data": 0}, resp.text
            continue
        refused(resp, 404, name, named[name])
    quiet.unchanged()


# (method, path, body, the field the refusal names): content that is well-formed JSON of the
# right types, refused for what it says.
CONTENT_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("post", "/crontab/1", {"name": "c", "jobuuid": "J1", "cron": "61 * * * *"}, "cron"),
    ("post", "/crontab/1", {"name": "c", "jobuuid": "J1", "cron": "@fortnightly"}, "cron"),
    ("post", "/crontab/1", {"name": "c", "jobuuid": "J1", "cron": "* * * *"}, "cron"),
    (
        "post",
        "/crontab/1",
        {"name": "c", "jobuuid": "J1", "cron": "* * * * *", "timezone": "../../etc/passwd"},
        "timezone",
    ),
    (
        "post",
        "/task/1/plugin_scp",
        {"name": "c", "src_type": "fileserver", "sp": "../../etc/shadow", "dst": "n1", "dp": "/t"},
        "sp",
    ),
    (
        "post",
        "/task/1/plugin_scp",
        {"name": "c", "src": "n1", "sp": "/etc/hosts", "dst": "n1", "dp": "/t", "chown": "a;id"},
        "chown",
    ),
    (
        "post",
        "/task/1/plugin_cmd",
        {"name": "c", "node_cont": "n1;reboot", "scripts_cont": "true"},
        "node_cont",
    ),
    (
        "post",
        "/task/1/plugin_cmd",
        {"name": "c", "node_cont": "n1", "scripts_cont": "true", "user": "root$(id)"},
        "user",
    ),
    (
        "post",
        "/task/1/plugin_cmd",
        {"name": "c", "node_cont": "n1", "scripts_cont": "true", "variable": {"a;b": "1"}},
        "variable",
    ),
    (
        "post",
        "/task/1/plugin_scp",
        {"name": "c", "src": "n1", "sp": "/etc/hosts", "dst": "n1", "dp": "/t", "chown": "-R"},
        "chown",
    ),
    (
        "post",
        "/task/1/plugin_scp",
        {
            "name": "c",
            "src": "n1",
            "sp": "/etc/hosts",
            "dst": "n1",
            "dp": "/t",
            "chmod": "777 /etc",
        },
        "chmod",
    ),
    (
        "post",
        "/jobs/1",
        {
            "name": "j",
            "data": [
                {
                    "plugin_type": "scp",
                    "name": "s",
                    "src": "n1",
                    "sp": "/a",
                    "dst": "n1",
                    "dp": "/b",
                    "chown": "-R",
                }
            ],
        },
        "data[0].chown",
    ),
    ("post", "/nodelist/1", {"name": "web`id`", "inip": "10.0.0.1"}, "name"),
    ("post", "/nodelist/1", {"name": "web2", "inip": "10.0.0.1;id"}, "inip"),
    ("post", "/userlist/1", {"username": "root;id", "password": "x"}, "username"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    CONTENT_CASES,
    ids=[f"{c[1]} {c[3]}={str(c[2].get(c[3]))[:20]}" for c in CONTENT_CASES],
)
def test_bad_content_is_refused_naming_the_field(
    quiet: Quiet, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    refused(send(quiet.http, method, path, json=body), 400, field)
    quiet.unchanged()


CMD = '"name": "c", "node_cont": "n1", "scripts_cont": "true"'
DEEP = "[" * 1000 + "]" * 1000
# (method, path, the raw JSON body, the field the refusal names): what Python's json takes but
# nothing after it can (too deep, lone surrogates), and bytes that are not UTF-8.
RAW_CASES: list[tuple[str, str, bytes, str]] = [
    ("post", "/task/1/plugin_cmd", f'{{{CMD}, "variable": {{"a": {DEEP}}}}}'.encode(), "variable"),
    ("post", "/jobs/1", f'{{"name": "j", "data": {DEEP}}}'.encode(), "data"),
    ("post", "/crontab/1", ("[" * 100_000 + "]" * 100_000).encode(), "body"),
    (
        "post",
        "/task/1/plugin_cmd",
        b'{"name": "\\ud800", "node_cont": "n1", "scripts_cont": "t"}',
        "name",
    ),
    (
        "post",
        "/task/1/plugin_cmd",
        f'{{{CMD}, "variable": {{"\\udfff": "1"}}}}'.encode(),
        "variable",
    ),
    ("post", "/nodelist/1", b'{"name": "n9", "inip": "10.0.0.9", "\\ud800": 1}', "body"),
    ("post", "/scripts/1", b'{"name": "s", "type": "shell", "cont": "\xed\xa0\x80"}', "body"),
    ("post", "/variable/1", b'{"jobuuid": "J1", "name": "v", "value": "\xff"}', "body"),
]
# (list path, time filter): an end one day past 9999-12-31 is past what the master can hold.
DATE_CASES = [
    ("/task/1", "time_end"),
    ("/task/1", "time_start"),
    ("/jobs/1", "create_time_end"),
    ("/crontab/1", "edit_time_end"),
    ("/nodelist/1", "create_time_start"),
]


def test_undecodable_or_too_deep_json_and_far_dates_are_refused_naming_the_field(
    quiet: Quiet,
) -> None:
    """One master for all the cases (each is a request that must change nothing)."""
    as_json = {"content-type": "application/json"}
    for method, path, body, field in RAW_CASES:
        info = refused(send(quiet.http, method, path, content=body, headers=as_json), 400)
        assert info.startswith(f"check format fail: {field}: "), (path, body[-24:], info)
    for path, field in DATE_CASES:
        for value in ("9999-12-31 23:59:59", "9999-12-31"):
            info = refused(quiet.http.get(path, params={field: value}), 400, field)
            assert info.startswith(f"check format fail: {field}: must be in the years"), info
    quiet.unchanged()


def test_a_copys_chown_and_chmod_are_checked_by_the_master_too(quiet: Quiet) -> None:
    """gRPC clients do not pass the gateway: the master refuses what the slave would not take."""

    def scp(chown: str = "", chmod: str = "") -> common_pb2.ScpStep:
        builtin = common_pb2.NODE_SELECTOR_TYPE_BUILTIN
        return common_pb2.ScpStep(
            src=common_pb2.NodeSelector(type=builtin, content="n1"),
            src_path="/etc/hosts",
            dst=common_pb2.NodeSelector(type=builtin, content="n1"),
            dst_path="/tmp/x",
            chown=chown,
            chmod=chmod,
        )

    with quiet.master.channel() as channel:
        tasks = task_pb2_grpc.TaskServiceStub(channel)
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        for fields, field in [({"chown": "-R"}, "chown"), ({"chmod": "777 /etc"}, "chmod")]:
            copy = task_pb2.SubmitCopyRequest(project_id=1, name="c", scp=scp(**fields))
            job = catalog_pb2.CreateJobRequest(
                project_id=1, name="j", steps=[common_pb2.Step(name="s", scp=scp(**fields))]
            )
            for call, request, named in [
                (tasks.SubmitCopy, copy, f"scp.{field}"),
                (catalog.CreateJob, job, f"steps[0].{field}"),
            ]:
                with pytest.raises(grpc.RpcError) as refusal:
                    call(request, timeout=10)
                assert refusal.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                assert (FIELD_KEY, named) in (refusal.value.trailing_metadata() or ())
    quiet.unchanged()


@pytest.mark.parametrize("name", ["../escape.txt", "a/b.txt", "..", ".hidden\x00.txt", " "])
def test_an_upload_that_names_a_path_is_refused(quiet: Quiet, name: str) -> None:
    resp = quiet.http.post("/fileserver/1", files={"file": (name, b"data")})
    refused(resp, 400, "name", "file")
    quiet.unchanged()


def test_display_names_are_data_and_come_back_verbatim(quiet: Quiet) -> None:
    """Names of jobs, scripts and tasks never reach a shell: any printable text is kept as is."""
    name = "nightly; rm -rf / && echo $(id) `uname` | tee >x"
    resp = quiet.http.post("/scripts/1", json={"name": name, "type": "shell", "cont": "true"})
    assert resp.status_code == 200, resp.text
    rows = quiet.http.get("/scripts/1", params={"name": "nightly"}).json()["data"]
    assert [row["name"] for row in rows] == [name]


# (method, path, query, true status, the field the refusal names): routes whose input is the
# query or the path (OpenC3's pages send these so), refused for what it says.
QUERY_CASES: list[tuple[str, str, dict[str, str], int, str]] = [
    ("get", "/jobs/1/byname", {}, 400, "name"),
    ("get", "/sendfile/list/1", {"sudo": "root", "path": "n1/tmp/../etc"}, 400, "path"),
    ("post", "/sendfile/unlink/1", {"sudo": "root", "path": "n1/tmp/./x"}, 400, "path"),
    ("post", "/sendfile/unlink/1", {"sudo": "root", "path": "n1/tmp/${HOME}"}, 400, "path"),
    ("post", "/sendfile/unlink/1", {"sudo": "root", "path": "n1"}, 400, "path"),
    ("post", "/sendfile/unlink/1", {"sudo": "root$(id)", "path": "n1/tmp/x"}, 400, "sudo"),
    ("get", "/sendfile/list/1", {"sudo": "root", "path": "ghost/tmp"}, 400, "path"),
    ("get", "/sendfile/list/1", {"sudo": "root", "path": "n1;id/tmp"}, 400, "path"),
    ("get", "/fileserver/1/download", {}, 400, "name"),
    ("get", "/fileserver/1/download", {"name": "nosuch.txt"}, 404, "name"),
    ("get", "/download/1/1.9999999999.abc", {}, 404, "key"),
    ("post", "/uploadv2/fileserver/1/upload", {"checkmd5": "not-an-md5"}, 400, "checkmd5"),
    ("get", "/variable/1/J1/token", {"name": "a;b"}, 400, "name"),
    ("delete", "/variable/byid/1", {"name": "a;b"}, 400, "name"),
    ("delete", "/variable/byid/x", {"name": "v"}, 400, "jobid"),
]


def test_bad_queries_and_paths_are_refused_naming_the_field(quiet: Quiet) -> None:
    """One master for all the cases (each is a request that must change nothing)."""
    for method, path, query, status, field in QUERY_CASES:
        resp = send(quiet.http, method, path, params=query)
        assert field in rest.refusal(resp, status, field), (method, path, query)
    quiet.unchanged()
