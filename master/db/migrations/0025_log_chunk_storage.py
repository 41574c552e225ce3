"""PostgreSQL keeps output chunks uncompressed, out of line (`STORAGE EXTERNAL`): compressing
(pglz) every chunk of a command's output costs the master more than it saves, and most output
is read rarely. Only chunks written from now on are affected; SQLite has no such setting."""

from typing import Any

import peewee as pw

from master.db.connection import is_postgres


def up(migrator: Any, db: pw.Database) -> None:
    if is_postgres(db):
        db.execute_sql("ALTER TABLE log_chunk ALTER COLUMN data SET STORAGE EXTERNAL")  # type: ignore[no-untyped-call]


def down(migrator: Any, db: pw.Database) -> None:
    if is_postgres(db):
        db.execute_sql("ALTER TABLE log_chunk ALTER COLUMN data SET STORAGE EXTENDED")  # type: ignore[no-untyped-call]
