"""The known_hosts policy: refuse unknown hosts (strict) or record them (accept-new); refuse a
changed or revoked key always.

The file is OpenSSH's format and is read afresh on every check (connects are rare: the pool
reuses connections), so keys added by an operator or another slave count at once. Plain,
comma-listed, wildcard (`*`, `?`, `!`) and hashed (`|1|...`) host patterns match; `@revoked`
keys are refused; `@cert-authority` lines are ignored (no host certificates). New hosts are
appended as plain `[host]:port` lines, like `ssh -o StrictHostKeyChecking=accept-new`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hmac
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import paramiko

from slave.messages import HostKeyPolicy

logger = logging.getLogger(__name__)

_RSA_ALGORITHMS = ("rsa-sha2-512", "rsa-sha2-256")


class HostKeyError(Exception):
    """The host's key is not acceptable; the message says why and what to do."""


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[str, ...]
    key: paramiko.PKey
    revoked: bool = False


def default_known_hosts() -> Path:
    """The slave user's own ~/.ssh/known_hosts, as ssh(1) uses it."""
    return Path.home() / ".ssh" / "known_hosts"


def host_entry_name(host: str, port: int) -> str:
    """How known_hosts names a host: `host` on port 22, `[host]:port` otherwise."""
    return host if port == 22 else f"[{host}]:{port}"


class KnownHosts:
    """One known_hosts file; thread-safe (connects run in the pool's threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def key_types(self, host: str, port: int) -> list[str]:
        """Host key algorithms recorded for the host, to offer first (so a server with several
        keys shows the one we know rather than look changed)."""
        name = host_entry_name(host, port)
        with self._lock:
            names = {e.key.get_name() for e in self._entries() if _matches(e.patterns, name)}
        return [alg for n in sorted(names) for alg in (_RSA_ALGORITHMS if n == "ssh-rsa" else [n])]

    def check(self, host: str, port: int, key: paramiko.PKey, policy: HostKeyPolicy) -> bool:
        """Accept the key or raise HostKeyError; True when it was new and is now recorded."""
        name = host_entry_name(host, port)
        with self._lock:
            entries = [e for e in self._entries() if _matches(e.patterns, name) or e.revoked]
            if any(e.revoked and e.key == key for e in entries):
                raise HostKeyError(f"host key {key.fingerprint} of {name} is revoked ({self.path})")
            known = [e.key for e in entries if not e.revoked]
            if key in known:
                return False
            if known:
                raise HostKeyError(self._changed(name, key, known))
            if policy is HostKeyPolicy.STRICT:
                raise HostKeyError(
                    f"host key for {name} is not in {self.path} and the host key policy is "
                    f"strict (add it first, e.g. ssh-keyscan -p {port} {host} >> {self.path})"
                )
            self._append(name, key)
            return True

    def _changed(self, name: str, key: paramiko.PKey, known: list[paramiko.PKey]) -> str:
        recorded = ", ".join(f"{k.get_name()} {k.fingerprint}" for k in known)
        return (
            f"host key for {name} changed: it shows {key.get_name()} {key.fingerprint}, "
            f"{self.path} has {recorded}; refusing (possible man-in-the-middle attack; if the "
            f"change is expected, remove the old line from {self.path})"
        )

    def _entries(self) -> list[_Entry]:
        try:
            text = self.path.read_text(errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise HostKeyError(f"cannot read {self.path}: {exc.strerror}") from None
        return [e for line in text.splitlines() if (e := _parse(line)) is not None]

    def _append(self, name: str, key: paramiko.PKey) -> None:
        line = f"{name} {key.get_name()} {key.get_base64()}\n"
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            with os.fdopen(fd, "a") as out:
                if out.tell() > 0 and not self._ends_with_newline():
                    out.write("\n")
                out.write(line)
        except OSError as exc:
            raise HostKeyError(
                f"cannot record the host key in {self.path}: {exc.strerror}"
            ) from None
        logger.info(
            "recorded new host key %s %s for %s in %s",
            key.get_name(),
            key.fingerprint,
            name,
            self.path,
        )

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as existing:
            existing.seek(-1, os.SEEK_END)
            return existing.read(1) == b"\n"


def _parse(line: str) -> _Entry | None:
    fields = line.split()
    if not fields or fields[0].startswith("#"):
        return None
    revoked = fields[0] == "@revoked"
    if fields[0].startswith("@"):
        if not revoked:
            return None  # @cert-authority: host certificates are not supported
        fields = fields[1:]
    if len(fields) < 3:
        return None
    try:
        key = paramiko.PKey.from_type_string(fields[1], base64.b64decode(fields[2], validate=True))
    except Exception:  # bad base64, unknown type, truncated blob: paramiko raises many kinds
        return None  # OpenSSH skips lines it cannot read too
    return _Entry(tuple(fields[0].split(",")), key, revoked)


def _matches(patterns: tuple[str, ...], name: str) -> bool:
    """OpenSSH host matching: any positive pattern matches and no negated one does."""
    hit = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _match_one(pattern.removeprefix("!"), name):
            if negated:
                return False
            hit = True
    return hit


def _match_one(pattern: str, name: str) -> bool:
    if pattern.startswith("|1|"):
        with contextlib.suppress(Exception):
            return hmac.compare_digest(paramiko.HostKeys.hash_host(name, pattern), pattern)
        return False
    return _wildcard(pattern).fullmatch(name) is not None


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """OpenSSH wildcards: `*` and `?` only (`[` in `[host]:port` is literal)."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE)
