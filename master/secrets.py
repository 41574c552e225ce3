"""Secrets at rest: the key file, sealing the accounts' SSH keys and passwords with it, and the
digests that stand for tokens and slave credentials.

The key is a Fernet key (AES-128-CBC with an HMAC-SHA256, from `cryptography`) in a file only
the master's user may read, made 0600 at first start. A sealed value is `enc:v1:` + a Fernet
token, so it can be told from a value an older release stored plain; an empty value stays empty
(no secret has nothing to hide, and `has_password` stays a plain truth test). Values are opened
only where a slave needs them: when the SSH target of an execution is built.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

TAG = "enc:v1:"
"""Starts every sealed value."""


class KeyFileError(Exception):
    """The key file is unsafe, unreadable, malformed, missing while sealed secrets exist, or not
    the key they were sealed with; the message names the file and says why."""


class SecretBox:
    """Seals and opens values with one key; `source` names the key file in messages. A `fresh`
    box holds a key not yet written: `save()` writes it once the database is known to hold no
    secret sealed with another."""

    def __init__(self, key: bytes, source: Path, fresh: bool = False) -> None:
        self._fernet = Fernet(key)
        self._key = key
        self.source = source
        self.fresh = fresh

    @classmethod
    def load(cls, path: Path) -> SecretBox:
        """The key in `path`, or a new (fresh) one when there is none; KeyFileError when the
        file is unsafe or unreadable."""
        key = read_key(path)
        return cls(Fernet.generate_key(), path, fresh=True) if key is None else cls(key, path)

    def save(self) -> None:
        """Write a fresh key to its file, 0600 (never over an existing file)."""
        if self.fresh:
            write_key(self.source, self._key)
            self.fresh = False

    def seal(self, plain: str) -> str:
        if not plain:
            return plain
        return TAG + self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, stored: str) -> str:
        """The plain value; KeyFileError when this key did not seal it."""
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored[len(TAG) :].encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise KeyFileError(
                f"the secrets key {self.source} does not open a secret stored in the database "
                "(sealed with another key? every master of one database needs the same key file)"
            ) from None

    def mac(self, purpose: str, message: str) -> bytes:
        """An HMAC-SHA256 of `message` under a key derived from this key for `purpose` alone:
        what the master signs (a link's key) it can check later, and so can every master of
        the same database, while no purpose's MAC stands for another's."""
        derived = hmac.new(self._key, b"jobfleet mac\0" + purpose.encode(), hashlib.sha256)
        return hmac.new(derived.digest(), message.encode(), hashlib.sha256).digest()


def digest(token: str) -> str:
    """What is stored and looked up for a token or a slave's credential: they are random, so a
    plain sha256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_sealed(value: str) -> bool:
    return value.startswith(TAG)


def read_key(path: Path) -> bytes | None:
    """The key in `path`, None when there is no such file; KeyFileError when it is readable by
    group or others, unreadable, or not a key."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyFileError(f"secrets key {path}: cannot stat it: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"secrets key {path}: not a regular file")
    if info.st_mode & 0o077:
        raise KeyFileError(
            f"secrets key {path}: mode {stat.S_IMODE(info.st_mode):04o} lets group/others at it; "
            f"only its owner may read it (chmod 600 {path})"
        )
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise KeyFileError(f"secrets key {path}: cannot read it: {exc.strerror}") from None
    try:
        Fernet(key)
    except ValueError:
        raise KeyFileError(
            f"secrets key {path}: not a key (expected 32 url-safe base64 bytes)"
        ) from None
    return key


def write_key(path: Path, key: bytes) -> None:
    """Write `key` to a new file, 0600 from its creation on."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise KeyFileError(f"secrets key {path}: cannot create it: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
        out.flush()
        os.fsync(out.fileno())


MIGRATION_BOX: ContextVar[SecretBox | None] = ContextVar("migration_box", default=None)
"""The key the running migration seals with (migrations take no arguments of their own)."""


@contextlib.contextmanager
def sealing_with(box: SecretBox | None) -> Iterator[None]:
    token = MIGRATION_BOX.set(box)
    try:
        yield
    finally:
        MIGRATION_BOX.reset(token)
