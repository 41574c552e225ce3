"""Who a command runs as: the slave's own user, or (only when the slave is root) another."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass


class RunAsError(Exception):
    """The command cannot run as the requested user; the message is the execution's reason."""


@dataclass(frozen=True)
class RunAs:
    name: str
    home: str
    uid: int | None = None
    """None = keep the slave's identity (no switch)."""
    gid: int | None = None
    groups: tuple[int, ...] | None = None

    def env(self) -> dict[str, str]:
        """Identity variables of a switched user (a login would set them the same way)."""
        if self.uid is None:
            return {}
        return {"HOME": self.home, "USER": self.name, "LOGNAME": self.name}

    def cwd(self) -> str:
        """Commands start in the user's home, as over SSH; "/" when it does not exist."""
        return self.home if self.home and os.path.isdir(self.home) else "/"


def current_user() -> RunAs:
    uid = os.geteuid()
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:  # e.g. a container running under an arbitrary uid
        return RunAs(os.environ.get("USER", str(uid)), os.environ.get("HOME", "/"))
    return RunAs(entry.pw_name, entry.pw_dir)


def resolve_user(wanted: str) -> RunAs:
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
    return RunAs(entry.pw_name, entry.pw_dir, entry.pw_uid, entry.pw_gid, groups)
