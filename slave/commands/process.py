"""Start a script in its own process group (and cgroup, when the slave may), and end all of it.

A run's processes are found three ways (`Tree`): its process group; its cgroup, which no
descendant can leave (slave/commands/cgroups.py); and the run mark in the environment they
started with, for processes that left the group where no cgroup holds them.

The pipe is made here (not by asyncio) so the reader owns it: asyncio's managed pipes make
`wait()` block until every holder of the pipe is gone, which a background child can delay
forever. Output is one pipe for stdout and stderr, as a terminal would interleave them.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from slave.commands.cgroups import Cgroup, CgroupRoot, gated
from slave.commands.runas import RunAs
from slave.messages import RunRequest, ScriptType

logger = logging.getLogger(__name__)

INTERPRETERS = {ScriptType.SHELL: "bash", ScriptType.PYTHON: "python3", ScriptType.PERL: "perl"}
_SUFFIXES = {ScriptType.SHELL: ".sh", ScriptType.PYTHON: ".py", ScriptType.PERL: ".pl"}
PRIVATE_ENV = frozenset({"JOBFLEET_JOIN_TOKEN"})
"""The slave's own secrets; never handed to the commands it runs."""


class StartError(Exception):
    """The command could not start; the message is the execution's reason."""


@dataclass(frozen=True)
class Tree:
    """Where a run's processes are: its process group, its mark, its cgroup."""

    pgid: int
    mark: str = ""
    """JOBFLEET_RUN_MARK in its environment: unique to this run, inherited unless cleared."""
    cgroup: Cgroup | None = None
    """None = the slave does not use cgroups, or could not make one for this run."""


@dataclass
class Child:
    """A started command: its process (= group leader), the read end of its output, its script,
    and where all its processes are."""

    proc: asyncio.subprocess.Process
    output: asyncio.StreamReader
    transport: asyncio.ReadTransport
    script: Path
    tree: Tree

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


async def spawn(
    request: RunRequest,
    run_as: RunAs,
    work_dir: Path,
    read_limit: int,
    cgroups: CgroupRoot | None = None,
) -> Child:
    """Write the script and start its interpreter in a new session (so a new process group),
    inside a cgroup of its own when `cgroups` is given."""
    if request.script_type is None:
        raise StartError("cannot start: unknown script type")
    interpreter = INTERPRETERS[request.script_type]
    try:
        script = write_script(request, run_as, work_dir)
    except OSError as exc:
        raise StartError(f"cannot write the script to {work_dir}: {exc.strerror}") from None
    env = child_env(request, run_as, os.environ)
    cgroup = _new_cgroup(cgroups, request.execution_id)
    try:
        proc, read_fd, gate = await _exec(
            [interpreter, str(script), *request.args], env, run_as, cgroup is not None
        )
    except OSError as exc:
        script.unlink(missing_ok=True)
        _release(cgroups, cgroup)
        raise StartError(f"cannot start {interpreter}: {exc.strerror} ({exc.filename})") from None
    tree = Tree(proc.pid, env["JOBFLEET_RUN_MARK"], cgroup)
    try:
        if cgroup is not None and gate is not None:
            await _enter(cgroup, proc.pid, gate, request.execution_id)
    except BaseException:
        os.close(read_fd)
        _abandon(tree, script, cgroups)
        raise
    try:
        output, transport = await _reader(read_fd, read_limit)
    except BaseException:
        _abandon(tree, script, cgroups)
        raise
    return Child(proc, output, transport, script, tree)


def _abandon(tree: Tree, script: Path, cgroups: CgroupRoot | None) -> None:
    """A start that failed half-way: leave nothing of it behind."""
    signal_tree(tree, signal.SIGKILL)
    script.unlink(missing_ok=True)
    _release(cgroups, tree.cgroup)


def _new_cgroup(cgroups: CgroupRoot | None, execution_id: int) -> Cgroup | None:
    if cgroups is None:
        return None
    try:
        return cgroups.create(f"exec-{execution_id}")
    except OSError as exc:
        logger.warning(
            "exec %d: no cgroup (%s); process group and run mark only", execution_id, exc
        )
        return None


async def _enter(cgroup: Cgroup, pid: int, gate: int, execution_id: int) -> None:
    """Move the gated child into its cgroup (in a thread: a migration takes milliseconds),
    then open the gate; it runs either way."""
    try:
        await asyncio.to_thread(cgroup.adopt, pid)
    except ProcessLookupError:
        pass  # over already
    except OSError as exc:
        logger.warning(
            "exec %d: pid %d not moved into its cgroup (%s); process group and run mark only",
            execution_id,
            pid,
            exc.strerror,
        )
    finally:
        with contextlib.suppress(OSError):
            os.write(gate, b"go\n")
        os.close(gate)


def _release(cgroups: CgroupRoot | None, cgroup: Cgroup | None) -> None:
    if cgroups is not None and cgroup is not None:
        cgroups.release(cgroup)


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
    argv: list[str], env: dict[str, str], run_as: RunAs, behind_gate: bool
) -> tuple[asyncio.subprocess.Process, int, int | None]:
    """Start argv; with `behind_gate`, behind a gate (cgroups.gated) whose write end is
    returned. sh would only say "not found" on the output: a missing interpreter is an error
    here, as without the gate."""
    if behind_gate and shutil.which(argv[0], path=env.get("PATH", os.defpath)) is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), argv[0])
    read_fd, write_fd = os.pipe()
    gate_in, gate = os.pipe() if behind_gate else (subprocess.DEVNULL, None)
    try:
        proc = await asyncio.create_subprocess_exec(
            *(gated(argv, env) if behind_gate else argv),
            stdin=gate_in,
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
        if gate is not None:
            os.close(gate)
        raise
    finally:
        os.close(write_fd)
        if gate is not None:
            os.close(gate_in)
    return proc, read_fd, gate


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


def signal_tree(tree: Tree, sig: int) -> bool:
    """Signal the group, then once each process of the run outside it (its cgroup's members,
    the processes carrying its mark); SIGKILL kills the cgroup whole (cgroup.kill). False when
    nothing is left."""
    hit = signal_group(tree.pgid, sig)
    others = set(escaped(tree.mark))
    if tree.cgroup is not None:
        if sig == signal.SIGKILL:
            hit = tree.cgroup.kill() or hit
        else:
            others.update(tree.cgroup.pids())
    for pid in _outside(tree.pgid, others):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
            hit = True
    return hit


def _outside(pgid: int, pids: Iterable[int]) -> list[int]:
    """Those not in the group (which killpg reached already: a trap must not run twice)."""
    found = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(pid) != pgid:
                found.append(pid)
    return found


def tree_alive(tree: Tree) -> bool:
    in_cgroup = tree.cgroup is not None and tree.cgroup.alive()
    return in_cgroup or group_alive(tree.pgid) or bool(escaped(tree.mark))


async def end_group(tree: Tree, grace: float, poll: float = 0.05) -> bool:
    """SIGTERM the run's processes (group, cgroup, marked), SIGKILL whatever still runs after
    `grace`. True if SIGKILL was sent."""
    if not signal_tree(tree, signal.SIGTERM):
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        await asyncio.sleep(min(poll, max(0.0, deadline - loop.time())))
        if not tree_alive(tree):
            return False
    return signal_tree(tree, signal.SIGKILL)
