"""idcos cloud-act2's job records (shared/spec/job-record-api.txt), served as views of jobfleet's
model: a record is a task (its `id` the task's uuid), a host result one execution.

routes/     record.py (`/api/v1/job/record`, `.../page`, `.../result`)
views/      records.py (task -> JobRecordInfo, its time format), results.py (execution -> row)
names.py    its dialect: cloud-act2's envelope with true HTTP statuses; proto field -> its key
words.py    its words: execute_status, result_status, a host's status, modules, script types
paging.py   `pageNo`/`pageSize` and `{list, pageCount, pageNo, pageSize, totalCount}`
envelope.py `{"status", "message", "content"}`, whole or streamed

Its paths are absolute (`/api/v1/...`, as cloud-act2 serves them), so it has no prefix. How the
words and fields map, and why: docs/cloudact2.md.
"""

from __future__ import annotations

from gateway.cloudact2 import envelope, names
from gateway.cloudact2.routes import record
from gateway.document import Answers, Document

ANSWERS = Answers(
    success=envelope.success_schema,
    failure=envelope.FAILURE,
    refused="400 bad parameter (`message` names it), 401 no or unknown credentials, 403 "
    "another project named by a project token (`projectId`), 404 no such record, 405 wrong "
    "method, 503 the master or its database unavailable",
)

DOCUMENT = Document(
    routes=record.routes, dialect=names.dialect, answers=ANSWERS, basic_routes=record.routes
)
"""Its clients (act2ctl, goact2) authenticate with `Authorization: Basic` when cloud-act2's ACL
is on: the password is taken as the token, besides the usual credentials."""
