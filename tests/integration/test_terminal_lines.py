"""Terminals through the master's TerminalService over gRPC, against a real master and three
slaves (s1, s2, s3; each a machine of its own): line mode on all three (each machine's answer,
the summary, the COMMAND row with its task), Ctrl-C ending a running line everywhere, the log's
filters and paging, and the refusals: another project's token, tickets reused, expired or for
another project, the caps, an unknown project, a shell on two nodes, an account the project
does not have.

One master and its slaves serve the whole module.
"""

from __future__ import annotations

import datetime as dt
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest

from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
    terminal_pb2_grpc,
)
from jobfleet.v1 import terminal_pb2 as pb
from tests.cgroups import unique_sleep
from tests.integration.conftest import Master, Services
from tests.procs import alive, kill_all, with_argument
from tests.waiting import wait_until

WAIT = 60.0
MACHINES = ("s1", "s2", "s3")


@dataclass
class World:
    master: Master
    other_project: int
    other_token: str  # a valid token of the other project


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    master = module_services.start_master(
        "--terminal-max-per-project",
        "4",
        "--terminal-max-per-user",
        "2",
        "--terminal-ticket-ttl",
        "3",
    )
    for name in MACHINES:  # each machine tells itself apart by LC_MACHINE (kept for commands)
        module_services.start_slave(master, name, env={"LC_MACHINE": name})
    other = master.create_project()
    with master.channel() as channel:
        made = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=other), timeout=10
        )
    return World(master, other, made.secret)


class Term:
    """One OpenTerminal call: frames sent from a queue, frames read one at a time."""

    def __init__(self, channel: grpc.Channel, opening: pb.TerminalOpen) -> None:
        self.sends: queue.Queue[pb.TerminalClientFrame | None] = queue.Queue()
        self.sends.put(pb.TerminalClientFrame(open=opening))
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        self.call = stub.OpenTerminal(self._frames(), timeout=WAIT * 2)

    def _frames(self) -> Iterator[pb.TerminalClientFrame]:
        while (frame := self.sends.get()) is not None:
            yield frame

    def next(self) -> pb.TerminalServerFrame:
        frame: pb.TerminalServerFrame = next(self.call)
        return frame

    def send(self, **body: object) -> None:
        self.sends.put(pb.TerminalClientFrame(**body))  # type: ignore[arg-type]

    def until(self, kind: str) -> list[pb.TerminalServerFrame]:
        """Frames up to and including the next one of `kind`."""
        frames = [self.next()]
        while frames[-1].WhichOneof("body") != kind:
            frames.append(self.next())
        return frames

    def hang_up(self) -> None:
        self.sends.put(None)
        self.call.cancel()


def opening(project: int = 1, *nodes: str, **fields: object) -> pb.TerminalOpen:
    return pb.TerminalOpen(project_id=project, nodes=list(nodes), **fields)  # type: ignore[arg-type]


def refused(channel: grpc.Channel, o: pb.TerminalOpen) -> grpc.RpcError:
    """The refusal of an open (the call fails before any frame)."""
    term = Term(channel, o)
    with pytest.raises(grpc.RpcError) as err:
        term.next()
    term.hang_up()
    return err.value


def field_of(err: grpc.RpcError) -> str:
    value: str = dict(err.trailing_metadata() or ()).get("jobfleet-field", "")
    return value


def log(channel: grpc.Channel, **filters: object) -> list[pb.TerminalLogEntry]:
    stub = terminal_pb2_grpc.TerminalServiceStub(channel)
    ask = pb.ListTerminalLogRequest(project_id=1, **filters)  # type: ignore[arg-type]
    return list(stub.ListTerminalLog(ask, timeout=10).entries)


def test_a_line_runs_on_every_machine_and_is_logged(world: World) -> None:
    with world.master.channel() as channel:
        term = Term(channel, opening(1, "s3", "s1", "s2", actor="alice"))
        opened = term.next().opened
        assert (list(opened.nodes), opened.mode) == (list(MACHINES), pb.TERMINAL_MODE_LINES)
        assert opened.user == "root"  # the slaves' own run-as account, said outright

        term.send(line='echo "answer from $LC_MACHINE"; [ "$LC_MACHINE" != s2 ]')
        frames = term.until("line_summary")
        term.hang_up()

    said = {
        f.line_output.node: f.line_output.data
        for f in frames
        if f.WhichOneof("body") == "line_output"
    }
    assert said == {m: f"answer from {m}\n".encode() for m in MACHINES}
    ends = {f.line_finished.node: f.line_finished for f in frames if f.line_finished.node}
    assert {n: (e.exit_code, e.status) for n, e in ends.items()} == {
        "s1": (0, "success"),
        "s2": (1, "fail"),
        "s3": (0, "success"),
    }
    summary = frames[-1].line_summary
    assert (summary.succeeded, summary.failed) == (2, 1) and summary.task_uuid

    with world.master.channel() as channel:
        [row] = log(channel, session_id=opened.session_id)
        assert (row.kind, row.node, row.actor, row.user) == (
            pb.TERMINAL_LOG_KIND_COMMAND,
            "s1,s2,s3",
            "alice",
            "root",
        )
        assert row.cmd == 'echo "answer from $LC_MACHINE"; [ "$LC_MACHINE" != s2 ]'
        assert row.task_uuid == summary.task_uuid
        task = task_pb2_grpc.TaskServiceStub(channel).GetTask(
            task_pb2.GetTaskRequest(project_id=1, uuid=summary.task_uuid), timeout=10
        )
        assert task.task.submitter == "alice"

        # the filters: substrings, verbatim text (LIKE's own characters are plain text here)
        assert [e.id for e in log(channel, cmd="from $LC_MACHINE")] == [row.id]
        assert log(channel, cmd="%") == [] and log(channel, cmd="_MACH") != []
        assert [e.id for e in log(channel, actor="lic", node="s2")] == [row.id]
        assert log(channel, actor="bob") == [] and log(channel, user="nobody") == []
        now = int(time.time())
        assert log(channel, session_id=opened.session_id, after_unix=now + 3600) == []
        assert [e.id for e in log(channel, session_id=opened.session_id, before_unix=now + 5)]
        # newest first, paged by id
        term = Term(channel, opening(1, "s1", "s2", actor="alice"))
        term.next()
        term.send(line="true")
        term.until("line_summary")
        term.hang_up()
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        first = stub.ListTerminalLog(
            pb.ListTerminalLogRequest(project_id=1, actor="alice", limit=1), timeout=10
        )
        assert [e.cmd for e in first.entries] == ["true"] and first.more
        rest = stub.ListTerminalLog(
            pb.ListTerminalLogRequest(
                project_id=1, actor="alice", limit=1, before_id=first.entries[0].id
            ),
            timeout=10,
        )
        assert [e.id for e in rest.entries] == [row.id]


def test_interrupt_ends_a_running_line_on_every_machine(world: World) -> None:
    length = unique_sleep()
    try:
        with world.master.channel() as channel:
            term = Term(channel, opening(1, *MACHINES))
            session = term.next().opened.session_id
            term.send(line=f"sleep {length}")
            wait_until(lambda: len(with_argument(length)) == 3, WAIT, what="three sleeps")
            started = with_argument(length)

            term.send(interrupt=True)
            frames = term.until("line_summary")

            ends = [f.line_finished for f in frames if f.WhichOneof("body") == "line_finished"]
            assert sorted((e.node, e.status) for e in ends) == [(m, "killed") for m in MACHINES]
            assert frames[-1].line_summary.failed == 3
            wait_until(lambda: not any(alive(p) for p in started), 30, what="sleeps gone")

            # the session goes on: the next line runs
            term.send(line="echo again")
            again = term.until("line_summary")
            assert again[-1].line_summary.succeeded == 3

            # hanging up mid-line ends that line too
            term.send(line=f"sleep {length}")
            wait_until(lambda: len(with_argument(length)) == 3, WAIT, what="three sleeps")
            started = with_argument(length)
            term.hang_up()
            wait_until(lambda: not any(alive(p) for p in started), 30, what="sleeps gone")
            wait_until(
                lambda: any(e.kind == pb.TERMINAL_LOG_KIND_COMMAND for e in log(channel)),
                what="log",
            )
            assert len(log(channel, session_id=session)) == 3
    finally:
        kill_all(with_argument(length))


def test_opens_are_checked_against_the_project(world: World) -> None:
    master = world.master
    with master.channel() as admin:
        unknown = refused(admin, opening(999, "s1"))
        assert unknown.code() == grpc.StatusCode.NOT_FOUND and "999" in unknown.details()
        two = refused(admin, opening(1, "s1", "s2", mode=pb.TERMINAL_MODE_SHELL))
        assert (two.code(), field_of(two)) == (grpc.StatusCode.INVALID_ARGUMENT, "nodes")
        stranger = refused(admin, opening(1, "s1", user="nobody"))
        assert (stranger.code(), field_of(stranger)) == (grpc.StatusCode.NOT_FOUND, "user")
        nowhere = refused(admin, opening(1, "s1", "elsewhere"))
        assert (nowhere.code(), field_of(nowhere)) == (grpc.StatusCode.NOT_FOUND, "nodes")

    # attack: another project's token opens, lists and tickets project 1
    with master.channel(token=world.other_token) as theirs:
        foreign = refused(theirs, opening(1, "s1"))
        assert foreign.code() == grpc.StatusCode.PERMISSION_DENIED
        stub = terminal_pb2_grpc.TerminalServiceStub(theirs)
        with pytest.raises(grpc.RpcError) as listed:
            stub.ListTerminalLog(pb.ListTerminalLogRequest(project_id=1), timeout=10)
        assert listed.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.RpcError) as ticketed:
            stub.IssueTerminalTicket(
                pb.IssueTerminalTicketRequest(open=opening(1, "s1", "s2")), timeout=10
            )
        assert ticketed.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # its own project, unset: narrowed to it, and its log holds nothing of project 1
        mine = stub.ListTerminalLog(pb.ListTerminalLogRequest(), timeout=10)
        assert list(mine.entries) == []
    with master.channel(token="") as nobody:
        anonymous = refused(nobody, opening(1, "s1", "s2"))
        assert anonymous.code() == grpc.StatusCode.UNAUTHENTICATED


def issue(master: Master, project: int) -> pb.IssueTerminalTicketResponse:
    with master.channel() as admin:
        stub = terminal_pb2_grpc.TerminalServiceStub(admin)
        ask = pb.IssueTerminalTicketRequest(open=opening(project, "s1", "s2", actor="carol"))
        answer: pb.IssueTerminalTicketResponse = stub.IssueTerminalTicket(ask, timeout=10)
        return answer


def test_a_ticket_opens_once_for_its_own_project(world: World) -> None:
    master = world.master
    given = issue(master, 1)
    assert (list(given.nodes), given.mode) == (["s1", "s2"], pb.TERMINAL_MODE_LINES)

    # the ticket alone opens: no call credentials, its binding wins over the frame
    with master.channel(token="") as browser:
        term = Term(browser, pb.TerminalOpen(ticket=given.ticket, nodes=["s3"], actor="mallory"))
        opened = term.next().opened
        assert list(opened.nodes) == ["s1", "s2"]
        term.send(line="true")
        term.until("line_summary")
        term.hang_up()
        with master.channel() as admin:
            [row] = log(admin, session_id=opened.session_id)
            assert row.actor == "carol"

        # attack: the same ticket again
        again = refused(browser, pb.TerminalOpen(ticket=given.ticket))
        assert again.code() == grpc.StatusCode.PERMISSION_DENIED
        # attack: a ticket of the other project used on project 1
        theirs = issue(master, world.other_project)
        crossed = refused(browser, pb.TerminalOpen(project_id=1, ticket=theirs.ticket))
        assert crossed.code() == grpc.StatusCode.PERMISSION_DENIED
        # attack: an expired ticket (the master's ttl is 3 s here)
        late = issue(master, 1)
        expiry = late.expires_at.ToDatetime(tzinfo=dt.UTC)
        wait_until(lambda: dt.datetime.now(dt.UTC) > expiry, 30, what="the ticket expired")
        expired = refused(browser, pb.TerminalOpen(ticket=late.ticket))
        assert expired.code() == grpc.StatusCode.PERMISSION_DENIED
        # and a made-up one: refused alike, never saying which
        made_up = refused(browser, pb.TerminalOpen(ticket="x" * 32))
        assert made_up.code() == grpc.StatusCode.PERMISSION_DENIED
        assert {again.details(), crossed.details(), expired.details()} == {made_up.details()}


def test_sessions_are_capped(world: World) -> None:
    with world.master.channel() as channel:
        held = [Term(channel, opening(1, "s1", "s2", actor="dave")) for _ in range(2)]
        for term in held:
            term.next()
        mine = refused(channel, opening(1, "s1", "s2", actor="dave"))
        assert mine.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "--terminal-max-per-user" in mine.details()
        held += [Term(channel, opening(1, "s1", "s2", actor=f"erin{i}")) for i in range(2)]
        for term in held[2:]:
            term.next()
        full = refused(channel, opening(1, "s1", "s2", actor="frank"))
        assert full.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "--terminal-max-per-project" in full.details()
        for term in held:
            term.hang_up()

        def opens() -> bool:  # places given back as the sessions end
            term = Term(channel, opening(1, "s1", "s2", actor="dave"))
            try:
                return bool(term.next().WhichOneof("body") == "opened")
            except grpc.RpcError:
                return False
            finally:
                term.hang_up()

        wait_until(opens, WAIT, interval=0.5, what="a place free again")


def test_settings_and_recordings(world: World) -> None:
    with world.master.channel() as channel:
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        got = stub.GetTerminalSettings(pb.GetTerminalSettingsRequest(project_id=1), timeout=10)
        assert not got.record
        stub.SetTerminalSettings(
            pb.SetTerminalSettingsRequest(project_id=1, record=True, actor="admin"), timeout=10
        )
        got = stub.GetTerminalSettings(pb.GetTerminalSettingsRequest(project_id=1), timeout=10)
        assert got.record
        other = stub.GetTerminalSettings(
            pb.GetTerminalSettingsRequest(project_id=world.other_project), timeout=10
        )
        assert not other.record
        with pytest.raises(grpc.RpcError) as none:
            list(
                stub.GetTerminalRecording(
                    pb.GetTerminalRecordingRequest(project_id=1, session_id="0" * 32), timeout=10
                )
            )
        assert none.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_shell_is_admitted_on_one_machine_its_slave_attached(world: World) -> None:
    with world.master.channel() as channel:
        term = Term(channel, opening(1, "s2", actor="gina"))  # one node: a shell
        opened = term.next().opened
        assert (opened.mode, list(opened.nodes), opened.user) == (
            pb.TERMINAL_MODE_SHELL,
            ["s2"],
            "root",
        )
        term.hang_up()

        def kinds() -> list[int]:
            return [e.kind for e in reversed(log(channel, session_id=opened.session_id))]

        wait_until(lambda: pb.TERMINAL_LOG_KIND_END in kinds(), WAIT, what="the END row")
        assert kinds()[0] == pb.TERMINAL_LOG_KIND_START
        start = log(channel, session_id=opened.session_id)[-1]
        assert (start.actor, start.node, start.user) == ("gina", "s2", "root")

        # a machine reached over SSH through a slave that is not attached: UNAVAILABLE
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        catalog.CreateNode(
            catalog_pb2.CreateNodeRequest(
                project_id=1, name="far", inip="127.0.0.9", slave="ghost", actor="admin"
            ),
            timeout=10,
        )
        catalog.CreateAccount(
            catalog_pb2.CreateAccountRequest(
                project_id=1, username="app", password="pw", actor="admin"
            ),
            timeout=10,
        )
        away = refused(channel, opening(1, "far", user="app"))
        assert (away.code(), field_of(away)) == (grpc.StatusCode.UNAVAILABLE, "nodes")


def test_an_idle_session_ends_by_itself(module_services: Services) -> None:
    """A master of its own with a 1 s idle timeout; line mode needs no slave to open."""
    master = module_services.start_master("--terminal-idle-timeout", "1")
    with master.channel() as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        for name in ("m1", "m2"):
            catalog.CreateNode(catalog_pb2.CreateNodeRequest(project_id=1, name=name), timeout=10)
        catalog.CreateAccount(
            catalog_pb2.CreateAccountRequest(project_id=1, username="app", password="pw"),
            timeout=10,
        )
        term = Term(channel, opening(1, "m1", "m2"))
        opened = term.next().opened
        assert (opened.idle_timeout_seconds, opened.user) == (1, "app")
        closed = term.next().closed
        assert closed.reason == "idle"
        term.hang_up()
