"""Start a script in its own process group (and cgroup, when the slave may), and end all of it.

A run's processes are found three ways (`Tree`): its process group; its cgroup, which no
descendant can leave (slave/commands/cgroups.py); and the run mark in the environment they
started with, for processes that left the group where no cgroup holds them.

A run gets an environment built from an allow-list (`child_env`), a directory of its own that
only its account may enter, and starts as that account by exec (runas.py: never a fork next
to gRPC's threads).

The pipes are made here (not by asyncio) so the reader owns them: asyncio's managed pipes make
`wait()` block until every holder of a pipe is gone, which a background child can delay
forever. stdout and stderr are two pipes, read as one sequence in order of arrival (pipes.py).
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from slave.commands.cgroups import Cgroup, CgroupRoot, gated, through_sh
from slave.commands.pipes import PipePair, output_pipe
from slave.commands.reaping import Process, start_process
from slave.commands.runas import RunAs
from slave.commands.warm import Warm, WarmRoot, program
from slave.messages import RunRequest, ScriptType

logger = logging.getLogger(__name__)

INTERPRETERS = {ScriptType.SHELL: "bash", ScriptType.PYTHON: "python3", ScriptType.PERL: "perl"}
_SUFFIXES = {ScriptType.SHELL: ".sh", ScriptType.PYTHON: ".py", ScriptType.PERL: ".pl"}
KEPT_ENV = frozenset({"PATH", "LANG", "LANGUAGE", "TZ"})
"""What a command gets of the slave's environment (and LC_*): nothing else of it, so neither
the slave's secrets nor whatever its operator had set reach another project's command."""
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
"""PATH when the slave has none."""


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
    """A started command: its process (= group leader), the read ends of its stdout and
    stderr, its directory, and where all its processes are."""

    proc: Process
    output: PipePair
    run_dir: Path
    """The run's own directory (its script, whatever it writes beside it)."""
    tree: Tree

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        """Stop reading (a child still holding a pipe gets EPIPE)."""
        self.output.close()

    async def remove_files(self) -> None:
        """Remove the run's directory: at once when it holds its script alone (nearly always),
        else in a thread, as the run decides how much it holds."""
        if not _remove_lone_file(self.run_dir):
            await asyncio.to_thread(remove_run_dir, self.run_dir)


def write_script(request: RunRequest, run_as: RunAs, work_dir: Path) -> Path:
    """A directory of the run's own under `work_dir` (0700, owned by the account it runs as,
    so no other account reads its script or its files), with the script in it."""
    assert request.script_type is not None
    run_dir = _new_run_dir(work_dir, f"exec-{request.execution_id}-")
    script = run_dir / f"exec-{request.execution_id}{_SUFFIXES[request.script_type]}"
    try:
        fd = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o700)
        with os.fdopen(fd, "wb") as out:
            out.write(request.script.encode())
        if run_as.uid is not None:  # the account gets it only once it is written
            gid = -1 if run_as.gid is None else run_as.gid
            os.chown(script, run_as.uid, gid)
            os.chown(run_dir, run_as.uid, gid)
    except BaseException:
        remove_run_dir(run_dir)
        raise
    return script


def _new_run_dir(work_dir: Path, prefix: str) -> Path:
    """A new 0700 directory `<prefix><random>` under `work_dir` (as mkdtemp, with less work)."""
    while True:
        run_dir = work_dir / f"{prefix}{secrets.token_hex(5)}"
        try:
            os.mkdir(run_dir, 0o700)
        except FileExistsError:
            continue
        return run_dir


def _remove_lone_file(run_dir: Path) -> bool:
    """Remove the directory if it holds one plain file (or symlink) and nothing else; False
    (nothing or part removed) when it holds more, or a directory: rmtree's work."""
    try:
        names = os.listdir(run_dir)
        if len(names) > 1:
            return False
        for name in names:
            os.unlink(os.path.join(run_dir, name))  # a symlink goes, its target stays
        os.rmdir(run_dir)
    except OSError:
        return False
    return True


def remove_run_dir(run_dir: Path) -> None:
    """rmtree (fd-based: a symlink the run left in it is removed, never followed)."""
    shutil.rmtree(run_dir, ignore_errors=True)


def child_env(request: RunRequest, run_as: RunAs, base: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed part of the slave's environment, the account's identity, the step's
    own variables, and the execution's id and run mark."""
    env = {key: value for key, value in base.items() if key in KEPT_ENV or key.startswith("LC_")}
    env.setdefault("PATH", DEFAULT_PATH)
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
    launcher = run_as.launcher()
    try:
        script = write_script(request, run_as, work_dir)
    except OSError as exc:
        raise StartError(f"cannot write the script to {work_dir}: {exc.strerror}") from None
    env = child_env(request, run_as, os.environ)
    command = [interpreter, str(script), *request.args]
    try:
        warm = _take_warm(cgroups, launcher, command, env, run_as.cwd())
    except OSError as exc:
        remove_run_dir(script.parent)
        raise StartError(f"cannot start {interpreter}: {exc.strerror} ({exc.filename})") from None
    if warm is not None:
        tree = Tree(warm.proc.pid, env["JOBFLEET_RUN_MARK"], warm.cgroup)
        return await _connect(warm.proc, warm.read_fds, script.parent, tree, cgroups, read_limit)
    cgroup = _new_cgroup(cgroups, request.execution_id)
    try:
        proc, read_fds, gate = _exec(launcher, command, env, run_as.cwd(), cgroup is not None)
    except OSError as exc:
        remove_run_dir(script.parent)
        _release(cgroups, cgroup)
        raise StartError(f"cannot start {interpreter}: {exc.strerror} ({exc.filename})") from None
    tree = Tree(proc.pid, env["JOBFLEET_RUN_MARK"], cgroup)
    try:
        if cgroup is not None and gate is not None:
            await _enter(cgroup, proc.pid, gate, request.execution_id)
    except BaseException:
        for fd in read_fds:
            os.close(fd)
        _abandon(tree, script.parent, cgroups)
        raise
    return await _connect(proc, read_fds, script.parent, tree, cgroups, read_limit)


async def _connect(
    proc: Process,
    read_fds: tuple[int, int],
    run_dir: Path,
    tree: Tree,
    cgroups: CgroupRoot | None,
    read_limit: int,
) -> Child:
    try:
        output = await PipePair.connect(*read_fds, read_limit)
    except BaseException:
        _abandon(tree, run_dir, cgroups)
        raise
    return Child(proc, output, run_dir, tree)


def _take_warm(
    cgroups: CgroupRoot | None, launcher: list[str], argv: list[str], env: dict[str, str], cwd: str
) -> Warm | None:
    """A waiting shell in its cgroup, now running `launcher + argv` (warm.py); None: start
    the ordinary way. FileNotFoundError when the interpreter is missing, as _exec says it."""
    if not isinstance(cgroups, WarmRoot):
        return None
    _must_find(argv[0], env)
    text = program(launcher, through_sh(argv, env), env, cwd)
    while text is not None and (warm := cgroups.warm.take()) is not None:
        if warm.launch(text):
            return warm
        cgroups.warm.drop(warm)
    return None


_FOUND: dict[tuple[str, str], str] = {}
"""(program, PATH) -> where it was found: one access() per run instead of a PATH walk."""
_FOUND_MAX = 64


def _must_find(program: str, env: Mapping[str, str]) -> None:
    """FileNotFoundError, as an exec would raise it, unless `program` is on the env's PATH."""
    key = (program, env.get("PATH", os.defpath))
    found = _FOUND.get(key)
    if found is not None and os.access(found, os.X_OK):
        return
    found = shutil.which(program, path=key[1])
    if found is None:
        _FOUND.pop(key, None)
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)
    if len(_FOUND) >= _FOUND_MAX:
        _FOUND.clear()
    _FOUND[key] = found


def _abandon(tree: Tree, run_dir: Path, cgroups: CgroupRoot | None) -> None:
    """A start that failed half-way: leave nothing of it behind."""
    signal_tree(tree, signal.SIGKILL)
    remove_run_dir(run_dir)
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


def _exec(
    launcher: list[str], argv: list[str], env: dict[str, str], cwd: str, behind_gate: bool
) -> tuple[Process, tuple[int, int], int | None]:
    """Start `launcher + argv`; returns the process, the read ends of its stdout and stderr,
    and with `behind_gate` the write end of the gate argv waits behind (cgroups.gated).
    setpriv or sh would only say "not found" on the output: a missing interpreter is an error
    here, as when argv is started directly.

    Nothing runs between fork and exec but CPython's own C code, so CPython uses vfork (no
    user=/group=/preexec_fn: see runas.py); the launcher switches the account."""
    wrapped = behind_gate or bool(launcher)
    if wrapped:
        _must_find(argv[0], env)
    out_read, out_write = output_pipe()
    err_read, err_write = output_pipe()
    gate_in, gate = os.pipe() if behind_gate else (subprocess.DEVNULL, None)
    try:
        proc = start_process(
            [*launcher, *(gated(argv, env) if behind_gate else argv)],
            stdin=gate_in,
            stdout=out_write,
            stderr=err_write,
            env=env,
            cwd=cwd,
        )
    except BaseException:
        os.close(out_read)
        os.close(err_read)
        if gate is not None:
            os.close(gate)
        raise
    finally:
        os.close(out_write)
        os.close(err_write)
        if gate is not None:
            os.close(gate_in)
    return proc, (out_read, err_read), gate


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
