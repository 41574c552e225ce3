"""A login shell in a pty on this machine, as a run-as account, contained like a command.

The shell is started by exec only (runas.py: `setpriv` switches the account; no fork next to
gRPC's threads): `setsid --ctty` makes it a session leader with the pty as its controlling
terminal, so a hang-up reaches it the way a closed terminal would. With cgroups it waits behind
a gate (a pipe on its stderr) until the slave moved it into a cgroup of its own.
It ends like a run: SIGHUP to its group, cgroup and marked processes, SIGKILL after the grace.
Its environment is the commands' allow-list (process.py): none of the slave's secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import secrets
import shutil
import signal
import struct
import termios
from collections.abc import Mapping
from typing import Any

from slave.commands.cgroups import Cgroup, CgroupRoot
from slave.commands.process import DEFAULT_PATH, KEPT_ENV, Tree, signal_tree, tree_alive
from slave.commands.runas import SAFE_PATH, RunAs
from slave.terminal.lines import Echo, echo_of
from slave.terminal.shell import CHUNK, ShellError

logger = logging.getLogger(__name__)

_GATE = 'read -r go <&2; exec 2>&1; exec "$@"'
"""Wait for a line on the gate's pipe (stderr until then: stdin must be the pty for setsid,
and sh takes single-digit descriptors only), make stderr the pty, become the shell."""


def shell_env(run_as: RunAs, term: str, base: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed part of the slave's environment, the account's identity, TERM, and a
    run mark (so processes that left the shell's group are still found at hang-up)."""
    env = {key: value for key, value in base.items() if key in KEPT_ENV or key.startswith("LC_")}
    env.setdefault("PATH", DEFAULT_PATH)
    env.update(run_as.env())
    env["TERM"] = term or "xterm-256color"
    env["JOBFLEET_RUN_MARK"] = secrets.token_hex(16)
    return env


def set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows or 24, cols or 80, 0, 0))


class LocalShell:
    """A started local shell; `open()` makes one."""

    echo_each_chunk = True  # a tcgetattr is cheap: the state as each key arrives

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        fd: int,
        tree: Tree,
        cgroups: CgroupRoot | None,
        grace: float,
    ) -> None:
        self.proc = proc
        self.pid = proc.pid
        self._fd = fd
        self._tree = tree
        self._cgroups = cgroups
        self._grace = grace
        self._ended = False
        self._exited = asyncio.ensure_future(proc.wait())

    @classmethod
    async def open(
        cls,
        run_as: RunAs,
        term: str,
        cols: int,
        rows: int,
        cgroups: CgroupRoot | None = None,
        grace: float = 5.0,
    ) -> LocalShell:
        """Start `run_as`'s login shell in a new pty; ShellError says why it could not."""
        fd, tty = os.openpty()
        try:
            set_size(tty, cols, rows)
            if run_as.uid is not None:  # the account may reopen its terminal (tty, stty -F)
                os.fchown(tty, run_as.uid, -1)
                os.fchmod(tty, 0o620)
            env = shell_env(run_as, term, os.environ)
            cgroup = _cgroup(cgroups)
            try:
                proc, gate = await _spawn(run_as, env, tty, cgroup is not None)
            except BaseException:
                if cgroups is not None and cgroup is not None:
                    cgroups.release(cgroup)
                raise
        except BaseException:
            os.close(fd)
            raise
        finally:
            os.close(tty)
        os.set_blocking(fd, False)
        shell = cls(proc, fd, Tree(proc.pid, env["JOBFLEET_RUN_MARK"], cgroup), cgroups, grace)
        if gate is not None:
            await _enter(cgroup, proc.pid, gate)
        return shell

    async def read(self) -> bytes:
        while True:
            try:
                return os.read(self._fd, CHUNK)
            except BlockingIOError:
                if self._exited.done():
                    return b""  # drained after the shell exited
                await _ready(self._fd, self._exited)
            except OSError as exc:
                if exc.errno == errno.EIO:  # every holder of the pty is gone
                    return b""
                raise

    async def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:
                await _ready(self._fd, self._exited, write=True)
                if self._exited.done():
                    return

    async def resize(self, cols: int, rows: int) -> None:
        set_size(self._fd, cols, rows)  # the kernel sends SIGWINCH to the foreground group

    async def echo(self) -> Echo:
        try:
            lflag = termios.tcgetattr(self._fd)[3]
        except termios.error:
            return Echo.UNKNOWN
        return echo_of(lflag, termios.ICANON, termios.ECHO)

    def exit_code(self) -> int:
        if not self._exited.done() or self._exited.cancelled():
            return -1
        code = self._exited.result()
        return code if code >= 0 else 128 - code

    async def hang_up(self) -> None:
        if self._ended:
            return
        self._ended = True
        with contextlib.suppress(OSError):
            os.close(self._fd)  # the kernel hangs up the terminal: SIGHUP to its session
        if signal_tree(self._tree, signal.SIGHUP):
            await self._gone_within(self._grace)
        if tree_alive(self._tree):
            signal_tree(self._tree, signal.SIGKILL)
            await self._gone_within(5.0)
        await self._exited
        if self._cgroups is not None and self._tree.cgroup is not None:
            self._cgroups.release(self._tree.cgroup)

    async def _gone_within(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while tree_alive(self._tree) and loop.time() < deadline:
            await asyncio.sleep(0.05)


def _cgroup(cgroups: CgroupRoot | None) -> Cgroup | None:
    if cgroups is None:
        return None
    try:
        return cgroups.create("terminal")
    except OSError as exc:
        logger.warning("terminal: no cgroup (%s); process group and run mark only", exc)
        return None


async def _spawn(
    run_as: RunAs, env: dict[str, str], tty: int, gated: bool
) -> tuple[asyncio.subprocess.Process, int | None]:
    setsid = shutil.which("setsid", path=SAFE_PATH)
    if setsid is None:
        raise ShellError("cannot open a terminal: setsid (util-linux) is missing")
    login = [run_as.shell or "/bin/sh", "-l"]
    if not os.access(login[0], os.X_OK):
        raise ShellError(f"cannot open a terminal as {run_as.name}: no shell {login[0]}")
    gate_in, gate = os.pipe() if gated else (-1, None)
    argv = [*run_as.launcher(), setsid, "--ctty"]
    argv += ["/bin/sh", "-c", _GATE, "jobfleet-gate", *login] if gated else login
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=tty,
            stdout=tty,
            stderr=gate_in if gated else tty,
            env=env,
            cwd=run_as.cwd(),
        )
    except OSError as exc:
        if gate is not None:
            os.close(gate)
        raise ShellError(f"cannot start {login[0]}: {exc.strerror}") from None
    finally:
        if gated:
            os.close(gate_in)
    return proc, gate


async def _enter(cgroup: Cgroup | None, pid: int, gate: int) -> None:
    """Move the gated shell into its cgroup, then let it go; it runs either way."""
    try:
        if cgroup is not None:
            await asyncio.to_thread(cgroup.adopt, pid)
    except OSError as exc:
        logger.warning("terminal: pid %d not moved into its cgroup (%s)", pid, exc.strerror)
    finally:
        with contextlib.suppress(OSError):
            os.write(gate, b"go\n")
        os.close(gate)


async def _ready(fd: int, exited: asyncio.Future[int], write: bool = False) -> None:
    """Wait until `fd` is readable (or writable), or the shell exited."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    (loop.add_writer if write else loop.add_reader)(fd, wake)
    try:
        waits: set[asyncio.Future[Any]] = {ready, exited}
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        (loop.remove_writer if write else loop.remove_reader)(fd)
