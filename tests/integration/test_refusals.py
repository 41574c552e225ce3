"""Every route, every kind of bad input: a refusal in the OpenC3 envelope naming the problem
(HTTP 200, `stat: false`, the 4xx it stands for in `X-Jobfleet-Status`, at the root and under
`/api/job` alike), and not one row of the database nor one file of the store changed.

The cases are made from the gateway's own OpenAPI document, so a new route gets them without a
line here: each required field left out, each field of the wrong type, a body over the cap, an
unknown project, an unknown id. The content cases (invalid cron, path traversal, shell
metacharacters in names) are listed by hand.
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

from gateway.app import DOCUMENTS, openapi_document
from gateway.openc3 import PREFIX
from jobfleet.v1 import catalog_pb2, catalog_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration import rest, snapshot
from tests.integration.conftest import Gateway, Master
from tests.integration.rest import refusal
from tests.integration.seeds import seed_catalogue

DOCUMENT = openapi_document()
METHODS = {"get", "put", "post", "delete", "patch"}
OVERSIZED = 1024 * 1024 + 1  # the gateway's default body cap is 1 MiB
FIELD_KEY = "jobfleet-field"  # the master's trailing metadata naming the refused field

# A format-valid value for each path parameter; an unknown one for the unknown-id cases.
KNOWN = {"slave": "s1"}
VALID_ID, VALID_UUID = "1", "Tnosuchtask1"
UNKNOWN_ID, UNKNOWN_UUID = "987654321", "Nosuchthing1"
TOKEN_PARAMS = {"uuid", "jobuuid", "taskuuid", "subtaskuuid"}
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
    """Path parameter -> a value naming a row that exists (a task, its first subtask)."""

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
        yield Quiet(master, http, snapshot.take(db_url(master), master.data_dir), known)


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, spec in item.items():
            if method in METHODS:  # not the path's `servers`
                yield path, method, spec


def label(path: str, method: str) -> str:
    return f"{method.upper()} {path}"


def fill(path: str, **values: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        return KNOWN.get(name) or (VALID_UUID if name in TOKEN_PARAMS else VALID_ID)

    return re.sub(r"\{(\w+)\}", value, path)


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
    """The answer is OpenC3's refusal (HTTP 200, its pages read nothing else) standing for
    `status` (the header), naming one of `names` when given."""
    assert resp.status_code == 200, resp.text
    return refusal(resp, status, *names)


IN_200 = {str(getattr(r, "path", "")) for d in DOCUMENTS if d.refusals_in_200 for r in d.routes}
"""Path templates whose refusals are HTTP 200 (OpenC3's); the other documents' keep their true
status."""
PREFIXED = {str(getattr(r, "path", "")): d.prefix for d in DOCUMENTS for r in d.routes}


def refused_on(path: str, resp: httpx.Response, status: int | tuple[int, ...], *names: str) -> str:
    """The refusal of the route `path` in its document's way: OpenC3's (`refused`), or the true
    status, also in `X-Jobfleet-Status`, with a field of `names` named in the body."""
    if path in IN_200:
        return refused(resp, status, *names)
    statuses = (status,) if isinstance(status, int) else status
    assert resp.status_code in statuses and rest.true_status(resp) == resp.status_code, resp.text
    assert not names or any(name in resp.text for name in names), (names, resp.text)
    return resp.text


def send(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return http.request(method.upper(), path, **kwargs)


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
    for field in schema.get("required", []):
        body = {k: v for k, v in example.items() if k != field}
        refused_on(path, send(quiet.http, method, url, json=body), (400, 403), field)
    for field, field_schema in schema["properties"].items():
        kind = field_schema.get("type")
        if not isinstance(kind, str) or kind not in WRONG:
            # one of several shapes (a name list, or a group's id): an object is none of them
            kind = "string" if "anyOf" in field_schema else None
        if kind is None:
            continue
        body = {**copy.deepcopy(example), field: WRONG[kind]}
        refused_on(path, send(quiet.http, method, url, json=body), 400, field)
    padded = {**example, "padding": "x" * OVERSIZED}
    refused_on(path, send(quiet.http, method, url, json=padded), 413)
    as_json = {"content-type": "application/json"}
    garbled = send(quiet.http, method, url, content=b"{not json", headers=as_json)
    refused_on(path, garbled, 400, "body")
    refused_on(path, send(quiet.http, method, url, json=[example]), 400, "body")
    if PREFIXED.get(path):
        prefixed = PREFIX + url  # as OpenC3's pages call it
        garbled = send(quiet.http, method, prefixed, content=b"{not json", headers=as_json)
        refused_on(path, garbled, 400, "body")
        for field in schema.get("required", [])[:1]:
            body = {k: v for k, v in example.items() if k != field}
            refused_on(path, send(quiet.http, method, prefixed, json=body), (400, 403), field)
    quiet.unchanged()


PROJECT_OPS = [(p, m, s) for p, m, s in operations() if "{projectid}" in p]
IDEMPOTENT = {("delete", "/jobs/{projectid}/{name}/byname")}
"""Deletes by name answering `data: 0` for a name no row has (OpenC3's flow pages delete a
flow's job whether it has one or not)."""


@pytest.mark.parametrize(
    ("path", "method", "spec"), PROJECT_OPS, ids=[label(p, m) for p, m, _ in PROJECT_OPS]
)
def test_an_unknown_project_or_id_is_not_found(
    quiet: Quiet, path: str, method: str, spec: dict[str, Any]
) -> None:
    body = json_body(spec)
    example = with_known(body[1], quiet.known) if body else None
    upload = "multipart/form-data" in spec.get("requestBody", {}).get("content", {})
    files = {"file": ("notes.txt", b"hello")} if upload else None
    needed = [p["name"] for p in spec["parameters"] if p["in"] == "query" and p["required"]]
    query = {name: "n1" for name in needed}  # so far, only node lists are required
    polled = method == "get" and path == "/task/{projectid}/{uuid}"
    if not polled:  # an unknown task answers status `norun`, as OpenC3 clients poll for
        where = fill(path, projectid=UNKNOWN_ID)
        resp = send(quiet.http, method, where, json=example, files=files, params=query)
        refused(resp, 404, "projectid", UNKNOWN_ID)
    for name in re.findall(r"\{(\w+)\}", path):
        if name == "projectid" or polled:
            continue
        unknown = UNKNOWN_UUID if name in TOKEN_PARAMS else UNKNOWN_ID
        where = fill(path, **{**quiet.known, name: unknown})
        resp = send(quiet.http, method, where, json=example, files=files, params=query)
        if (method, path) in IDEMPOTENT:
            assert resp.json() == {"stat": True, "data": 0}, resp.text
            continue
        refused(resp, 404, name, unknown)
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
