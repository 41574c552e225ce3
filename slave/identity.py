"""This slave's own credential: what its enrolment gave it, kept private in its state dir.

The first attach enrols the slave (with the join token, or a project token) under a credential
the slave makes and keeps before it dials (`own`); the master binds it to the slave's name and
its Welcome carries it back (an older master makes one of its own there: the slave keeps that).
Every later Hello presents it.
It is written 0600 in a 0700 directory before the slave goes on, so a restart keeps the
identity, and no account other than the slave's can read it (commands run as other accounts;
slave/commands/). One file per slave name, so several slaves may share a state dir.

`instance` is random per process: the master replaces a stream of the same process (a
re-attach) and refuses another process under the same name while the first one is attached.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from slave.messages import Secret

logger = logging.getLogger(__name__)


def default_state_dir() -> Path:
    """/var/lib/jobfleet-slave for root, else $XDG_STATE_HOME (~/.local/state)/jobfleet-slave."""
    if os.geteuid() == 0:
        return Path("/var/lib/jobfleet-slave")
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "jobfleet-slave"


class Credentials:
    """The slave's credential file, read at start and written when an attach enrols it."""

    def __init__(self, state_dir: Path | None, name: str) -> None:
        self.dir = state_dir or default_state_dir()
        self.path = self.dir / f"{name}.credential"
        self.name = name
        self.instance = secrets.token_hex(8)
        self.current: Secret | None = self._read()

    def _read(self) -> Secret | None:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return None
        if mode & 0o077:
            os.chmod(self.path, stat.S_IMODE(mode) & 0o700)
            logger.warning("credential file %s was readable by others; made it 0600", self.path)
        value = self.path.read_text().strip()
        return Secret(value) if value else None

    def own(self) -> Secret:
        """The credential to present: the one kept, or, before the first enrolment, a new
        random one kept now, before it is sent (so an enrolment whose answer is lost, its
        master killed in between, is the slave's all the same when it tries again)."""
        if self.current is None:
            self._write(Secret(secrets.token_urlsafe(32)))
        assert self.current is not None
        return self.current

    def save(self, credential: Secret) -> None:
        """Keep the credential an enrolment gave (atomically, 0600); another one kept before is
        worthless now."""
        self._write(credential)
        logger.info("slave %s enrolled; its credential is in %s", self.name, self.path)

    def _write(self, credential: Secret) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if stat.S_IMODE(self.dir.stat().st_mode) & 0o077:
            os.chmod(self.dir, 0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, credential.value.encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        self.current = credential

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """What FileService calls carry: the credential and the name it is bound to."""
        if self.current is None:
            return ()
        return (
            ("authorization", f"Token {self.current.value}"),
            ("jobfleet-slave", self.name),
        )
