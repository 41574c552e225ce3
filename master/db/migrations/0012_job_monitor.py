"""A job's monitor settings (OpenC3's mon_ids, mon_status): which monitor events may start it."""

import peewee as pw

COLUMNS = [
    ("job", "mon_ids", pw.CharField(max_length=200, default="")),
    ("job", "mon_status", pw.BooleanField(default=False)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
