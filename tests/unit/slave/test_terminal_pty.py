"""Terminals for real: a login shell in a pty here and over SSH (the real sshd), driven through
the relay as the master's stream would drive it: echo, audit lines, hidden input, resize,
exit, and a hang-up that leaves no process behind."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc

from jobfleet.v1 import slave_pb2
from slave.commands.runas import current_user
from slave.messages import Secret, SshTarget, TerminalRequest
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from slave.terminal.local import LocalShell
from slave.terminal.relay import Relay
from slave.terminal.remote import RemoteShell
from slave.terminal.shell import Shell
from tests.sshd import SshServer


class Stream:
    """The master's end of a Relay stream, in memory: what the slave wrote, what to send it."""

    def __init__(self) -> None:
        self.frames: list[slave_pb2.TerminalFromSlave] = []
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.wrote = asyncio.Event()

    async def write(self, message: slave_pb2.TerminalFromSlave) -> None:
        self.frames.append(message)
        self.wrote.set()

    async def read(self) -> Any:
        return await self.inbox.get()

    async def done_writing(self) -> None:
        self.inbox.put_nowait(grpc.aio.EOF)

    def output(self) -> bytes:
        return b"".join(f.output for f in self.frames if f.WhichOneof("body") == "output")

    def lines(self) -> list[tuple[str, bool]]:
        return [(f.line.text, f.line.hidden) for f in self.frames if f.WhichOneof("body") == "line"]

    def type(self, data: bytes) -> None:
        self.inbox.put_nowait(slave_pb2.TerminalToSlave(input=data))

    async def wait_output(self, needle: bytes, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while needle not in self.output():
                self.wrote.clear()
                await self.wrote.wait()


async def session(
    open_shell: Callable[[], Awaitable[Shell]], script: Callable[[Stream], Awaitable[None]]
) -> Stream:
    stream = Stream()
    order = TerminalRequest("s-1", Secret("k"), cols=80, rows=24)
    running = asyncio.create_task(Relay(stream).run(order, open_shell))
    try:
        await script(stream)
        async with asyncio.timeout(30):
            await running
    finally:
        running.cancel()
    return stream


async def typing_session(stream: Stream) -> None:
    """Echo, a hidden answer, a resize, then exit 7."""
    stream.type(b"PS1='$ '; echo ok-$((40+2))\r")
    await stream.wait_output(b"ok-42")
    stream.type(b"stty -echo; read secret; stty echo; echo got-${#secret}\r")
    await asyncio.sleep(0.5)  # the prompt switches echo off before the answer is typed
    stream.type(b"hunter2\r")
    await stream.wait_output(b"got-7")
    stream.inbox.put_nowait(
        slave_pb2.TerminalToSlave(resize=slave_pb2.TerminalWindow(cols=123, rows=40))
    )
    stream.type(b"echo cols-$(tput cols)\r")
    await stream.wait_output(b"cols-123")
    stream.type(b"exit 7\r")


def assert_typing_session(stream: Stream) -> None:
    kinds = [f.WhichOneof("body") for f in stream.frames]
    assert kinds[0] == "join" and "started" in kinds and kinds[-1] == "exit"
    assert stream.frames[-1].exit.exit_code == 7
    lines = stream.lines()
    assert ("PS1='$ '; echo ok-$((40+2))", False) in lines
    assert ("", True) in lines
    assert ("echo cols-$(tput cols)", False) in lines
    assert not any("hunter2" in text for text, _ in lines)
    assert b"hunter2" not in stream.output()


def local_shell() -> Callable[[], Awaitable[Shell]]:
    async def open_shell() -> Shell:
        return await LocalShell.open(current_user(), "xterm", 80, 24, grace=1.0)

    return open_shell


def test_a_local_shell_echoes_logs_lines_hides_passwords_resizes_and_exits() -> None:
    stream = asyncio.run(session(local_shell(), typing_session))
    assert_typing_session(stream)


def alive(needle: bytes) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            found.append(int(pid))
    return found


def test_hanging_up_ends_the_whole_tree_of_a_local_shell() -> None:
    async def hang_up_with_children(stream: Stream) -> None:
        stream.type(b"sleep 12345 & setsid sleep 12346 & sleep 12347\r")
        async with asyncio.timeout(20):
            while len(alive(b"sleep\x0012345")) + len(alive(b"sleep\x0012347")) < 2:
                await asyncio.sleep(0.05)
        stream.inbox.put_nowait(grpc.aio.EOF)  # the master ended the stream

    stream = asyncio.run(session(local_shell(), hang_up_with_children))
    assert [f.WhichOneof("body") for f in stream.frames][-1] != "exit"
    for arg in (b"12345", b"12346", b"12347"):
        assert alive(b"sleep\x00" + arg) == []


def test_a_shell_over_ssh_echoes_hides_passwords_resizes_and_exits(
    sshd: SshServer, tmp_path: Path
) -> None:
    async def scenario() -> Stream:
        async with SshPool(KnownHosts(tmp_path / "known_hosts")) as pool:
            target: SshTarget = sshd.target("vm1")

            async def open_shell() -> Shell:
                return await RemoteShell.open(pool, target, "xterm", 80, 24)

            return await session(open_shell, typing_session)

    assert_typing_session(asyncio.run(scenario()))


def test_an_ssh_login_refused_says_why(sshd: SshServer, tmp_path: Path) -> None:
    async def scenario() -> Stream:
        async with SshPool(KnownHosts(tmp_path / "known_hosts")) as pool:
            target = sshd.target("vm1", private_key=None, password=Secret("wrong"))

            async def open_shell() -> Shell:
                return await RemoteShell.open(pool, target, "xterm", 80, 24)

            async def nothing(stream: Stream) -> None:
                pass

            return await session(open_shell, nothing)

    last = asyncio.run(scenario()).frames[-1]
    assert last.exit.exit_code == -1
    assert "authentication failed" in last.exit.reason
