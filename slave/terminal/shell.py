"""What the relay needs of a running shell, local (a pty here) or remote (a pty over SSH)."""

from __future__ import annotations

from typing import Protocol

from slave.terminal.lines import Echo

CHUNK = 32 << 10
"""The most output read at once: one frame to the master. The next read waits until the
master's stream took it, so a flood waits on the pty, never in memory."""


class ShellError(Exception):
    """The shell could not start; the message is the reason the master shows."""


class Shell(Protocol):
    pid: int  # 0 over SSH
    echo_each_chunk: bool  # False: ask the echo state once per line (it costs a round trip)

    async def read(self) -> bytes:
        """Up to CHUNK bytes of output; b"" once the shell ended and its output is drained."""

    async def write(self, data: bytes) -> None:
        """Keys typed; waits while the pty's input is full."""

    async def resize(self, cols: int, rows: int) -> None: ...

    async def echo(self) -> Echo:
        """The terminal's echo state now (UNKNOWN when it cannot be told)."""

    def exit_code(self) -> int:
        """The shell's exit code once it ended by itself; -1 otherwise."""

    async def hang_up(self) -> None:
        """End the shell and everything it started (idempotent)."""
