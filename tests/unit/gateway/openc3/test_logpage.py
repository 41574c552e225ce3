"""The tasklog route's page: a browser (Accept: text/html) gets OpenC3's page opening the log
socket, any other client the JSON log; the page runs only its own script."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import GatewayConfig
from gateway.openc3.logpage import SCRIPT, wants_html
from tests.integration.rest import STATUS_HEADER
from tests.unit.gateway.test_app import CREDENTIALS, closed_port
from tests.unit.gateway.trust import trust

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.5, */*", False),
        ("text/html, application/json", False),  # a tie keeps the API's answer
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("text/html;q=0", False),
        ("text/html;q=nan", False),
        ("text/html;q=x", False),
        ("TEXT/HTML; charset=utf-8", True),
    ],
)
def test_html_only_when_named_over_json(accept: str, html: bool) -> None:
    assert wants_html(accept) is html


def page(path: str) -> tuple[int, dict[str, str], str]:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", rpc_timeout=2)
    with TestClient(create_app(config, verify=trust), headers=CREDENTIALS) as http:
        reply = http.get(path, headers={"Accept": BROWSER})
    return reply.status_code, dict(reply.headers), reply.text


def test_a_browser_gets_the_page_that_opens_the_socket() -> None:
    status, headers, body = page("/slave/s1/tasklog/AbCdEf012345")

    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'data-uuid="AbCdEf012345"' in body
    assert 'new URL("../ws", window.location.href)' in body
    assert "innerHTML += evt.data" in body


def test_openc3s_plugin_form_of_a_step_is_followed_as_its_log_uuid() -> None:
    _, _, body = page("/slave/s1/tasklog/AbCdEf012345_zYxWvU987654_cmd")

    assert 'data-uuid="AbCdEf012345zYxWvU987654cmd"' in body


def test_only_the_pages_own_script_may_run() -> None:
    _, headers, body = page("/slave/s1/tasklog/AbCdEf012345")

    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    policy = headers["content-security-policy"]
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert re.findall(r"<script>(.*?)</script>", body, re.DOTALL) == [SCRIPT]
    assert headers["x-content-type-options"] == "nosniff"


def test_a_uuid_that_is_not_letters_and_digits_is_refused() -> None:
    config = GatewayConfig(master=f"127.0.0.1:{closed_port()}", rpc_timeout=2)
    with TestClient(create_app(config, verify=trust), headers=CREDENTIALS) as http:
        reply = http.get('/slave/s1/tasklog/a"b', headers={"Accept": BROWSER})

    assert int(reply.headers.get(STATUS_HEADER, reply.status_code)) == 400  # either contract
    assert reply.json()["info"].startswith("check format fail: uuid: ")
