"""SQLite's WAL checkpointed by the database's own thread, not by the committing writer."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from playhouse.pool import PooledDatabase

from master.db.checkpoint import BACKSTOP_PAGES, CheckpointedSqliteDatabase
from master.db.connection import db, in_connection, open_database
from master.db.schema import migrate
from master.domain import Chunk
from master.store import logs
from tests.unit.master.store.test_logs import new_execution
from tests.waiting import wait_until


def test_the_writer_leaves_checkpoints_to_a_thread_and_output_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "jobfleet.db"
    database = open_database(str(path), pool_size=2)
    try:
        assert isinstance(database, CheckpointedSqliteDatabase)
        in_connection(migrate, database)
        pages = in_connection(lambda: db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0])
        assert pages == BACKSTOP_PAGES
        execution_id = in_connection(new_execution)
        data = b"line of output\n" * 70_000  # ~1 MiB, 256 pages past the default 1,000 in all
        for seq in range(6):
            in_connection(logs.append, [Chunk(execution_id, seq, data)])
        # the output reaches the database file itself: the thread copied the WAL back (the
        # writers would not before 8,192 pages, the connections stay open in the pool)
        wait_until(lambda: path.stat().st_size > len(data) * 6, timeout=30, what="a checkpoint")
        stored, _ = in_connection(logs.read, execution_id, 0, 1 << 30)
        assert stored == data * 6
    finally:
        cast(PooledDatabase, database).close_all()
    assert database._checkpointer is None  # stopped with the pool
