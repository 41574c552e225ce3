"""Start a script in its own process group, and end that whole group.

The pipe is made here (not by asyncio) so the reader owns it: asyncio's managed pipes make
`wait()` block until every holder of the pipe is gone, which a background child can delay
forever. Output is one pipe for stdout and stderr, as a terminal would interleave them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from slave.commands.runas import RunAs
from slave.messages import RunRequest, ScriptType

INTERPRETERS = {ScriptType.SHELL: "bash", ScriptType.PYTHON: "python3", ScriptType.PERL: "perl"}
_SUFFIXES = {ScriptType.SHELL: ".sh", ScriptType.PYTHON: ".py", ScriptType.PERL: ".pl"}
PRIVATE_ENV = frozenset({"JOBFLEET_JOIN_TOKEN"})
"""The slave's own secrets; never handed to the commands it runs."""


class StartError(Exception):
    """The command could not start; the message is the execution's reason."""


@dataclass
class Child:
    """A started command: its process (= group leader), the read end of its output, its script."""

    proc: asyncio.subprocess.Process
    output: asyncio.StreamReader
    transport: asyncio.ReadTransport
    script: Path
    mark: str = ""
    """JOBFLEET_RUN_MARK in its environment: unique to this run, inherited by every descendant."""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        """Stop reading (a child still holding the pipe gets EPIPE) and remove the script."""
        self.transport.close()
        self.script.unlink(missing_ok=True)


def write_script(request: RunRequest, run_as: RunAs, work_dir: Path) -> Path:
    """The script as a private file (0700, owned by the user it runs as)."""
    assert request.script_type is not None
    fd, name = tempfile.mkstemp(
        prefix=f"exec-{request.execution_id}-", suffix=_SUFFIXES[request.script_type], dir=work_dir
    )
    try:
        os.fchmod(fd, 0o700)
        if run_as.uid is not None:
            os.fchown(fd, run_as.uid, run_as.gid if run_as.gid is not None else -1)
        with os.fdopen(fd, "wb", closefd=False) as out:
            out.write(request.script.encode())
    except BaseException:
        os.unlink(name)
        raise
    finally:
        os.close(fd)
    return Path(name)


def child_env(request: RunRequest, run_as: RunAs, base: Mapping[str, str]) -> dict[str, str]:
    env = {key: value for key, value in base.items() if key not in PRIVATE_ENV}
    env.update(run_as.env())
    env.update(request.env)
    env["JOBFLEET_EXECUTION_ID"] = str(request.execution_id)
    env["JOBFLEET_RUN_MARK"] = secrets.token_hex(16)
    return env


async def spawn(request: RunRequest, run_as: RunAs, work_dir: Path, read_limit: int) -> Child:
    """Write the script and start its interpreter in a new session (so a new process group)."""
    if request.script_type is None:
        raise StartError("cannot start: unknown script type")
    interpreter = INTERPRETERS[request.script_type]
    try:
        script = write_script(request, run_as, work_dir)
    except OSError as exc:
        raise StartError(f"cannot write the script to {work_dir}: {exc.strerror}") from None
    env = child_env(request, run_as, os.environ)
    try:
        proc, read_fd = await _exec([interpreter, str(script), *request.args], env, run_as)
    except OSError as exc:
        script.unlink(missing_ok=True)
        raise StartError(f"cannot start {interpreter}: {exc.strerror} ({exc.filename})") from None
    try:
        output, transport = await _reader(read_fd, read_limit)
    except BaseException:
        signal_group(proc.pid, signal.SIGKILL)
        script.unlink(missing_ok=True)
        raise
    return Child(proc, output, transport, script, env["JOBFLEET_RUN_MARK"])


async def _reader(read_fd: int, limit: int) -> tuple[asyncio.StreamReader, asyncio.ReadTransport]:
    output = asyncio.StreamReader(limit=limit)
    pipe = os.fdopen(read_fd, "rb", buffering=0)
    try:
        transport, _ = await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(output), pipe
        )
    except BaseException:
        pipe.close()
        raise
    return output, transport


async def _exec(
    argv: list[str], env: dict[str, str], run_as: RunAs
) -> tuple[asyncio.subprocess.Process, int]:
    read_fd, write_fd = os.pipe()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=write_fd,
            stderr=write_fd,
            env=env,
            cwd=run_as.cwd(),
            start_new_session=True,
            user=run_as.uid,
            group=run_as.gid,
            extra_groups=run_as.groups,
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return proc, read_fd


def signal_group(pgid: int, sig: int) -> bool:
    """Signal the whole group; False when nothing of it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, but not ours to signal
    return True


def group_alive(pgid: int) -> bool:
    """True while a member of the group runs; zombies (exited, not yet reaped) do not count."""
    if not signal_group(pgid, 0):
        return False
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:  # no procfs: trust kill(0)
        return True
    return any(_running_member(pid, pgid) for pid in pids)


def _running_member(pid: str, pgid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()  # the name may hold spaces
    except OSError:
        return False  # gone meanwhile
    return fields[0] != b"Z" and int(fields[2]) == pgid


def escaped(mark: str) -> list[int]:
    """Running processes carrying this run's mark (JOBFLEET_RUN_MARK in the environment they
    started with), wherever they went: `setsid`, double forks and daemons included."""
    needle = f"JOBFLEET_RUN_MARK={mark}".encode()
    found = []
    for name in os.listdir("/proc") if mark and os.path.isdir("/proc") else ():
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as environ:
                marked = needle in environ.read().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if marked and _running(name):
            found.append(int(name))
    return found


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def signal_tree(pgid: int, mark: str, sig: int) -> bool:
    """Signal the group and every process that escaped it; False when nothing is left."""
    hit = signal_group(pgid, sig)
    for pid in escaped(mark):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
            hit = True
    return hit


def tree_alive(pgid: int, mark: str) -> bool:
    return group_alive(pgid) or bool(escaped(mark))


async def end_group(pgid: int, grace: float, poll: float = 0.05, mark: str = "") -> bool:
    """SIGTERM the group (and, given the run's mark, the processes that left it), SIGKILL
    whatever still runs after `grace`. True if SIGKILL was sent."""
    if not signal_tree(pgid, mark, signal.SIGTERM):
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        await asyncio.sleep(min(poll, max(0.0, deadline - loop.time())))
        if not tree_alive(pgid, mark):
            return False
    return signal_tree(pgid, mark, signal.SIGKILL)
