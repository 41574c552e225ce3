"""PostgreSQL compresses output chunks with lz4 where the server has it (14 and later, built
with lz4): every out-of-line value is cut into ~2 KB TOAST rows, each a row, an index entry and
a WAL record, and those rows, not the bytes, were what a chunk cost the server. lz4 (unlike the
default pglz, which 0025 turned off) compresses at memory speed and gives up quickly on output
it cannot shrink, so text output takes a fraction of the rows and the rest costs what it did.
A server without lz4 keeps 0025's setting. Only chunks written from now on are affected."""

from typing import Any

import peewee as pw

from master.db.connection import is_postgres

HAS_LZ4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def up(migrator: Any, db: pw.Database) -> None:
    if is_postgres(db) and (db.execute_sql(HAS_LZ4).fetchone() or (False,))[0]:  # type: ignore[no-untyped-call]
        db.execute_sql(  # type: ignore[no-untyped-call]
            "ALTER TABLE log_chunk ALTER COLUMN data SET STORAGE EXTENDED, "
            "ALTER COLUMN data SET COMPRESSION lz4"
        )


def down(migrator: Any, db: pw.Database) -> None:
    if is_postgres(db) and (db.execute_sql(HAS_LZ4).fetchone() or (False,))[0]:  # type: ignore[no-untyped-call]
        db.execute_sql(  # type: ignore[no-untyped-call]
            "ALTER TABLE log_chunk ALTER COLUMN data SET STORAGE EXTERNAL, "
            "ALTER COLUMN data SET COMPRESSION DEFAULT"
        )
