"""OpsGrat's job and log APIs (shared/spec/job-task-api.txt, job-log-api.txt), served as views
of jobfleet's model: a run is a task, its log rows are its executions' output and operators'
notes.

routes/     job.py (`/api/job/job/`), log.py (`/api/job/log/`)
views/      proto messages -> OpsGrat's rows (job.py: a task -> a run row)
words.py    its words for states, kinds, verbosity, yes/no
launch.py   a run's launch (POST body) -> SubmitJob / SubmitCommand / SubmitCopy;
            variables.py its `variables` (JSON or YAML); history.py: PUT/PATCH change nothing
related.py  the names a page of run rows shows (`template_name`, ...), asked once per page
names.py    its dialect: DRF's error bodies with true HTTP statuses; proto field -> its key
paging.py   DRF's offset/limit paging and ordering, `{count, next, previous, results}`
logforms.py what `/api/job/log/` reads: a note's text, a bulk delete's `pk` / `pk[]`

Its paths are absolute (`/api/job/...`), so it has no prefix; they do not meet OpenC3's routes
under `/api/job` (OpenC3 has `jobs`, not `job`, and no `log`).
"""

from __future__ import annotations

from gateway.document import Answers, Document
from gateway.opsgrat import names
from gateway.opsgrat.routes import job, log
from gateway.schemas import Schema

FAILURE: Schema = {
    "type": "object",
    "description": 'DRF\'s error body: `{"<field>": ["<why>"]}` (400) or `{"detail": ...}`',
    "minProperties": 1,
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}

ANSWERS = Answers(
    success=lambda data: data,
    failure=FAILURE,
    refused="400 bad input (`{field: [why]}`), 401 no or unknown credentials, 403 another "
    "project's token, 404 no such row, 405 wrong method, 409 a run still running, 413 too large, "
    "415 an unreadable body, 503 the master or its database unavailable",
)

DOCUMENT = Document(routes=[*job.routes, *log.routes], dialect=names.dialect, answers=ANSWERS)
