"""The per-execution log cap: output bytes acked but not stored past the cap, and the highest
seq counted among them (so a chunk resent after a reconnect is not counted twice)."""

import peewee as pw

COLUMNS = [
    ("execution", "log_dropped", pw.BigIntegerField(default=0)),
    ("execution", "dropped_seq", pw.IntegerField(default=-1)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
