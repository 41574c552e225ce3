"""cgroup v2 containment: one cgroup per run, so a kill reaches every process the run started.

A process leaves its process group with `setsid` or a double fork, and sheds the run mark with
`env -i`; it cannot leave its cgroup without write access to a common ancestor's cgroup.procs.
The slave makes `<its own cgroup>/jobfleet-<slave pid>/exec-<execution id>-<random>` per run
and ends it with cgroup.kill (Linux >= 5.14), or by freezing it, SIGKILLing every member and
thawing it (a frozen cgroup cannot fork; a fatal signal still ends a frozen process).

A run is inside before its script can fork: it starts as `/bin/sh` waiting on a gate (`gated`),
the slave moves its pid in and opens the gate, and sh execs the interpreter (same pid, same
environment). Two simpler ways were measured and rejected:
- Moving the pid after an ordinary start races with the script's first fork (bash forks ~1 ms
  after exec): `scripts/bench_kill.py --race --repeat 30` finds 6-13 of 30 `env -i setsid`
  children outside the cgroup; behind the gate, 0 of 30.
- A preexec_fn writing "0" to cgroup.procs runs Python in the forked child of a threaded
  process (gRPC): CPython's after-fork code in the child segfaulted under the unit tests.
  CPython also calls preexec_fn after setreuid, so a run-as user could only write through a
  descriptor the slave opened (Linux >= 5.16 checks the opener's credentials).
The gate puts the slave, with its own rights, in charge of the move on any kernel. A move waits
for an RCU grace period unless another one happened just before (9-14 ms after 50 ms idle,
0.04 ms back to back, on the 6.18 test kernel), so it runs in a worker thread, never on the
event loop. The daemon takes the move off the run's path altogether: warm.py keeps shells
waiting inside fresh cgroups, and a run becomes one of them by exec.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
import secrets
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Self

logger = logging.getLogger(__name__)

PREFIX = "jobfleet-"
"""Per-slave directories are `jobfleet-<slave pid>`."""


_EXEC = 'case $1 in =*) PWD=${1#=}; export PWD;; *) unset PWD;; esac; shift; exec "$@"'
"""Put back the PWD sh changed and exec the command (sh, as the run's account, looks it up)."""
_GATE = "read -r go; exec </dev/null; " + _EXEC
"""Wait for a line on stdin, give the command /dev/null as stdin, then as _EXEC."""


def gated(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """`argv` behind a gate: it runs once a line (or EOF) arrives on its stdin, with `env` as
    given. Start it with stdin a pipe; move its pid; then write the line."""
    return ["/bin/sh", "-c", _GATE, "jobfleet-gate", _pwd(env), *argv]


def through_sh(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """`argv` exec'd by /bin/sh as a gated start does it, without the gate (warm.py)."""
    return ["/bin/sh", "-c", _EXEC, "jobfleet-run", _pwd(env), *argv]


def _pwd(env: Mapping[str, str]) -> str:
    return f"={env['PWD']}" if "PWD" in env else "-"


class CgroupsUnavailable(Exception):
    """cgroup v2 cannot be used here; the message says why."""


def cgroup2_mounts(mountinfo: str) -> list[tuple[str, Path]]:
    """(root inside the hierarchy, mount point) of each cgroup2 mount in /proc/self/mountinfo."""
    mounts = []
    for line in mountinfo.splitlines():
        fields = line.split()
        try:
            fstype = fields[fields.index("-", 6) + 1]  # optional fields end at "-"
        except (ValueError, IndexError):
            continue
        if fstype == "cgroup2":
            mounts.append((_unescape(fields[3]), Path(_unescape(fields[4]))))
    return mounts


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


def own_cgroup(proc_cgroup: str) -> str | None:
    """The v2 path in /proc/self/cgroup: "0::/a/b" gives "/a/b"."""
    for line in proc_cgroup.splitlines():
        if line.startswith("0::"):
            return line[3:]
    return None


def locate(mountinfo: str, proc_cgroup: str) -> Path:
    """The directory of this process's own cgroup v2, as mounted here."""
    mounts = cgroup2_mounts(mountinfo)
    if not mounts:
        raise CgroupsUnavailable("no cgroup2 hierarchy is mounted")
    path = own_cgroup(proc_cgroup)
    if path is None:
        raise CgroupsUnavailable("/proc/self/cgroup has no cgroup v2 line (0::)")
    for root, mount_point in mounts:
        relative = os.path.relpath(path, root)
        if not relative.startswith(".."):
            return mount_point / relative
    raise CgroupsUnavailable(f"the slave's cgroup {path} is not inside any mounted cgroup2")


class Cgroup:
    """One run's cgroup: enter it, list or kill its members, remove it once empty."""

    def __init__(self, path: Path, kill_file: bool = True) -> None:
        self.path = path
        self.kill_file = kill_file
        """Kill by writing cgroup.kill; False = freeze, SIGKILL each member, thaw."""
        self.killed = False

    def adopt(self, pid: int) -> None:
        """Move a process in (OSError if the kernel refuses; ProcessLookupError: it is gone)."""
        (self.path / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        """The members of this cgroup and of any cgroup a member made below it."""
        found = []
        for directory, _, _ in os.walk(self.path):
            with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                found += [int(pid) for pid in Path(directory, "cgroup.procs").read_text().split()]
        return found

    def alive(self) -> bool:
        """True while a process runs in it (exited, unreaped processes do not count)."""
        try:
            events = (self.path / "cgroup.events").read_text()
        except FileNotFoundError:
            return False
        return "populated 1" in events.splitlines()

    def kill(self) -> bool:
        """SIGKILL every member, forks in flight included; False when it held none."""
        self.killed = True
        if not self.alive():
            return False
        if self.kill_file:
            (self.path / "cgroup.kill").write_text("1")
        else:
            self._freeze_and_kill()
        return True

    def _freeze_and_kill(self) -> None:
        """For kernels without cgroup.kill. Once frozen, no member can fork a new one unseen."""
        (self.path / "cgroup.freeze").write_text("1")
        try:
            killed: set[int] = set()
            while fresh := set(self.pids()) - killed:
                for pid in fresh:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                killed |= fresh
        finally:
            with contextlib.suppress(FileNotFoundError):
                (self.path / "cgroup.freeze").write_text("0")

    async def wait_empty(self, timeout: float, poll: float = 0.01) -> bool:
        """Wait until no process runs in it; False if some still did after `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.alive():
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(poll)
        return True

    def remove(self) -> bool:
        """rmdir it (and what members made below it); False while a process is inside."""
        try:
            os.rmdir(self.path)  # nearly always: empty, and nothing made below it
        except FileNotFoundError:
            return True
        except OSError:
            pass  # busy: a process inside, or cgroups below (the walk says which)
        else:
            return True
        for directory, _, _ in os.walk(self.path, topdown=False):
            try:
                os.rmdir(directory)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    logger.warning("cannot remove cgroup %s: %s", directory, exc.strerror)
        return not self.path.exists()


class CgroupRoot:
    """This slave's part of the hierarchy, `<own cgroup>/jobfleet-<pid>`; one cgroup per run
    below it. A run's cgroup that still holds processes when the run is over (a background
    daemon it started) is kept and removed once it is empty."""

    def __init__(self, path: Path, kill_file: bool = True) -> None:
        self.path = path
        self.kill_file = kill_file
        self._lingering: set[Cgroup] = set()

    @classmethod
    def open(cls) -> Self:
        """Find the hierarchy, clear stale slaves' cgroups, make ours and try it on a process;
        CgroupsUnavailable says why the slave may not."""
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
            proc_cgroup = Path("/proc/self/cgroup").read_text()
        except OSError as exc:
            raise CgroupsUnavailable(f"cannot read /proc: {exc.strerror}") from None
        own = locate(mountinfo, proc_cgroup)
        path = own / f"{PREFIX}{os.getpid()}"
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            raise CgroupsUnavailable(f"cannot create {path}: {exc.strerror}") from None
        sweep_stale(own)
        root = cls(path, (path / "cgroup.kill").exists())
        try:
            root.probe()
        except (OSError, CgroupsUnavailable) as exc:
            with contextlib.suppress(OSError):
                path.rmdir()
            raise CgroupsUnavailable(f"cannot contain a process in {path}: {exc}") from None
        return root

    def probe(self) -> None:
        """Do to one throwaway process what every run gets: gate, move, kill, remove."""
        cgroup = self.create("probe")
        try:
            proc = subprocess.Popen(gated(["true"], {}), stdin=subprocess.PIPE)
            try:
                cgroup.adopt(proc.pid)
                if proc.pid not in cgroup.pids():
                    raise CgroupsUnavailable("a process moved in is not listed in it")
                cgroup.kill()
            finally:
                proc.kill()
                proc.wait()
                assert proc.stdin is not None
                proc.stdin.close()
        finally:
            self.release(cgroup)

    def create(self, label: str) -> Cgroup:
        """A new, empty cgroup for one run; `label` starts its name (`exec-42`)."""
        self.prune()
        path = self.path / f"{label}-{secrets.token_hex(4)}"
        path.mkdir()
        return Cgroup(path, self.kill_file)

    def release(self, cgroup: Cgroup) -> None:
        """Remove it now, or as soon as it is empty."""
        if not cgroup.remove():
            self._lingering.add(cgroup)

    def prune(self) -> None:
        self._lingering = {cgroup for cgroup in self._lingering if not cgroup.remove()}

    async def close(self, grace: float = 1.0) -> None:
        """At slave exit: give killed runs `grace` s to be gone, then remove what is empty."""
        killed = [cgroup for cgroup in self._lingering if cgroup.killed]
        await asyncio.gather(*(cgroup.wait_empty(grace) for cgroup in killed))
        self.prune()
        if self._lingering:
            logger.info(
                "%d cgroups under %s still hold processes of finished executions; left",
                len(self._lingering),
                self.path,
            )
            return
        try:
            self.path.rmdir()
        except FileNotFoundError:
            pass
        except OSError as exc:  # a cgroup made below it by someone else
            logger.info("cgroup %s left: %s", self.path, exc.strerror)


def sweep_stale(own: Path) -> None:
    """Remove the empty cgroups of slaves that are gone (a SIGKILLed slave cannot clean up)."""
    for entry in own.glob(f"{PREFIX}*"):
        pid = entry.name.removeprefix(PREFIX)
        if not pid.isdigit() or int(pid) == os.getpid() or _exists(int(pid)):
            continue
        stale = Cgroup(entry)
        if stale.remove():
            logger.info("removed %s, left by a slave that is gone", entry)
        else:
            logger.warning(
                "%s, left by a slave that is gone, still holds %d processes; left as it is",
                entry,
                len(stale.pids()),
            )


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
