"""The published OpenAPI document, and a property-based fuzzer run against a real gateway.

schemathesis turns `/openapi.json` into hypothesis strategies: schema-valid requests (positive)
and schema-violating ones (negative) for every operation of every document. Every answer must
be JSON, its true status in `X-Jobfleet-Status` and its HTTP status that one (or 200 for a
refusal on a document answering refusals 200), never a 5xx; a refusal is its document's failure
envelope and names the field it is about, and it changes nothing the master keeps (a refused
launch starts nothing); and in positive mode, the gateway's format checks must never refuse a
value the document calls valid (the document would be lying). How an answer reads, per
document: `tests.integration.documents`. Bounded: `JOBFLEET_FUZZ_EXAMPLES` examples per
operation and mode (default 25), derandomized unless `JOBFLEET_FUZZ_SEED` is set, so a failure
replays.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi import checks as openapi_checks
from starlette.routing import Route

from gateway import forms
from gateway.document import Answers, Document
from tests.integration import documents, snapshot
from tests.integration.conftest import Gateway, Master
from tests.integration.seeds import seed_catalogue

EXAMPLES = int(os.environ.get("JOBFLEET_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("JOBFLEET_FUZZ_SEED")
REQUEST_TIMEOUT = 15.0


def described(exc: BaseException) -> str:
    """The failure and, for a group (Hypothesis' flaky failure among them), what is inside it:
    a failure seen only once must still say what it was."""
    if not isinstance(exc, BaseExceptionGroup):
        return f"{type(exc).__name__}: {exc}"
    inner = "; ".join(described(e) for e in exc.exceptions)
    return f"{exc} [{inner}]"


FuzzCase = schemathesis.Case[APIOperation[Any, Any, Any, Any]]
"""A request generated for one operation of the document."""

# What the gateway's own format checks say (gateway.forms): one of these on a schema-valid
# request means the document and the code disagree.
FORMAT_REFUSALS = re.compile(
    r"must be a string|must be an integer|must be between|must be at most \d+ characters|"
    r"unsupported value|must be 1-64 letters|must be an object|must be a boolean|"
    r"must not be blank|is required"
)
# A refusal's text naming its field, in any document: `<field>: why` (OpenC3's `info` may open
# with `check format fail: `), unless the field is a key of the body (`names_a_field`). Only a
# busy master (429) and a failing one (5xx) have no field to name.
NAMES_A_FIELD = re.compile(r"^(check format fail: )?[A-Za-z_](?:[\w.-]|\[\d+\]|\['[^'\n]*'\])*: \S")
"""`<field>: why`, the field a path as the master names them: `steps[1].cmd.script`,
`variables['name']` (a map's entry)."""
FIELDLESS = {429, 500, 502, 503, 504}
# What only a request changes: the engine, the cron scheduler (its fires, a crontab's `through`)
# and the blob sweep change the rest on their own, so a refused request is held to these.
LASTING = {
    **{
        table: f'SELECT * FROM "{table}"'
        for table in ("project", "job", "script", "node", "node_group", "account")
    },
    **{
        table: f'SELECT * FROM "{table}"'
        for table in ("variable", "stored_file", "token", "task_note")
    },
    "crontab": 'SELECT id, name, revision FROM "crontab"',
    "task": "SELECT project_id, uuid FROM task WHERE call_type <> 'crontab'",
}


@dataclass
class Fuzzed:
    master: Master
    gateway: Gateway
    schema: schemathesis.BaseSchema
    session: requests.Session

    def lasting(self) -> dict[str, list[str]]:
        """The rows only a request changes (`LASTING`)."""
        db_url = self.master.args[self.master.args.index("--db") + 1]
        return snapshot.selected(db_url, LASTING)


@pytest.fixture
def fuzzed(
    start_master: Callable[..., Master], start_gateway: Callable[..., Gateway]
) -> Iterator[Fuzzed]:
    """A master and a gateway (no slave: nothing fuzzed ever runs), with a little catalogue."""
    master = start_master()
    gateway = start_gateway(master)
    with gateway.client() as http:
        seed_catalogue(http)
    schema = schemathesis.openapi.from_url(f"{gateway.url}/openapi.json")
    with requests.Session() as session:
        session.headers["Authorization"] = f"Token {master.token}"
        yield Fuzzed(master, gateway, schema, session)


def test_the_document_describes_every_route(fuzzed: Fuzzed) -> None:
    from gateway.app import ROUTES
    from gateway.openc3 import PREFIX

    paths = fuzzed.schema.raw_schema["paths"]
    # a WebSocketRoute has no methods; /api/job's copies are not in the schema
    routes = [r for r in ROUTES if isinstance(r, Route) and r.include_in_schema]
    served = {(r.path, m.lower()) for r in routes for m in (r.methods or ()) if m != "HEAD"}
    described = {(p, m) for p, item in paths.items() for m in item if m != "servers"}
    assert served == described
    assert paths["/task/{projectid}"]["servers"] == [{"url": "/"}, {"url": PREFIX}]
    plugin_cmd = paths["/task/{projectid}/plugin_cmd"]["post"]
    body = plugin_cmd["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["timeout"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 86400,
        "description": "seconds, default 60",
    }
    assert set(body["required"]) == {"name", "node_cont", "scripts_cont"}


def true_status(response: Any) -> int:
    """The status an answer stands for: every answer says it in the header."""
    return documents.status_header(response.headers)


def document_of(response: Any) -> Document | None:
    """The document whose route answered (None: the gateway's own, or no route matched)."""
    request = response.request
    return documents.document_of(str(request.method), unquote(urlsplit(str(request.url)).path))


def check_answer(ctx: Any, response: Any, case: FuzzCase) -> bool:
    """Every answer's HTTP status is its true status (in the header), or 200 for a refusal of a
    document that answers refusals 200; a refusal is its document's failure envelope, naming
    the field it is about; where refusals are 200, a success is no failure envelope."""
    status = true_status(response)
    document = document_of(response)
    assert response.status_code == documents.http_status(document, status), (
        response.status_code,
        status,
    )
    answers = documents.answers_of(document)
    if status >= 400:
        payload = response.json()
        assert documents.is_failure(answers, status, payload), f"not a refusal: {payload}"
        assert status in FIELDLESS or names_a_field(answers, status, payload), (
            f"names no field: {payload!r}"
        )
    elif document is not None and document.refusals_in_200 and "json" in content_type(response):
        assert not documents.is_failure(answers, 400, response.json()), response.text
    return True


def content_type(response: Any) -> str:
    values = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
    return str(values[0] if isinstance(values, list) else values)


def names_a_field(answers: Answers, status: int, payload: Any) -> bool:
    """One of the refusal's strings says `<field>: why`, or it has a key of its own beyond its
    envelope's (DRF's `{"<field>": ["why"]}`)."""
    if any(NAMES_A_FIELD.match(text) for text in documents.texts(payload)):
        return True
    envelope = set(documents.failure_schema(answers, status).get("properties", {}))
    return isinstance(payload, dict) and bool(set(payload) - envelope)


def check_document_is_honest(ctx: Any, response: Any, case: FuzzCase) -> bool:
    """A schema-valid request is never refused by a format check the document does not state."""
    if true_status(response) == 400:
        for text in documents.texts(response.json()):
            assert not FORMAT_REFUSALS.search(text), f"schema-valid input refused: {text}"
    return True


def explain(exc: BaseException) -> str:
    """A failure with each of its parts (a schemathesis FailureGroup says only how many)."""
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join(explain(part) for part in exc.exceptions)
    return str(exc)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    check_answer,
]


# Routes that run a task on a machine and answer its outcome (OpenC3's `/sendfile/`: list or
# unlink a machine's files): a run that failed (no slave reaches the machine) is no refused
# request, and its task stays in the history as any run's. Every other route, launches included,
# must change nothing when it refuses.
RUNS_WORK = ("/sendfile/",)


@pytest.mark.timeout(400)  # ~3,000 requests: about a minute quiet, four and more under load
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_finds_no_server_error_and_every_refusal_is_enveloped(
    fuzzed: Fuzzed, mode: GenerationMode
) -> None:
    failures: list[str] = []
    calls = 0
    started = time.monotonic()
    checks = [*CHECKS, check_document_is_honest] if mode is GenerationMode.POSITIVE else CHECKS
    for result in fuzzed.schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document is valid
        operation = result.ok()
        # Positive cases stay in the seeded project, so they reach the master's own checks.
        params = {forms.PROJECT_PARAM: 1} if mode is GenerationMode.POSITIVE else None
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=params)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=SEED is None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def exercise(case: FuzzCase) -> None:
            nonlocal calls
            calls += 1
            before = fuzzed.lasting()
            response = case.call(
                base_url=fuzzed.gateway.url, session=fuzzed.session, timeout=REQUEST_TIMEOUT
            )
            case.validate_response(response, checks=checks)
            if true_status(response) >= 400 and not operation.path.startswith(RUNS_WORK):
                assert fuzzed.lasting() == before, f"refused, yet changed: {response.text}"

        try:
            exercise()
        except Unsatisfiable:  # nothing to break: no parameters, no body
            assert mode is GenerationMode.NEGATIVE and not operation.body
        except (Exception, BaseExceptionGroup) as exc:  # one per operation, all reported
            failures.append(f"{operation.label}: {described(exc)}")
    elapsed = time.monotonic() - started
    print(f"{mode.value}: {calls} requests in {elapsed:.1f} s")
    assert fuzzed.master.proc.popen.poll() is None, "the master exited"
    assert fuzzed.gateway.proc.popen.poll() is None, "the gateway exited"
    assert not failures, "\n\n".join(failures)
    for proc in (fuzzed.master.proc, fuzzed.gateway.proc):
        assert fuzzed.master.token not in proc.log.read_text(errors="replace"), proc.name
