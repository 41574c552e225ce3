"""The credentials step: the master is asked about the token (a header's, or the session
cookie's), with the path's project, before the handler reads one byte of the body; its no is
answered in the envelope (OpenC3's: HTTP 200, the true status in a header, `code: 10000` when
unauthenticated); a yes is kept a few seconds, a no never."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from grpc.aio import AioRpcError, Metadata
from starlette.datastructures import Headers
from starlette.types import Message, Scope

from gateway.app import create_app
from gateway.auth import Credentials, Presented, missing, presented, project_of
from gateway.callers import CALLER, AskMaster, Caller, CallerCache
from gateway.config import GatewayConfig
from gateway.openc3 import names
from gateway.statusheader import STATUS_HEADER
from tests.unit.gateway.test_app import closed_port

TOKEN = "t" * 32
PROJECT_TOKEN = Caller(admin=False, project_id=7, token_id=3)


@dataclass
class Verifier:
    """Records what it is asked; answers `caller`, or raises `refusal`."""

    refusal: AioRpcError | None = None
    asked: list[tuple[str, int | None]] = field(default_factory=list)

    async def __call__(self, scope: Scope, token: str, project_id: int | None) -> Caller:
        self.asked.append((token, project_id))
        if self.refusal is not None:
            raise self.refusal
        return PROJECT_TOKEN


def refusal(code: grpc.StatusCode, details: str, field_name: str = "") -> AioRpcError:
    trailing = Metadata(("jobfleet-field", field_name)) if field_name else Metadata()
    return AioRpcError(code, Metadata(), trailing, details)


@dataclass
class Answer:
    http_status: int
    status: int
    """The status the answer stands for (its `X-Jobfleet-Status` header)."""
    body: dict[str, Any]
    body_reads: int
    """How many times the app asked for the request body."""


def call(
    verify: Any,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    cookie: str = "sid",
) -> Answer:
    """One request straight to the ASGI app (through its lifespan), counting body reads."""
    config = GatewayConfig(
        master=f"127.0.0.1:{closed_port()}", rpc_timeout=2, session_cookie=cookie
    )
    app = create_app(config, verify)
    reads = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> None:
        async with app.router.lifespan_context(app) as state:
            scope = {
                "type": "http",
                "method": method,
                "path": path,
                "raw_path": path.encode(),
                "query_string": b"",
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
                "state": dict(state or {}),
            }
            await app(scope, receive, send)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    status = int(Headers(raw=start["headers"])[STATUS_HEADER])
    return Answer(start["status"], status, json.loads(content), reads)


AS_JSON = {"content-type": "application/json", "authorization": f"Token {TOKEN}"}


def test_a_refused_token_is_401_before_the_body_is_read() -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))

    answer = call(verify, "POST", "/task/7/plugin_cmd", AS_JSON, b"{not json")

    assert (answer.http_status, answer.status, answer.body_reads) == (200, 401, 0)
    assert answer.body == {"stat": False, "code": 10000, "info": "Authorization: unknown token"}
    assert verify.asked == [(TOKEN, 7)]


def test_another_projects_token_is_403_naming_projectid_before_the_body_is_read() -> None:
    denied = refusal(
        grpc.StatusCode.PERMISSION_DENIED, "this token is for project 1, not 7", "project_id"
    )

    answer = call(Verifier(denied), "POST", "/task/7/plugin_cmd", AS_JSON, b"[" * 10_000)

    assert (answer.http_status, answer.status, answer.body_reads) == (200, 403, 0)
    assert answer.body == {"stat": False, "info": "projectid: this token is for project 1, not 7"}


def test_a_master_that_cannot_be_asked_is_503_before_the_body_is_read() -> None:
    answer = call(AskMaster(), "POST", "/task/7/plugin_cmd", AS_JSON, b"{not json")

    assert (answer.http_status, answer.status, answer.body_reads) == (200, 503, 0)
    assert answer.body["info"].startswith("master unavailable: ")
    assert TOKEN not in json.dumps(answer.body)


def test_once_the_token_is_good_the_handler_reads_and_checks_the_body() -> None:
    verify = Verifier()

    answer = call(verify, "POST", "/task/7/plugin_cmd", AS_JSON, b"{not json")

    assert (answer.http_status, answer.status, answer.body_reads) == (200, 400, 1)
    assert answer.body["info"].startswith("check format fail: body: ")


@pytest.mark.parametrize(
    ("path", "project"),
    [
        ("/task/7", 7),
        ("/task/0", 0),  # the shared project, named like any other
        ("/api/job/task/7", 7),
        ("/task/abc", None),  # the handler's 400 names it, once the token is known
        ("/task/00", None),
        ("/task/99999999999999999999", None),
        ("/slave/s1/tasklog/T1", None),
        ("/api/job/slave/s1/tasklog/T1", None),
    ],
)
def test_the_master_is_asked_about_the_paths_project(path: str, project: int | None) -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))

    call(verify, "GET", path, AS_JSON, b"")

    assert verify.asked == [(TOKEN, project)]


@pytest.mark.parametrize("path", ["/fileserver/4/upload", "/api/job/fileserver/4/upload"])
def test_the_token_upload_asks_about_its_token_header(path: str) -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))

    answer = call(verify, "POST", path, {"token": TOKEN}, b"")

    assert (answer.status, answer.body["info"]) == (401, "token: unknown token")
    assert verify.asked == [(TOKEN, 4)]


def test_open_routes_unknown_paths_and_missing_tokens_ask_nothing() -> None:
    verify = Verifier()

    assert call(verify, "GET", "/openapi.json", {}, b"").status == 200
    assert call(verify, "GET", "/nowhere", AS_JSON, b"").http_status == 404
    assert call(verify, "DELETE", "/api/job/task/1", AS_JSON, b"").http_status == 405
    missing = call(verify, "POST", "/api/job/task/1/plugin_cmd", {}, b"{")

    assert (missing.http_status, missing.status, missing.body["code"]) == (200, 401, 10000)
    assert missing.body["info"].startswith("token: credentials required: ")
    assert "`sid` cookie" in missing.body["info"]
    assert verify.asked == []


def test_project_of_takes_zero_or_a_positive_int64_without_leading_zeros() -> None:
    assert project_of({"projectid": "12"}) == 12
    assert project_of({"projectid": "0"}) == 0
    assert project_of({"projectid": str(2**63 - 1)}) == 2**63 - 1
    for bad in ("00", "-1", "012", "1e3", "١", str(2**63), ""):
        assert project_of({"projectid": bad}) is None, bad
    assert project_of({}) is None


# --- the browser session cookie: a token, taken after the headers


def headers(**pairs: str) -> Headers:
    return Headers(pairs)


def test_credentials_are_taken_headers_first_then_the_cookie() -> None:
    cookie = f"theme=dark; sid={TOKEN}"

    assert presented(headers(authorization="Token a", appkey="b", cookie=cookie), True) == (
        Presented("a", "Authorization")
    )
    assert presented(headers(appkey="b", token="c", cookie=cookie), True) == Presented(
        "b", "appkey"
    )
    assert presented(headers(token="c", cookie=cookie), True) == Presented("c", "token")
    assert presented(headers(token="c", cookie=cookie), False) == Presented(
        TOKEN, "sid", cookie=True
    )
    assert presented(headers(cookie=f"c3={TOKEN}"), False, cookie="c3") == Presented(
        TOKEN, "c3", cookie=True
    )
    assert presented(headers(cookie="sid=; other=x"), False) is None
    assert presented(headers(authorization="Basic eDp5"), False) is None


def test_a_page_sending_only_its_cookie_is_asked_about_like_a_header() -> None:
    verify = Verifier()
    page = {"cookie": f"sid={TOKEN}", "content-type": "application/json"}

    answer = call(verify, "POST", "/api/job/task/7/plugin_cmd", page, b"{not json")

    assert (answer.status, answer.body_reads) == (400, 1)  # past the credentials
    assert verify.asked == [(TOKEN, 7)]


def test_a_wrong_cookie_is_the_unauthenticated_answer_naming_the_cookie() -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))
    page = {"cookie": "c3sid=not-a-token"}

    answer = call(verify, "GET", "/api/job/jobs/7", page, b"", cookie="c3sid")

    assert (answer.http_status, answer.status) == (200, 401)
    assert answer.body == {"stat": False, "code": 10000, "info": "c3sid: unknown token"}


@pytest.mark.parametrize(
    "sent",
    [{"cookie": 'sid="caf\\303\\251"'}, {"authorization": "Token a\x01b"}, {"appkey": "a\tb"}],
)
def test_a_token_grpc_could_not_carry_is_unknown_without_asking(sent: dict[str, str]) -> None:
    verify = Verifier()

    answer = call(verify, "GET", "/task/7", sent, b"")

    assert (answer.http_status, answer.status, answer.body["code"]) == (200, 401, 10000)
    assert answer.body["info"].endswith(": unknown token") and verify.asked == []


@pytest.mark.parametrize(
    ("method", "path", "site", "credentials", "status"),
    [
        ("POST", "/task/7/redo", "cross-site", {"cookie": f"sid={TOKEN}"}, 403),  # a form
        ("DELETE", "/jobs/7/J1", "cross-site", {"cookie": f"sid={TOKEN}"}, 403),
        ("POST", "/task/7/redo", "same-origin", {"cookie": f"sid={TOKEN}"}, 400),  # the page
        ("POST", "/task/7/redo", "", {"cookie": f"sid={TOKEN}"}, 400),  # a script
        ("GET", "/task/7", "cross-site", {"cookie": f"sid={TOKEN}"}, 503),  # it cannot read
        ("POST", "/task/7/redo", "cross-site", {"authorization": f"Token {TOKEN}"}, 400),
    ],
)
def test_a_request_of_another_site_may_not_act_with_the_cookie(
    method: str, path: str, site: str, credentials: dict[str, str], status: int
) -> None:
    verify = Verifier()
    sent = {**credentials, "content-type": "application/json"}
    if site:
        sent["sec-fetch-site"] = site

    answer = call(verify, method, path, sent, b"{}")

    assert (answer.http_status, answer.status) == (200, status), answer.body
    if status == 403:
        assert answer.body["info"].startswith("sid: a request from another site")
        assert (verify.asked, answer.body_reads) == ([], 0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_the_cache_keeps_a_yes_for_its_seconds_per_token_and_project(clock: Clock) -> None:
    cache = CallerCache(seconds=5, clock=clock)
    cache.put(TOKEN, 7, PROJECT_TOKEN)

    clock.now += 4.9
    assert cache.get(TOKEN, 7) == PROJECT_TOKEN
    assert cache.get(TOKEN, 8) is None
    assert cache.get("other", 7) is None
    clock.now += 0.2
    assert cache.get(TOKEN, 7) is None


def test_the_cache_is_bounded_and_holds_no_token(clock: Clock) -> None:
    cache = CallerCache(seconds=5, entries=3, clock=clock)
    for n in range(5):
        cache.put(f"token{n}", 1, PROJECT_TOKEN)

    assert [cache.get(f"token{n}", 1) is not None for n in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert "token4" not in repr(vars(cache))


def test_ask_master_answers_from_the_cache_without_a_call(clock: Clock) -> None:
    cache = CallerCache(clock=clock)
    cache.put(TOKEN, 7, PROJECT_TOKEN)

    got = asyncio.run(AskMaster(cache)({"state": {}}, TOKEN, 7))  # no master in the state

    assert got == PROJECT_TOKEN


def test_the_handler_sees_the_caller() -> None:
    seen: list[Caller | None] = []

    async def handler(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(CALLER.get())

    app = create_app(GatewayConfig(master="127.0.0.1:1"))
    middleware = Credentials(handler, app.routes, [], [], names.dialect, Verifier())
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/task/7",
        "headers": [(b"authorization", f"Token {TOKEN}".encode())],
    }
    asyncio.run(middleware(scope, receive_nothing, send_nothing))

    assert seen == [PROJECT_TOKEN]
    assert CALLER.get() is None


async def receive_nothing() -> Message:
    raise AssertionError("the body was read")


async def send_nothing(message: Message) -> None:
    pass


# --- bk-job's X-Bkapi-Authorization: a JSON object whose bk_app_secret is the token


def bkapi(value: str) -> Headers:
    return Headers({"x-bkapi-authorization": value})


def test_bk_jobs_header_presents_its_app_secret_after_authorization_before_appkey() -> None:
    both = json.dumps({"bk_app_code": "ops", "bk_app_secret": TOKEN})

    assert presented(bkapi(both), False) == Presented(TOKEN, "X-Bkapi-Authorization")
    assert presented(bkapi(json.dumps({"bk_app_secret": " s "})), False) == Presented(
        "s", "X-Bkapi-Authorization"
    )
    with_others = Headers({"authorization": "Token a", "x-bkapi-authorization": both})
    assert presented(with_others, False) == Presented("a", "Authorization")
    over_appkey = Headers({"appkey": "b", "x-bkapi-authorization": both})
    assert presented(over_appkey, False) == Presented(TOKEN, "X-Bkapi-Authorization")


@pytest.mark.parametrize(
    "value",
    ["{not json", "[]", '"s"', "{}", '{"bk_app_code": "ops"}', '{"bk_app_secret": 7}'],
)
def test_a_malformed_bk_job_header_is_401_naming_it_and_asks_nothing(value: str) -> None:
    verify = Verifier()

    answer = call(verify, "POST", "/task/7/plugin_cmd", {"x-bkapi-authorization": value}, b"{")

    assert (answer.http_status, answer.status, answer.body_reads) == (200, 401, 0)
    assert answer.body["info"].startswith("X-Bkapi-Authorization: must be a JSON object")
    assert verify.asked == []


def test_a_bk_job_header_is_asked_about_like_any_token() -> None:
    verify = Verifier(refusal(grpc.StatusCode.UNAUTHENTICATED, "unknown token"))
    header = {"x-bkapi-authorization": json.dumps({"bk_app_code": "a", "bk_app_secret": TOKEN})}

    answer = call(verify, "GET", "/jobs/7", header, b"")

    assert (answer.status, answer.body["info"]) == (401, "X-Bkapi-Authorization: unknown token")
    assert verify.asked == [(TOKEN, 7)]

# --- cloud-act2's clients: `Authorization: Basic`, its password the token, on its routes only


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_credentials_are_taken_where_a_document_takes_them() -> None:
    assert presented(headers(authorization=basic("act2", TOKEN)), False, basic=True) == (
        Presented(TOKEN, "Authorization")
    )
    assert presented(headers(authorization=basic("act2", TOKEN)), False) is None
    for bad in ("Basic !!!", "Basic " + base64.b64encode(b"no password").decode(), basic("u", " ")):
        assert presented(headers(authorization=bad), False, basic=True) is None, bad


def test_cloud_act2s_routes_take_basic_credentials_and_openc3s_do_not() -> None:
    verify = Verifier()
    sent = {"authorization": basic("act2", TOKEN)}

    record = call(verify, "GET", "/api/v1/job/record/page", sent, b"")
    task = call(verify, "GET", "/task/1", sent, b"")

    assert verify.asked == [(TOKEN, None)]  # the record page went on (to an absent master)
    assert record.status == 503 and record.body["status"] == "error"
    assert (task.status, task.body["info"]) == (401, f"token: {missing('sid')}")
