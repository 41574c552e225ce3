"""A place's `chown` (user[:group]) and `chmod` (octal): checked before anything moves, and
resolved to ids with pwd/grp for a local place (over SSH the node's own chown resolves them)."""

from __future__ import annotations

import grp
import pwd
import re
from dataclasses import dataclass

from slave.copy.errors import CopyError

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\$?")
_MODE = re.compile(r"0?[0-7]{3}|[0-7]{4}")


@dataclass(frozen=True)
class Owner:
    spec: str
    """As given (`nobody`, `app:www`, `app:`, `:www`); what the output line and chown(1) see."""
    user: str
    """Empty: keep the user."""
    group: str
    """Empty: keep the group, unless `login_group`."""
    login_group: bool = False
    """`user:`: the user's login group, as chown(1) reads it."""


def parse_owner(spec: str) -> Owner | None:
    """None for an empty spec; CopyError for one that is not user[:group]."""
    if not spec:
        return None
    user, colon, group = spec.partition(":")
    if not (user or group) or any(part and not _NAME.fullmatch(part) for part in (user, group)):
        raise CopyError(f"chown: not a user[:group]: {spec!r}")
    return Owner(spec, user, group, login_group=bool(colon and user and not group))


def parse_mode(text: str) -> int | None:
    """None for empty text; CopyError unless it is 3 or 4 octal digits."""
    if not text:
        return None
    if not _MODE.fullmatch(text):
        raise CopyError(f"chmod: not an octal mode: {text!r}")
    return int(text, 8)


def mode_text(mode: int) -> str:
    return f"{mode:04o}"


def local_ids(owner: Owner) -> tuple[int, int]:
    """(uid, gid) for os.chown on this machine; -1 keeps one. CopyError for an unknown name."""
    uid, gid = -1, -1
    if owner.user:
        account = _user(owner.user)
        uid = account.pw_uid
        if owner.login_group:
            gid = account.pw_gid
    if owner.group:
        gid = _group(owner.group)
    return uid, gid


def _user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        if name.isdigit():
            return _numeric_user(int(name))
        raise CopyError(f"chown: no such user: {name}") from None


def _numeric_user(uid: int) -> pwd.struct_passwd:
    try:
        return pwd.getpwuid(uid)
    except KeyError:  # an id without an account is still an owner
        return pwd.struct_passwd((str(uid), "", uid, -1, "", "", ""))


def _group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        if name.isdigit():
            return int(name)
        raise CopyError(f"chown: no such group: {name}") from None
