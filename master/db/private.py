"""What the master keeps private at rest: the data dir (0700), the SQLite database and its
-wal/-shm (0600; SQLite gives those the database file's mode), the file store (see
FileStore.make_private) and the secrets key (0600, refused when looser). Files an older release
made looser are tightened at start, and the log says which (the key is settled against the
database by app.py::unlock)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR = 0o700


def tighten(path: Path, what: str) -> bool:
    """Take group/others' bits off `path`; True (and a log line) when it had any."""
    mode = stat.S_IMODE(path.lstat().st_mode)
    if not mode & 0o077:
        return False
    path.chmod(mode & 0o700)
    logger.info("tightened %s %s from %04o to %04o", what, path, mode, mode & 0o700)
    return True


def make_private(data_dir: Path, db_file: Path | None) -> None:
    """The data dir 0700; the SQLite file (made now, empty, if missing) and its -wal/-shm 0600."""
    data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(data_dir, "data dir")
    if db_file is None:
        return
    db_file.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.close(os.open(db_file, os.O_WRONLY | os.O_CREAT, 0o600))  # before SQLite makes it 0644
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
        if path.exists():
            tighten(path, "database file")
