"""SQLite's WAL checkpoints on a thread of their own, so the writer does not pay for them.

By default the connection whose commit takes the WAL past 1,000 pages copies the WAL back into
the database file (reads, writes and two fsyncs) before its commit returns: for output, which
is mostly bytes, that was 60 % of storing it. Here the pooled connections check the WAL only
past `BACKSTOP_PAGES`, and a thread with a connection of its own runs a PASSIVE checkpoint
(never waits for a lock, never blocks a writer or reader) after commits, at most once per
`INTERVAL`. If it falls behind, the backstop is the old behaviour at a larger size (a writer's
checkpoint then copies only what the thread had not). What is durable when is unchanged:
commits are as synchronous as before, and an unfinished checkpoint is redone from the WAL.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from playhouse.pool import PooledSqliteDatabase

logger = logging.getLogger(__name__)
BACKSTOP_PAGES = 8192
"""WAL pages past which a committing connection checkpoints itself (32 MiB of 4 KiB pages)."""
INTERVAL = 0.05
"""Seconds between two checkpoints at most: small commits are copied back together."""


class WalCheckpointer:
    """A thread that checkpoints the WAL of `path` when poked (after a commit)."""

    def __init__(self, path: str, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self._wrote = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wrote.set()

    def stop(self) -> None:
        """Stop after a last checkpoint of what was committed (waits for it)."""
        self._stopping.set()
        self._wrote.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            while not self._stopping.is_set():
                self._wrote.wait()
                self._wrote.clear()
                self._checkpoint(conn)
                self._stopping.wait(self.interval)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # a locked or vanished file: the backstop still holds
            logger.warning("WAL checkpoint of %s failed: %s", self.path, exc)


class CheckpointedSqliteDatabase(PooledSqliteDatabase):  # type: ignore[misc]
    """The pooled SQLite database of a file, its WAL checkpointed by a WalCheckpointer
    (started with the first connection, stopped by close_all)."""

    def __init__(self, database: str, pragmas: dict[str, Any], **kwargs: Any) -> None:
        pragmas = {**pragmas, "wal_autocheckpoint": BACKSTOP_PAGES}
        super().__init__(database, pragmas=pragmas, **kwargs)
        self._checkpointer: WalCheckpointer | None = None
        self._checkpointer_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._connect()  # a pooled one, or a new one
        if self._checkpointer is None:
            with self._checkpointer_lock:
                if self._checkpointer is None:
                    self._checkpointer = WalCheckpointer(self.database)
        return conn

    def commit(self) -> None:
        super().commit()
        if self._checkpointer is not None:
            self._checkpointer.poke()

    def close_all(self) -> None:
        super().close_all()
        with self._checkpointer_lock:
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()
