"""The values a terminal session is made of, shared by admission, line mode and the shell path.

Plain data: the rpc adapters turn frames into these and back.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from master.domain import Placement


class TerminalMode(enum.StrEnum):
    SHELL = "shell"  # a pty running a login shell on exactly one machine
    LINES = "lines"  # each line runs on every machine (a task), answers per machine


class LogKind(enum.StrEnum):
    """What a row of the terminal log records."""

    START = "start"  # a shell session opened
    LINE = "line"  # a line entered in a shell (echo on)
    HIDDEN = "hidden"  # input typed with echo off: its text is never kept
    END = "end"  # a shell session ended
    COMMAND = "command"  # a line run on machines in line mode


@dataclass(frozen=True)
class OpenSpec:
    """What a client asks to open (TerminalOpen, or a ticket's content)."""

    project_id: int
    nodes: tuple[str, ...]
    group_id: int = 0
    user: str = ""  # execution account; "" = the project's default
    mode: TerminalMode | None = None  # None = SHELL for one node, LINES for several/a group
    cols: int = 80
    rows: int = 24
    term: str = "xterm-256color"
    actor: str = ""


@dataclass(frozen=True)
class Session:
    """An admitted terminal session: checked, counted against the caps, its START logged."""

    id: str  # uuid
    project_id: int
    actor: str  # who opened it (audit `user`)
    token_id: int  # the caller's token (0 = admin); with `actor`, what the per-user cap counts
    nodes: tuple[str, ...]  # resolved, sorted
    user: str  # the execution account it runs as
    mode: TerminalMode
    cols: int
    rows: int
    term: str
    idle_timeout: float  # seconds without input before it ends
    recorded: bool  # the project records shell sessions
    placement: Placement | None = None  # SHELL: where the shell runs (slave, SSH target)


# --- what a client sends (after its open) and what it is shown


@dataclass(frozen=True)
class Input:
    data: bytes  # SHELL keystrokes


@dataclass(frozen=True)
class Resize:
    cols: int
    rows: int


@dataclass(frozen=True)
class Line:
    text: str  # LINES: one command line


@dataclass(frozen=True)
class Interrupt:
    """LINES: stop the running line on every machine."""


ClientEvent = Input | Resize | Line | Interrupt


@dataclass(frozen=True)
class Output:
    data: bytes  # SHELL: pty output


@dataclass(frozen=True)
class LineOutput:
    node: str
    data: bytes
    stderr: bool = False


@dataclass(frozen=True)
class LineFinished:
    node: str
    exit_code: int
    status: str
    reason: str = ""


@dataclass(frozen=True)
class LineSummary:
    task_uuid: str
    succeeded: int
    failed: int
    seconds: float


@dataclass(frozen=True)
class Closed:
    exit_code: int = -1  # SHELL: the shell's own exit code; -1 = it did not exit by itself
    reason: str = ""  # "" = exited by itself; else idle, hung up, slave gone, ...


ServerEvent = Output | LineOutput | LineFinished | LineSummary | Closed
Emit = Callable[[ServerEvent], Awaitable[None]]
"""Shows an event to the client; awaiting it is the back-pressure (it returns once the
client's stream took it)."""


class SessionHooks(Protocol):
    """What the shell path tells the session's keeper (admission/recording) as it runs."""

    async def input_line(self, session: Session, text: str, hidden: bool) -> None:
        """A line entered at the shell (hidden: typed with echo off; text is then "")."""

    async def output(self, session: Session, data: bytes) -> None:
        """Output shown (recorded when the project records sessions)."""

    async def resized(self, session: Session, cols: int, rows: int) -> None: ...


ClientEvents = AsyncIterator[ClientEvent]


class ShellRunner(Protocol):
    """The shell path (`master.terminal.shell`): orders the session's slave to open the pty,
    relays both ways until the shell exits, the client goes (its events end), the slave goes, or
    `session.idle_timeout` passes without input; then ends the remote process tree. Returns how
    it closed; `emit` is never called with `Closed` (the caller sends that)."""

    async def run(
        self, session: Session, events: ClientEvents, emit: Emit, hooks: SessionHooks
    ) -> Closed: ...
