"""The terminal page and its socket without a master (its port is closed: any call would be
refused 503): bad queries are refused naming their key before the master is asked; the page
holds no inline script, escapes what it embeds and forbids inline scripts; the vendored files
are the ones SOURCE names; the socket refuses a URL token, another site's page, and a caller
with neither ticket nor credentials."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.openc3.terminal import bridge, page
from jobfleet.v1 import terminal_pb2
from tests.integration.rest import STATUS_HEADER
from tests.unit.gateway.test_app import closed_port
from tests.unit.gateway.test_auth import Verifier

AUTH = {"Authorization": "Token " + "t" * 32}


def client(verify: Verifier | None = None) -> TestClient:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", rpc_timeout=2)
    return TestClient(create_app(config, verify or Verifier()))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "node"),
        ("?node=a;reboot", "node"),
        ("?node=a,b&bash=1", "node"),
        ("?group=3&bash=1", "node"),
        ("?node=a&sudo=root;id", "sudo"),
        ("?node=a&tail=1", "tail"),
        ("?node=a&group=x", "group"),
    ],
)
def test_bad_queries_are_refused_naming_the_key_before_the_master_is_asked(
    query: str, field: str
) -> None:
    with client() as http:
        answer = http.get(f"/cmd/1{query}", headers=AUTH)

    assert answer.headers[STATUS_HEADER] == "400"  # the master (a closed port) would be 503
    assert answer.json()["stat"] is False
    assert answer.json()["info"].startswith(f"check format fail: {field}: ")


def test_the_page_needs_credentials() -> None:
    with client() as http:
        answer = http.get("/cmd/1?node=a")

    assert answer.headers[STATUS_HEADER] == "401" and answer.json()["code"] == 10000


def test_the_page_has_no_inline_script_escapes_what_it_embeds_and_forbids_inline_scripts() -> None:
    ticket = terminal_pb2.IssueTerminalTicketResponse(
        ticket='tk"><script>alert(1)</script>',
        nodes=["web<1>"],
        user="deploy",
        mode=terminal_pb2.TERMINAL_MODE_LINES,
    )

    answer = page.page(7, ticket, 'x" onload="alert(2)')
    body = bytes(answer.body).decode()

    assert re.findall(r"<script[^>]*>", body) == [
        '<script src="static/xterm.js">',
        '<script src="static/addon-fit.js">',
        '<script src="static/cmd.js" defer>',
    ]
    assert re.findall(r"<script[^>]*>\s*[^<\s]", body) == []  # no script has a body
    assert "<script>alert" not in body and 'onload="' not in body
    assert 'data-ticket="tk&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "web&lt;1&gt;" in body and "?" not in body.split("<body")[1]  # nothing in a URL
    policy = answer.headers["Content-Security-Policy"]
    scripts = re.search(r"script-src ([^;]*)", policy)
    assert "default-src 'self'" in policy and scripts and scripts.group(1) == "'self'"
    assert "frame-ancestors 'none'" in policy


def test_static_files_are_served_without_credentials_and_are_the_vendored_ones() -> None:
    source = (page.VENDOR / "SOURCE").read_text()
    with client() as http:
        script = http.get("/cmd/static/xterm.js")
        prefixed = http.get("/api/job/cmd/static/xterm.css")
        missing = http.get("/cmd/static/passwd.js")

    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert hashlib.sha256(script.content).hexdigest() in source
    assert prefixed.headers["content-type"].startswith("text/css")
    assert missing.headers[STATUS_HEADER] == "404"
    for name in ("xterm.js", "xterm.css", "addon-fit.js"):
        digest = hashlib.sha256((page.VENDOR / name).read_bytes()).hexdigest()
        assert re.search(rf"^{re.escape(name)}\s.*{digest}$", source, re.M), name
    assert (page.VENDOR / "VERSION").read_text().strip() == "5.5.0"
    assert "The xterm.js authors" in (page.VENDOR / "LICENSE").read_text()


def socket_refusal(url: str, headers: dict[str, str], hello: str = '{"ticket": "t"}') -> str:
    with client() as http, http.websocket_connect(url, headers=headers) as socket:
        socket.send_text(hello)
        error = socket.receive_json()
        closed = socket.receive()
    assert closed["type"] == "websocket.close" and closed["code"] == bridge.CLOSE_REFUSED
    assert error["type"] == "error"
    return str(error["info"])


def test_the_socket_refuses_a_token_in_its_url() -> None:
    info = socket_refusal("/cmd/1/socket?token=" + "t" * 32, {})

    assert info.startswith("token: not taken on this socket")


def test_the_socket_refuses_another_sites_page_even_with_a_ticket() -> None:
    cookie = {"Cookie": "sid=" + "t" * 32, "Origin": "http://evil.example"}

    info = socket_refusal("/cmd/1/socket?node=a", cookie, '{"cols": 80, "rows": 24}')
    with_ticket = socket_refusal("/cmd/1/socket", cookie)

    assert info == with_ticket == "Origin: another site's page may not open this socket"


def test_the_socket_without_ticket_or_credentials_is_refused() -> None:
    info = socket_refusal("/cmd/1/socket?node=a", {}, '{"cols": 80}')

    assert info.startswith("token: credentials required")


def test_a_malformed_hello_is_refused_naming_it() -> None:
    info = socket_refusal("/cmd/1/socket", {}, "not json")

    assert info == "check format fail: hello: must be a JSON object (a text frame)"


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        (None, "gw:8080", True),
        ("http://gw:8080", "gw:8080", True),
        ("https://GW", "gw:443", True),
        ("http://gw:8081", "gw:8080", False),
        ("null", "gw", False),
    ],
)
def test_same_origin(origin: str | None, host: str, same: bool) -> None:
    assert bridge.same_origin(origin, host) is same


def test_the_vendored_files_are_packaged_with_the_gateway() -> None:
    assert Path(page.SCRIPTS["cmd"]).is_file() and Path(page.STYLES["cmd"]).is_file()
