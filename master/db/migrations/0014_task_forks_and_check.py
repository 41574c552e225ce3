"""A task's run mode (RunOptions): `forks`, how many executions of a step it runs at once (0:
no bound), and `check_only`, a dry run that sends nothing. Existing tasks ran unbounded and for
real, which the defaults say."""

import peewee as pw

COLUMNS = [
    ("task", "forks", pw.IntegerField(default=0)),
    ("task", "check_only", pw.BooleanField(default=False)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
