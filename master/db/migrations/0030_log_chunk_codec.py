"""log_chunk.codec: how a chunk's bytes are kept (store/chunkdata.py): 0 as written, 1
lz4-compressed by the master. Rows stored before are 0. Plain ALTER TABLE with a constant
default: neither database rewrites a row (the migrator's add_column would fill the column and
then, on SQLite, copy the whole table to make it NOT NULL). Going down writes compressed rows
back as they were written, so the older code reads them."""

from typing import Any

import lz4.block
import peewee as pw

COMPRESSED = "SELECT execution_id, seq FROM log_chunk WHERE codec = 1"


def up(migrator: Any, db: pw.Database) -> None:
    db.execute_sql("ALTER TABLE log_chunk ADD COLUMN codec INTEGER NOT NULL DEFAULT 0")  # type: ignore[no-untyped-call]


def down(migrator: Any, db: pw.Database) -> None:
    mark = "%s" if isinstance(db, pw.PostgresqlDatabase) else "?"
    for execution_id, seq in db.execute_sql(COMPRESSED).fetchall():  # type: ignore[no-untyped-call]
        key = (execution_id, seq)
        where = f"execution_id = {mark} AND seq = {mark}"
        (data,) = db.execute_sql(f"SELECT data FROM log_chunk WHERE {where}", key).fetchone()  # type: ignore[no-untyped-call]
        raw = lz4.block.decompress(bytes(data))
        db.execute_sql(f"UPDATE log_chunk SET data = {mark} WHERE {where}", (raw, *key))  # type: ignore[no-untyped-call]
    db.execute_sql("ALTER TABLE log_chunk DROP COLUMN codec")  # type: ignore[no-untyped-call]
