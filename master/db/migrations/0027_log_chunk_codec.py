"""log_chunk.codec: how a chunk's bytes are kept (store/chunkdata.py): 0 as written, 1
lz4-compressed by the master. Rows stored before are 0. Plain ALTER TABLE with a constant
default: neither database rewrites a row (the migrator's add_column would fill the column and
then, on SQLite, copy the whole table to make it NOT NULL)."""

from typing import Any

import peewee as pw


def up(migrator: Any, db: pw.Database) -> None:
    db.execute_sql("ALTER TABLE log_chunk ADD COLUMN codec INTEGER NOT NULL DEFAULT 0")  # type: ignore[no-untyped-call]


def down(migrator: Any, db: pw.Database) -> None:
    db.execute_sql("ALTER TABLE log_chunk DROP COLUMN codec")  # type: ignore[no-untyped-call]
