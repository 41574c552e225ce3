"""A command run in a pseudo-terminal of its own, as a person at a terminal would run it: the pty
is its controlling terminal (so resizing it sends SIGWINCH, and Ctrl-C sends SIGINT), the test
types into it and reads what the screen shows."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Mapping, Sequence

from tests.waiting import wait_until

TAKE_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
"""Run in the child (already in a session of its own): make the pty its controlling terminal,
then become the command."""
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PtyProcess:
    """`command` with a pty as stdin, stdout and stderr; `screen` is all it wrote so far."""

    def __init__(
        self, command: Sequence[str], env: Mapping[str, str], cols: int = 80, rows: int = 24
    ) -> None:
        self.master, child = os.openpty()
        set_size(self.master, cols, rows)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", TAKE_TERMINAL, *command],
            stdin=child,
            stdout=child,
            stderr=child,
            start_new_session=True,
            env=dict(env),
        )
        os.close(child)
        self.raw = b""

    @property
    def screen(self) -> str:
        """What was written, without colours and other escape sequences, nor carriage returns."""
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace").replace("\r", "")

    def read_some(self) -> None:
        while select.select([self.master], [], [], 0)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the command closed the pty's other side
                return
            if not data:
                return
            self.raw += data

    def expect(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """Wait until the screen shows `pattern` (a regex); its match."""

        def shown() -> re.Match[str] | None:
            self.read_some()
            found = re.search(pattern, self.screen)
            if found is None and self.proc.poll() is not None:
                self.read_some()
                found = re.search(pattern, self.screen)
                exited = f"exited {self.proc.returncode} before showing {pattern!r}"
                assert found, f"{exited}:\n{self.screen[-2000:]}"
            return found

        return wait_until(shown, timeout, what=f"{pattern!r} on screen:\n{self.screen[-2000:]}")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def resize(self, cols: int, rows: int) -> None:
        set_size(self.master, cols, rows)

    def wait(self, timeout: float = 60) -> int:
        """Its exit status, once it exited (what it still wrote is read meanwhile)."""

        def exited() -> bool:
            self.read_some()
            return self.proc.poll() is not None

        wait_until(exited, timeout, what=f"exit; screen:\n{self.screen[-2000:]}")
        self.read_some()
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
