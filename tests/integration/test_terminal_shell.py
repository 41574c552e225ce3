"""A shell through the master, for real: TerminalService.OpenTerminal on a real master, its
slave's pty (and a pty over SSH on the real sshd), the slave's relay stream, a rogue slave.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from jobfleet.v1 import slave_pb2, slave_pb2_grpc, terminal_pb2, terminal_pb2_grpc
from tests.integration.conftest import Gateway, Master, Proc, Services
from tests.integration.rogue import StubSlave
from tests.sshd import SshServer
from tests.waiting import wait_until

Frame = terminal_pb2.TerminalClientFrame


class Term:
    """One OpenTerminal call: typing, resizing, and reading in a thread that can be paused
    (a client that does not read)."""

    def __init__(self, master: Master, node: str, user: str = "", project_id: int = 1) -> None:
        self._frames: queue.Queue[Frame | None] = queue.Queue()
        self._channel = master.channel()
        size = terminal_pb2.TerminalSize(cols=80, rows=24)
        opening = terminal_pb2.TerminalOpen(
            project_id=project_id,
            nodes=[node],
            user=user,
            mode=terminal_pb2.TERMINAL_MODE_SHELL,
            size=size,
            term="xterm",
        )
        self._frames.put(Frame(open=opening))
        stub = terminal_pb2_grpc.TerminalServiceStub(self._channel)
        self._call = stub.OpenTerminal(self._outgoing(), timeout=300)
        self.opened = next(self._call).opened
        self.output = bytearray()
        self.received = 0  # bytes of output, all told
        self.closed: terminal_pb2.TerminalClosed | None = None
        self.reading = threading.Event()
        self.reading.set()
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _outgoing(self) -> Iterator[Frame]:
        while (frame := self._frames.get()) is not None:
            yield frame

    def _read(self) -> None:
        try:
            for frame in self._call:
                self.reading.wait()
                if frame.WhichOneof("body") == "output":
                    self.output += frame.output
                    self.received += len(frame.output)
                    del self.output[: -(1 << 20)]  # a flood is not kept
                elif frame.WhichOneof("body") == "closed":
                    self.closed = frame.closed
        except grpc.RpcError:
            pass
        finally:
            self.ended.set()

    def type(self, data: bytes) -> None:
        self._frames.put(Frame(input=data))

    def resize(self, cols: int, rows: int) -> None:
        self._frames.put(Frame(resize=terminal_pb2.TerminalSize(cols=cols, rows=rows)))

    def wait_for(self, needle: bytes, timeout: float = 30) -> None:
        wait_until(lambda: needle in self.output, timeout, what=f"{needle!r} shown")

    def close(self) -> None:
        self._frames.put(None)
        self._call.cancel()
        self._channel.close()


@dataclass
class Fleet:
    master: Master
    slave: Proc


@pytest.fixture(scope="module")
def fleet(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    master = module_services.start_master()
    work = tmp_path_factory.mktemp("slave-work")
    slave = module_services.start_slave(master, "s1", "--work-dir", str(work))
    return Fleet(master, slave)


def pids_of(*needles: bytes) -> list[int]:
    """Running processes whose command line holds one of `needles`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z" and any(needle in cmdline for needle in needles):
            found.append(int(pid))
    return found


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def log_of(master: Master, session_id: str) -> list[terminal_pb2.TerminalLogEntry]:
    with master.channel() as channel:
        stub = terminal_pb2_grpc.TerminalServiceStub(channel)
        ask = terminal_pb2.ListTerminalLogRequest(project_id=1, session_id=session_id)
        return list(stub.ListTerminalLog(ask, timeout=10).entries)


def typing_session(term: Term) -> None:
    """Echo, a hidden answer, a resize reaching the shell."""
    term.type(b"echo ok-$((40+2))\r")
    term.wait_for(b"ok-42")
    term.type(b"stty -echo; read secret; stty echo; echo got-${#secret}\r")
    time.sleep(0.5)  # lets the prompt switch echo off before the answer is typed
    term.type(b"hunter2\r")
    term.wait_for(b"got-7")
    term.resize(123, 40)
    term.type(b"echo cols-$(tput cols)\r")
    term.wait_for(b"cols-123")
    assert b"hunter2" not in term.output


def assert_audited(fleet: Fleet, term: Term) -> None:
    kinds = terminal_pb2.TerminalLogKind

    def entries() -> list[terminal_pb2.TerminalLogEntry] | None:
        found = log_of(fleet.master, term.opened.session_id)
        return found if any(e.kind == kinds.Value("TERMINAL_LOG_KIND_END") for e in found) else None

    logged = wait_until(entries, 30, what="the session's END in the log")
    lines = [e.cmd for e in logged if e.kind == kinds.Value("TERMINAL_LOG_KIND_LINE")]
    assert "echo ok-$((40+2))" in lines
    assert any(e.kind == kinds.Value("TERMINAL_LOG_KIND_HIDDEN") for e in logged)
    assert not any("hunter2" in e.cmd for e in logged)


def test_a_shell_on_a_slave_echoes_hides_resizes_and_leaves_nothing_when_closed(
    fleet: Fleet,
) -> None:
    term = Term(fleet.master, "s1")
    typing_session(term)
    term.type(b"sleep 12345 & setsid sleep 12346 & sleep 12347\r")
    needles = (b"sleep\x0012345", b"sleep\x0012346", b"sleep\x0012347")
    wait_until(lambda: len(pids_of(*needles)) == 3, 30, what="the shell's sleeps running")

    term.close()

    wait_until(lambda: not pids_of(*needles), 30, what="every process of the shell gone")
    assert_audited(fleet, term)


def test_a_shell_exits_by_itself_with_its_code(fleet: Fleet) -> None:
    term = Term(fleet.master, "s1")
    term.type(b"exit 7\r")
    assert term.ended.wait(30)
    assert term.closed is not None
    assert (term.closed.exit_code, term.closed.reason) == (7, "")


def test_a_shell_over_ssh(fleet: Fleet, sshd: SshServer, module_services: Services) -> None:
    gateway: Gateway = module_services.start_gateway(fleet.master)
    with gateway.client() as http:
        add = {"name": "vm1", "inip": sshd.host, "sshport": sshd.port}
        assert http.post("/nodelist/1", json=add).status_code == 200
        account = {"username": sshd.user, "private_key": sshd.client_key.value}
        assert http.post("/userlist/1", json=account).status_code == 200
    term = Term(fleet.master, "vm1", user=sshd.user)
    typing_session(term)
    term.type(b"exit 3\r")
    assert term.ended.wait(30) and term.closed is not None
    assert term.closed.exit_code == 3
    assert_audited(fleet, term)

    # closing the client hangs up the remote pty: what runs in the SSH shell ends with it
    hung_up = Term(fleet.master, "vm1", user=sshd.user)
    hung_up.type(b"sleep 12348\r")
    wait_until(lambda: pids_of(b"sleep\x0012348"), 30, what="the SSH shell's sleep running")
    hung_up.close()
    wait_until(lambda: not pids_of(b"sleep\x0012348"), 30, what="the SSH shell's sleep gone")


def test_a_rogue_slave_cannot_join_another_slaves_terminal(fleet: Fleet) -> None:
    master = fleet.master
    victim = StubSlave(master.addr, "victim", join_token=master.join_token)
    rogue = StubSlave(master.addr, "rogue", join_token=master.join_token)
    try:
        victim_credential = victim.welcome().credential
        rogue_credential = rogue.welcome().credential
        opening: list[Term] = []
        opener = threading.Thread(target=lambda: opening.append(Term(master, "victim")))
        opener.start()
        order = victim.next_of("terminal", 30).terminal
        join = slave_pb2.TerminalJoin(session_id=order.session_id, key=order.key)

        # the rogue knows the session and its key, but the order did not go to it
        with pytest.raises(grpc.RpcError) as refused:
            relay(master.addr, rogue, rogue_credential, [slave_pb2.TerminalFromSlave(join=join)])
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

        # the slave it was ordered for joins with the same
        started = slave_pb2.TerminalStarted(pid=1)
        frames = [
            slave_pb2.TerminalFromSlave(join=join),
            slave_pb2.TerminalFromSlave(started=started),
            slave_pb2.TerminalFromSlave(output=b"victim's shell\r\n"),
            slave_pb2.TerminalFromSlave(exit=slave_pb2.TerminalExit(exit_code=3)),
        ]
        relay(master.addr, victim, victim_credential, frames)
        opener.join(30)
        term = opening[0]
        assert term.ended.wait(30)
        assert b"victim's shell" in term.output
        assert term.closed is not None and term.closed.exit_code == 3
    finally:
        victim.close()
        rogue.close()


def relay(
    address: str, slave: StubSlave, credential: str, frames: list[slave_pb2.TerminalFromSlave]
) -> None:
    """A Relay call of `slave` sending `frames`, read to its end (raises its refusal)."""
    with grpc.insecure_channel(address) as channel:
        stub = slave_pb2_grpc.SlaveTerminalStub(channel)
        for _ in stub.Relay(iter(frames), metadata=slave.metadata(credential), timeout=30):
            pass


def test_a_flood_waits_on_the_pty_and_memory_stays_bounded(fleet: Fleet) -> None:
    master_pid, slave_pid = fleet.master.proc.popen.pid, fleet.slave.popen.pid
    term = Term(fleet.master, "s1")
    term.type(b"stty -echo; echo flood-$((1+1)); head -c 1G /dev/zero; echo done-$((2+1))\r")
    term.wait_for(b"flood-2")
    before = {pid: rss_bytes(pid) for pid in (master_pid, slave_pid)}

    term.reading.clear()  # the client stops reading
    head = wait_until(lambda: pids_of(b"head\x00-c\x001G"), 30, what="head running")
    time.sleep(5)  # a client that does not read for a while
    peak = {pid: rss_bytes(pid) for pid in (master_pid, slave_pid)}
    term.reading.set()

    for pid in before:
        assert peak[pid] - before[pid] < 64 << 20, (pid, before[pid], peak[pid])
    assert b"done-3" not in term.output  # head waits on the pty: 1 GB did not pass meanwhile
    held = term.received
    wait_until(lambda: term.received > held + (16 << 20), 60, what="the flood going on")
    term.close()
    wait_until(lambda: not set(head) & set(pids_of(b"head\x00-c\x001G")), 30, what="head gone")
