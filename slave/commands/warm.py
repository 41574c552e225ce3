"""Shells already inside fresh cgroups, so a run starts without moving a process.

Moving a pid into a cgroup waits for an RCU grace period (9-14 ms after a quiet moment, see
cgroups.py); a process started by a member of a cgroup is born in it and costs nothing. The
pool keeps a few `/bin/sh -s` waiting on their stdin (the gate), each the only member of a
cgroup of its own and the leader of a session of its own, moved in ahead of time, off the path
of any run. A run takes one and writes it a short program: `cd` to the run's directory, set
the run's environment (and nothing else), then `exec <launcher> /bin/sh -c 'exec "$@"'
<interpreter> <script> <args> </dev/null`: the same pid becomes the command, with exactly the
environment, stdin and chain of execs an ordinary start gives it (the account's sh looks the
interpreter up, as behind the gate: setpriv's own lookup would differ where PATH holds
directories the account may not enter), and it is inside its cgroup before it can fork. The
pool refills in the background; when it is empty (a burst), the run starts the ordinary way
(gate, move, open). A waiting shell moves itself in: the first line it reads writes its own pid
to its cgroup's `cgroup.procs` (it exits MOVE_FAILED if it cannot), so filling the pool takes
no thread of the slave's, and a shell is handed out only once its cgroup is populated (it is
inside), before which it reads no program.

The pool's processes belong to one event loop (the slave's), so the pool is opt-in: the
daemon opens a `WarmRoot`, one-shot callers (tests, `asyncio.run` per run) a plain CgroupRoot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from slave.commands.cgroups import Cgroup, CgroupRoot
from slave.commands.pipes import output_pipe
from slave.commands.reaping import Process, start_process
from slave.commands.runas import SAFE_PATH

logger = logging.getLogger(__name__)

MAX_PROGRAM = 60_000
MOVE_FAILED = 125
"""How a waiting shell that could not move itself into its cgroup exits."""
"""A program longer than this would not fit the gate pipe in one write: start the ordinary way."""
ENV = shutil.which("env", path=SAFE_PATH) or "/usr/bin/env"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A name sh can export."""


@dataclass
class Warm:
    """One waiting shell: its process, the read ends of its stdout and stderr, its cgroup."""

    proc: Process
    read_fds: tuple[int, int]
    gate: int
    cgroup: Cgroup

    def launch(self, program: bytes) -> bool:
        """Hand it its program (False: the shell is gone; the caller discards it)."""
        try:
            written = os.write(self.gate, program)
        except OSError:
            return False
        finally:
            os.close(self.gate)
            self.gate = -1
        return written == len(program)

    def discard(self) -> None:
        """Kill it and close what the slave holds of it (its cgroup goes via the pool's root)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for fd in (*self.read_fds, self.gate):
            if fd < 0:
                continue
            with contextlib.suppress(OSError):
                os.close(fd)


def program(launcher: list[str], argv: list[str], env: Mapping[str, str], cwd: str) -> bytes | None:
    """What a waiting shell runs to become the command; None when it cannot say it (a NUL
    byte, too long): start the ordinary way. The shell sets the environment itself (its own
    PATH and the PWD and OLDPWD it made go first), or, for a name a shell cannot export,
    through `env -i`, one exec more."""
    pairs = [f"{key}={value}" for key, value in env.items()]
    if any("\0" in word for word in (*pairs, *launcher, *argv, cwd)):
        return None
    lines = [f"cd -- {shlex.quote(cwd)} || exit 126"]
    words = [*launcher, *argv]
    if all(NAME.fullmatch(key) for key in env):
        lines.append("unset PATH PWD OLDPWD")
        lines += [f"export {_quoted(pairs)}"] if pairs else []
    else:
        words = [ENV, "-i", "--", *pairs, *words]
    lines.append(f"exec {_quoted(words)} </dev/null\n")
    text = "\n".join(lines).encode()
    return text if len(text) <= MAX_PROGRAM else None


def _quoted(words: list[str]) -> str:
    return " ".join(map(shlex.quote, words))


class WarmPool:
    """Up to `size` waiting shells in their cgroups under `root`, refilled after each take."""

    def __init__(self, root: CgroupRoot, size: int = 2, delay: float = 0.02) -> None:
        self.root = root
        self.size = size
        self.delay = delay
        """Seconds a refill waits, so it does not compete with the start that emptied it."""
        self._ready: list[Warm] = []
        self._filling: asyncio.Task[None] | None = None
        self._broken = False

    def take(self) -> Warm | None:
        """A live waiting shell inside its cgroup, or None (empty, or none moved in yet: the
        caller starts the ordinary way)."""
        self.refill()
        for warm in list(self._ready):
            if warm.proc.returncode is not None:
                self._ready.remove(warm)
                self._gone(warm)
            elif warm.cgroup.alive():
                self._ready.remove(warm)
                self.refill()
                return warm
        return None

    def _gone(self, warm: Warm) -> None:
        self.drop(warm)
        if warm.proc.returncode == MOVE_FAILED and not self._broken:
            self._broken = True
            logger.warning(
                "no warm cgroups (a shell cannot enter %s): runs are moved into theirs as "
                "they start",
                warm.cgroup.path,
            )

    def refill(self) -> None:
        """Start filling in the background unless it is full or already filling."""
        if self._broken or len(self._ready) >= self.size:
            return
        if self._filling is None or self._filling.done():
            self._filling = asyncio.get_running_loop().create_task(self._fill())

    async def _fill(self) -> None:
        await asyncio.sleep(self.delay)
        while not self._broken and len(self._ready) < self.size:
            try:
                self._ready.append(self._start_one())
            except OSError as exc:
                self._broken = True
                logger.warning(
                    "no warm cgroups (%s): runs are moved into theirs as they start", exc
                )
            await asyncio.sleep(0)  # runs go between two starts

    def _start_one(self) -> Warm:
        cgroup = self.root.create("run")
        out_read, out_write = output_pipe()
        err_read, err_write = output_pipe()
        gate_in, gate = os.pipe()
        try:
            proc = start_process(
                ["/bin/sh", "-s"],
                stdin=gate_in,
                stdout=out_write,
                stderr=err_write,
                env={"PATH": SAFE_PATH},
                cwd="/",
            )
        except BaseException:
            for fd in (out_read, err_read, gate):
                os.close(fd)
            self.root.release(cgroup)
            raise
        finally:
            for fd in (out_write, err_write, gate_in):
                os.close(fd)
        warm = Warm(proc, (out_read, err_read), gate, cgroup)
        procs = shlex.quote(str(cgroup.path / "cgroup.procs"))
        try:
            os.write(gate, f"echo $$ >{procs} || exit {MOVE_FAILED}\n".encode())
        except BaseException:
            self.drop(warm)
            raise
        return warm

    def drop(self, warm: Warm) -> None:
        warm.discard()
        self.root.release(warm.cgroup)

    async def close(self) -> None:
        """Kill the waiting shells and remove their cgroups (once they are gone)."""
        self._broken = True
        if self._filling is not None:
            self._filling.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._filling
        ready, self._ready = self._ready, []
        for warm in ready:
            warm.discard()
        for warm in ready:
            with contextlib.suppress(subprocess.TimeoutExpired, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(warm.proc.wait()), 5.0)
            self.root.release(warm.cgroup)


class WarmRoot(CgroupRoot):
    """A CgroupRoot whose runs start from a pool of waiting shells (the daemon's)."""

    def __init__(self, path: Path, kill_file: bool = True) -> None:
        super().__init__(path, kill_file)
        self.warm = WarmPool(self)

    async def close(self, grace: float = 1.0) -> None:
        await self.warm.close()
        await super().close(grace)
