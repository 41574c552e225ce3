"""Each slave's own identity: the sha256 of the credential its enrolment gave it (never the
credential), the projects it may serve ("" = every project), what enrolled it, and the accounts
it said its commands may run as."""

import peewee as pw

COLUMNS = [
    ("slave", "credential", pw.CharField(max_length=64, default="")),
    ("slave", "projects", pw.TextField(default="")),
    ("slave", "enrolled_by", pw.CharField(max_length=64, default="")),
    ("slave", "enrolled_at", pw.DateTimeField(null=True)),
    ("slave", "run_as", pw.TextField(default="")),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
