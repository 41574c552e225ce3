"""OpenC3's web terminal end to end, as a browser uses it: the page opened with a token, its
ticket taken from the page, its socket opened on a real gateway bridged to a real master and
slaves. A shell runs `echo hi`; line mode answers per machine with a summary; the terminal log
holds the lines and filters them. The attacks: a reused ticket, a ticket of project A on
project B's socket, another site's page with the cookie only, a `?token=` URL; closing the
page ends what the shell started; and a 1 GB flood to a page that does not read waits on the
pty instead of growing the gateway.

One master, slaves s1..s3 and a gateway serve the whole module.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.integration.conftest import Gateway, Services, wait_attached
from tests.waiting import wait_until

WAIT = 60.0
SLAVES = ("s1", "s2", "s3")


@dataclass
class World:
    gateway: Gateway
    admin: httpx.Client
    other_project: int
    other_token: str


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    for name in SLAVES:
        proc = module_services.start_slave(master, name)
        wait_attached(master, name, proc)
    gateway = module_services.start_gateway(master)
    other = master.create_project("other")
    with gateway.client() as admin:
        made = admin.post(f"/token/{other}", json={"describe": "other"}).json()["data"]
        yield World(gateway, admin, other, str(made["token"]))


def ticket_of(http: httpx.Client, path: str) -> str:
    """The page at `path`, and the ticket in its data attribute."""
    answer = http.get(path)
    assert answer.headers["content-type"].startswith("text/html"), answer.text
    found = re.search(r'data-ticket="([^"]*)"', answer.text)
    assert found, answer.text
    return html.unescape(found.group(1))


def socket_url(world: World, project: int = 1, query: str = "") -> str:
    return f"{world.gateway.url.replace('http://', 'ws://')}/cmd/{project}/socket{query}"


@contextlib.contextmanager
def open_socket(
    world: World,
    ticket: str = "",
    project: int = 1,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> Iterator[ClientConnection]:
    """The socket as the page opens it: its hello (with the ticket, if any) sent."""
    with connect(socket_url(world, project, query), additional_headers=headers or {}) as socket:
        hello: dict[str, object] = {"cols": 100, "rows": 30}
        if ticket:
            hello["ticket"] = ticket
        socket.send(json.dumps(hello))
        yield socket


def control(socket: ClientConnection) -> dict[str, object]:
    """The next text frame (the socket's first is `opened` or `error`)."""
    frame = socket.recv(timeout=WAIT)
    assert isinstance(frame, str), frame
    loaded: dict[str, object] = json.loads(frame)
    return loaded


def read_until(socket: ClientConnection, text: str) -> str:
    """Terminal output (binary frames) until it holds `text`."""
    seen = ""
    deadline = time.monotonic() + WAIT
    while text not in seen:
        try:
            frame = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            raise AssertionError(f"no {text!r} in what the terminal showed: {seen!r}") from None
        seen += frame.decode(errors="replace") if isinstance(frame, bytes) else frame
    return seen


def refusal(socket: ClientConnection) -> tuple[str, int]:
    """The `error` frame's info and the close code."""
    info = ""
    try:
        while True:
            frame = socket.recv(timeout=WAIT)
            if isinstance(frame, str) and json.loads(frame).get("type") == "error":
                info = str(json.loads(frame)["info"])
    except ConnectionClosed as closed:
        return info, closed.rcvd.code if closed.rcvd else 1006


def processes_running(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if needle in cmdline and str(os.getpid()) != entry.name:
                found.append(int(entry.name))
    return found


def test_a_shell_runs_what_is_typed_and_closing_the_page_ends_it(world: World) -> None:
    ticket = ticket_of(world.admin, "/cmd/1?node=s1&bash=1&siteaddr=http://elsewhere")
    marker = f"{secrets.randbelow(10**6) + 10**6}"

    with open_socket(world, ticket) as socket:
        opened = control(socket)
        socket.send(b"echo h''i\r")
        echoed = read_until(socket, "hi\r\n")
        socket.send(f"sleep 12345{marker} &\r".encode())
        wait_until(lambda: processes_running(f"sleep 12345{marker}"), WAIT, what="sleep running")

    assert opened["type"] == "opened" and opened["mode"] == "shell" and opened["nodes"] == ["s1"]
    assert "hi" in echoed
    wait_until(lambda: not processes_running(f"sleep 12345{marker}"), WAIT, what="sleep ended")
    log = world.admin.get("/cmd/1/log", params={"node": "s1", "cmd": "echo"}).json()
    assert log["stat"] is True and any(row["cmd"] == "echo h''i" for row in log["data"])
    kinds = {row["kind"] for row in world.admin.get("/cmd/1/log?node=s1").json()["data"]}
    assert {"start", "line", "end"} <= kinds


def test_line_mode_answers_per_machine_with_a_summary_and_logs_the_line(world: World) -> None:
    ticket = ticket_of(world.admin, "/cmd/1?node=s1,s2,s3")

    with open_socket(world, ticket) as socket:
        opened = control(socket)
        prompt = read_until(socket, "(3)sh# ")
        socket.send(b"echo from-$(hostname)-ok; test $JOBFLEET_NONE\r")
        shown = read_until(socket, "failed in")
        socket.send(b"true\r")
        read_until(socket, "3 succeeded, 0 failed in")

    assert opened["mode"] == "lines" and opened["nodes"] == list(SLAVES)
    assert prompt.endswith("(3)sh# ")
    for name in SLAVES:
        assert re.search(rf"{name}\x1b\[0m: from-.*-ok", shown), shown
    assert "exit 1 [3]: s1,s2,s3" in shown and "0 succeeded, 3 failed" in shown
    rows = world.admin.get("/cmd/1/log", params={"cmd": "from-$(hostname)"}).json()["data"]
    assert [(r["node"], r["kind"]) for r in rows] == [("s1,s2,s3", "command")]
    assert rows[0]["task_uuid"] and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0]["time"])
    bad_date = world.admin.get("/cmd/1/log", params={"time_start": "2024-13-01"}).json()
    assert bad_date["stat"] is False and "time_start" in bad_date["info"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    since = world.admin.get("/cmd/1/log", params={"time_start": today, "limit": 1}).json()
    assert len(since["data"]) == 1 and since["more"] is True


def test_a_ticket_opens_once_and_only_its_own_project(world: World) -> None:
    ticket = ticket_of(world.admin, "/cmd/1?node=s1&bash=1")
    with open_socket(world, ticket) as first:
        assert control(first)["type"] == "opened"

    with open_socket(world, ticket) as again:
        reused = refusal(again)
    other_ticket = ticket_of(world.admin, "/cmd/1?node=s1&bash=1")
    with open_socket(world, other_ticket, project=world.other_project) as elsewhere:
        wrong_project = refusal(elsewhere)

    assert reused[1] == wrong_project[1] == 1008
    assert reused[0] and wrong_project[0]


def test_the_socket_refuses_another_sites_page_and_a_token_in_its_url(world: World) -> None:
    cookie = f"sid={world.gateway.token}"
    evil = {"Cookie": cookie, "Origin": "http://evil.example"}
    with open_socket(world, query="?node=s1&bash=1", headers=evil) as cross_site:
        refused_cross_site = refusal(cross_site)
    with open_socket(world, query=f"?node=s1&bash=1&token={world.gateway.token}") as in_url:
        refused_in_url = refusal(in_url)
    same_site = {"Cookie": cookie, "Origin": world.gateway.url}
    with open_socket(world, query="?node=s1&bash=1", headers=same_site) as own_page:
        opened = control(own_page)

    assert refused_cross_site == ("Origin: another site's page may not open this socket", 1008)
    assert refused_in_url[0].startswith("token: not taken on this socket")
    assert opened["type"] == "opened"


def test_page_refusals_name_the_field_before_any_page(world: World) -> None:
    unknown = world.admin.get("/cmd/1?node=no-such-machine&bash=1")
    other = httpx.get(
        f"{world.gateway.url}/cmd/1?node=s1",
        headers={"Authorization": f"Token {world.other_token}"},
    )

    assert unknown.json()["stat"] is False and "node" in unknown.json()["info"]
    assert other.json()["stat"] is False and other.headers["X-Jobfleet-Status"] == "403"
    assert world.admin.post("/cmd/1/settings", json={"record": True}).json()["data"] == {
        "record": True
    }
    assert world.admin.get("/cmd/1/settings").json()["data"] == {"record": True}


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def test_a_flood_to_a_page_that_does_not_read_keeps_the_gateway_small(world: World) -> None:
    ticket = ticket_of(world.admin, "/cmd/1?node=s1&bash=1")
    gateway = world.gateway.proc.popen.pid
    with open_socket(world, ticket) as socket:
        control(socket)
        socket.send(b"stty -echo; echo flood-$((1+1)); head -c 1G /dev/zero; echo done-$((2+1))\r")
        read_until(socket, "flood-2")
        before = rss_bytes(gateway)
        wait_until(lambda: processes_running("head -c 1G"), WAIT, what="head running")
        time.sleep(5)  # a page that does not read for a while
        peak = rss_bytes(gateway)
        assert processes_running("head -c 1G"), "head is held back by the page, not finished"
    assert peak - before < 64 << 20, (before, peak)
    wait_until(lambda: not processes_running("head -c 1G"), WAIT, what="head gone with the page")
