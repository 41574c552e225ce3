"""Who a command runs as: the slave's own account, or (only when the slave is root) another.

A switch is made by exec, never in a forked child: `setpriv` (util-linux) goes in front of the
command's argv, so CPython can start it with vfork+exec. `subprocess`'s `user=`/`group=`/
`extra_groups=` would make it fork() instead, and in a process full of gRPC threads gRPC's
fork handlers run in the child, which then dies of SIGSEGV now and then (16 starts of 200
next to a live stream to the master; docs/isolation.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import time
from dataclasses import dataclass

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""Where the slave looks for setpriv, whatever PATH it was started with."""


class RunAsError(Exception):
    """The command cannot run as the requested user; the message is the execution's reason."""


@dataclass(frozen=True)
class RunAs:
    name: str
    home: str
    shell: str = "/bin/sh"
    uid: int | None = None
    """None = keep the slave's identity (no switch)."""
    gid: int | None = None
    groups: tuple[int, ...] = ()

    def env(self) -> dict[str, str]:
        """Identity variables of the account, as a login would set them."""
        return {"HOME": self.home, "USER": self.name, "LOGNAME": self.name, "SHELL": self.shell}

    def cwd(self) -> str:
        """Commands start in the user's home, as over SSH; "/" when it does not exist."""
        return self.home if self.home and os.path.isdir(self.home) else "/"

    def launcher(self) -> list[str]:
        """What goes in front of a command's argv to run it as this account ([] = no switch)."""
        if self.uid is None:
            return []
        setpriv = _setpriv()
        if setpriv is None:
            raise RunAsError(f"cannot run as {self.name}: setpriv (util-linux) is missing")
        groups = f"--groups={','.join(map(str, self.groups))}" if self.groups else "--clear-groups"
        gid = self.uid if self.gid is None else self.gid
        return [setpriv, f"--reuid={self.uid}", f"--regid={gid}", groups, "--"]


_setpriv_at: list[str] = []
"""Where setpriv was found (once found: a PATH walk per run would cost more than the rest)."""


def _setpriv() -> str | None:
    if not _setpriv_at or not os.access(_setpriv_at[0], os.X_OK):
        found = shutil.which("setpriv", path=SAFE_PATH)
        _setpriv_at[:] = [found] if found else []
    return _setpriv_at[0] if _setpriv_at else None


def current_user() -> RunAs:
    uid = os.geteuid()
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:  # e.g. a container running under an arbitrary uid
        name = os.environ.get("USER", str(uid))
        return RunAs(name, os.environ.get("HOME", "/"), os.environ.get("SHELL", "/bin/sh"))
    return RunAs(entry.pw_name, entry.pw_dir, entry.pw_shell or "/bin/sh")


RESOLVED_FOR = 1.0
"""Seconds an account, once looked up, is taken as it was: a burst of runs reads the account
databases (/etc/passwd, /etc/group) once, and a change reaches runs within a second."""
_resolved: dict[tuple[str, int], tuple[float, RunAs]] = {}


def resolve_user(wanted: str) -> RunAs:
    """The account `wanted` names ("" = the slave's own); RunAsError when it is unknown, or
    another account and the slave is not root. Looked up again after RESOLVED_FOR s."""
    key, now = (wanted, os.geteuid()), time.monotonic()
    cached = _resolved.get(key)
    if cached is not None and now - cached[0] < RESOLVED_FOR:
        return cached[1]
    run_as = _look_up(wanted)  # a refusal is not kept: said again at each run
    if len(_resolved) >= 64:
        _resolved.clear()
    _resolved[key] = (now, run_as)
    return run_as


def _look_up(wanted: str) -> RunAs:
    me = current_user()
    if not wanted or wanted == me.name:
        return me
    try:
        entry = pwd.getpwnam(wanted)
    except KeyError:
        raise RunAsError(f"cannot run as {wanted}: no such user") from None
    if os.geteuid() != 0:
        raise RunAsError(f"cannot run as {wanted}: slave runs as {me.name} without root")
    groups = tuple(os.getgrouplist(entry.pw_name, entry.pw_gid))
    shell = entry.pw_shell or "/bin/sh"
    return RunAs(entry.pw_name, entry.pw_dir, shell, entry.pw_uid, entry.pw_gid, groups)
