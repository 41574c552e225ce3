"""Which stream a stored chunk of output came from: `stderr` on log_chunk. Output stored before
reads as stdout (it was stdout and stderr merged, in the order written).

Added NOT NULL with its default in the column itself, in one ALTER: neither SQLite nor
PostgreSQL (11+) then rewrites the table, which holds every execution's output."""

import peewee as pw


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    field = pw.BooleanField(default=False, constraints=[pw.SQL("DEFAULT FALSE")])
    migrator.migrate(migrator.add_column("log_chunk", "stderr", field, allow_not_null=True))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(migrator.drop_column("log_chunk", "stderr"))
