"""What OpenC3's pages keep next to a job variable and a token: a variable's `option` (the
choices a run form offers) and `env` (test / online: used only by steps of that deployenv), and
a token's job to run after an upload with it (`run_job`, `job_name`).

Job steps need no change: every step has had a uuid since the first schema (32 hex); new ones
are 12 letters and digits, and both stay valid.
"""

import peewee as pw

COLUMNS = [
    ("variable", "option", pw.TextField(default="")),
    ("variable", "env", pw.CharField(max_length=16, default="")),
    ("token", "run_job", pw.BooleanField(default=False)),
    ("token", "job_name", pw.CharField(max_length=255, default="")),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
