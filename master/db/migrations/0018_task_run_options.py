"""A task keeps how it was launched (RunOptions, OpsGrat's launch fields) and, when it runs a
job, that job's row id, so runs can be listed by job, node group, account and crontab.

- task.job_id: the job's row id; filled for the tasks already stored from their job_uuid (a
  job deleted since leaves 0). task.nodegroup_id, task.account_id: the group and account it
  ran with (0: none). task.options: the other options as JSON text (`{}` for older tasks).
- Indexes (project_id, <column>, id) for each of the list's new filters (job_id, nodegroup_id,
  account_id, crontab_id, job_type), newest first within the project, as the list reads.
"""

import peewee as pw
from playhouse.migrate import make_index_name

COLUMNS = [
    ("task", "job_id", pw.IntegerField(default=0)),
    ("task", "nodegroup_id", pw.IntegerField(default=0)),
    ("task", "account_id", pw.IntegerField(default=0)),
    ("task", "options", pw.TextField(default="{}")),
]
INDEXES = [
    ("task", ("project_id", column, "id"))
    for column in ("job_id", "nodegroup_id", "account_id", "crontab_id", "job_type")
]
FILL_JOB_IDS = (
    "UPDATE task SET job_id = COALESCE((SELECT job.id FROM job WHERE job.uuid = task.job_uuid "
    "AND job.project_id = task.project_id), 0) WHERE task.job_type = 'job'"
)


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))
    db.execute_sql(FILL_JOB_IDS)  # type: ignore[no-untyped-call]
    migrator.migrate(*(migrator.add_index(t, cols, False) for t, cols in INDEXES))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(
        *(migrator.drop_index(t, make_index_name(t, cols)) for t, cols in INDEXES),
        *(migrator.drop_column(t, c) for t, c, _ in COLUMNS),
    )
