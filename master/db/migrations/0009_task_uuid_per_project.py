"""Task uuids are unique per project, not across projects: a caller-chosen uuid of one project
neither collides with nor reveals another project's task of the same uuid.

The unique index on task.uuid becomes a plain one (an admin call naming no project still finds a
task by uuid alone without a scan) and (project_id, uuid) becomes unique.
"""

import peewee as pw
from playhouse.migrate import make_index_name

OLD = ("task", ("uuid",))
PER_PROJECT = ("task", ("project_id", "uuid"))


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.drop_index(OLD[0], make_index_name(*OLD)),
        migrator.add_index(*OLD, False),
        migrator.add_index(*PER_PROJECT, True),
    )


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        migrator.drop_index(PER_PROJECT[0], make_index_name(*PER_PROJECT)),
        migrator.drop_index(OLD[0], make_index_name(*OLD)),
        migrator.add_index(*OLD, True),
    )
