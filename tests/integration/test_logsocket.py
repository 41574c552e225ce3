"""OpenC3's live log socket, opened as its pages open it (`/slave/<task.slave>/ws?uuid=...`) with
a real WebSocket client against a real gateway: the output stored so far, then output that
arrives while the task still runs, one step's log by its concatenated uuid, output that cannot
become markup, and the one-frame refusals -- no credentials, another project's token, a uuid that
names nothing. A browser asking tasklog for HTML gets the page that opens the socket.

One master, slave `s1` and gateway serve the whole module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.integration.conftest import Gateway, Services
from tests.integration.jobs import cmd, create_job, run_job, subtasks
from tests.integration.rest import submit, task, tasklog, wait_final
from tests.waiting import wait_until

RULE = "=" * 68
WAIT = 60.0


@dataclass
class World:
    gateway: Gateway
    admin: httpx.Client
    other_project: int
    other_token: str
    """A valid token of the second project."""


@pytest.fixture(scope="module")
def world(module_services: Services) -> Iterator[World]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    gateway = module_services.start_gateway(master)
    other = master.create_project("other")
    with gateway.client() as admin:
        made = admin.post(f"/token/{other}", json={"describe": "other"}).json()["data"]
        yield World(gateway, admin, other, str(made["token"]))


def socket_url(world: World, uuid: str, slave: str = "s1", **query: str) -> str:
    extra = "".join(f"&{name}={value}" for name, value in query.items())
    return f"{world.gateway.url.replace('http://', 'ws://')}/slave/{slave}/ws?uuid={uuid}{extra}"


def open_log(
    world: World, uuid: str, headers: dict[str, str], task_uuid: str = "", **query: str
) -> ClientConnection:
    """The socket as the pages open it, on the task's `slave` (`task_uuid`: the task of a step's
    log uuid; "s1" for a uuid naming no task)."""
    slave = task(world.admin, task_uuid or uuid).get("slave", "s1")
    return connect(socket_url(world, uuid, slave, **query), additional_headers=headers)


def as_admin(world: World) -> dict[str, str]:
    return {"Authorization": f"Token {world.gateway.token}"}


def read_until(socket: ClientConnection, seen: Callable[[str], bool]) -> list[str]:
    """Frames up to and including the first one `seen` accepts."""
    frames: list[str] = []
    deadline = time.monotonic() + WAIT
    while not frames or not seen(frames[-1]):
        frame = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        assert isinstance(frame, str)
        frames.append(frame)
    return frames


def read_to_close(socket: ClientConnection) -> tuple[list[str], int]:
    """Every frame until the gateway closes the socket, and its close code."""
    frames: list[str] = []
    deadline = time.monotonic() + WAIT
    while True:
        try:
            frame = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            return frames, closed.rcvd.code if closed.rcvd else 1006
        assert isinstance(frame, str)
        frames.append(frame)


def test_stored_output_then_live_output_before_the_task_ends(
    world: World, tmp_path: Path
) -> None:
    go, end = tmp_path / "go", tmp_path / "end"
    script = (
        f"echo stored; until [ -e {go} ]; do sleep 0.05; done; "
        f"echo live; until [ -e {end} ]; do sleep 0.05; done; echo done"
    )
    uuid = submit(world.admin, script, timeout=120)
    wait_until(lambda: tasklog(world.admin, uuid)["s1"]["log"] == "stored\n", what="stored")
    browser = {"Cookie": f"lang=en; sid={world.gateway.token}"}  # a page sends its cookie only

    with open_log(world, uuid, browser) as socket:
        stored = read_until(socket, lambda frame: "stored" in frame)
        go.touch()
        live = read_until(socket, lambda frame: "live" in frame)
        running_meanwhile = task(world.admin, uuid)["status"]
        end.touch()
        rest, code = read_to_close(socket)

    assert stored == [f"{RULE}<br>s1:<br>stored"]
    assert live == ["live"] and running_meanwhile == "running"
    assert rest == [
        "done",
        '<font color="#00FF00">s1: success, exit 0</font>',
        '<font color="#00FF00">task success</font>',
    ]
    assert code == 1000


def test_one_steps_log_by_its_concatenated_uuid(world: World) -> None:
    job = create_job(world.admin, "two steps", [cmd("one", "echo first"), cmd("two", "echo 2nd")])
    uuid = run_job(world.admin, job)
    assert wait_final(world.admin, uuid)["status"] == "success"
    second = subtasks(world.admin, uuid)[1]
    loguuid = uuid + second["uuid"] + second["subtask_type"]
    token = world.gateway.token

    with open_log(world, loguuid, {}, task_uuid=uuid, token=token) as socket:
        frames, code = read_to_close(socket)

    assert frames == [
        f"{RULE}<br>s1:<br>2nd",
        '<font color="#00FF00">s1: success, exit 0</font>',
        '<font color="#00FF00">task success</font>',
    ]
    assert code == 1000
    logs = world.gateway.proc.log.read_text(errors="replace")
    assert loguuid in logs and token not in logs  # the connection's line, without its token


def test_output_arrives_as_text_never_as_markup(world: World) -> None:
    script = r"printf '<script>alert(1)</script>\n\033[1m\033[31mred</font>\033[0m\n'"
    uuid = submit(world.admin, script)
    wait_final(world.admin, uuid)

    with open_log(world, uuid, as_admin(world)) as socket:
        frames, _ = read_to_close(socket)

    assert frames[0] == (
        f"{RULE}<br>s1:<br>&lt;script&gt;alert(1)&lt;/script&gt;<br>"
        '<font color="#FF0000">red&lt;/font&gt;</font>'
    )


@pytest.mark.parametrize(
    "attempt", ["no credentials", "another project's token", "unknown uuid", "malformed uuid"]
)
def test_a_refusal_is_one_frame_and_a_close_never_output(world: World, attempt: str) -> None:
    uuid = submit(world.admin, "echo secret-of-project-1")
    wait_final(world.admin, uuid)
    step = subtasks(world.admin, uuid)[0]
    other = {"Authorization": f"Token {world.other_token}"}
    with world.gateway.client(world.other_token) as own:  # the token is good for its project
        assert own.get(f"/task/{world.other_project}").json()["stat"] is True
    cases = {
        "no credentials": ([uuid], {}, "token: credentials required: the session cookie"),
        "another project's token": (
            [uuid, uuid + step["uuid"] + "cmd"],
            other,
            "Non-existent uuid:",
        ),
        "unknown uuid": (["AbCdEf012345"], as_admin(world), "Non-existent uuid:AbCdEf012345"),
        "malformed uuid": (["a-b", "%3Cscript%3E"], as_admin(world), "uuid format error"),
    }
    uuids, headers, reason = cases[attempt]

    for target in uuids:
        url = socket_url(world, target)
        with connect(url, additional_headers=headers) as socket:
            frames, code = read_to_close(socket)

        assert len(frames) == 1 and frames[0].startswith(f"open log fail: {reason}"), frames
        assert code == 1008


def test_a_browser_asking_tasklog_for_html_gets_the_page_that_opens_the_socket(
    world: World,
) -> None:
    uuid = submit(world.admin, "echo hi")
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    page = world.admin.get(f"/slave/s1/tasklog/{uuid}", headers=browser)
    api = world.admin.get(f"/slave/s1/tasklog/{uuid}")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'data-uuid="{uuid}"' in page.text and "new WebSocket(" in page.text
    assert "script-src 'sha256-" in page.headers["content-security-policy"]
    assert api.json()["stat"] is True and api.headers["content-type"] == "application/json"
