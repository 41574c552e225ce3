"""BlueKing bk-job's `batch_get_job_instance_ip_log`
(shared/spec/batch-get-job-instance-ip-log.txt), served as a view of jobfleet's model: a job
instance is a task, a step instance one of its steps, a host (cloud area, IP) the machine an
execution recorded it ran on.

routes/     iplog.py: the route, at bk-job's API gateway path and at its ESB path
views/      which executions are on each asked host; command and copy logs in bk-job's shape
asked.py    the body -> what is asked (scope, instance, step, hosts), refusals naming its keys
shapes.py   its body and answer as `/openapi.json` describes them
names.py    its dialect: bk-job's `code`s, proto field -> its key
envelope.py `{result, code, message, data, job_request_id}`
words.py    its numbers and words: log type, mode, file status 1-5, a file log's State

Refusals are HTTP 200 with `result: false` (bk-job's clients read its envelope, not the status),
the true status in `X-Jobfleet-Status`. Its paths are absolute, so it has no prefix.
"""

from __future__ import annotations

from gateway.bkjob import names
from gateway.bkjob.routes import iplog
from gateway.document import Answers, Document
from gateway.schemas import Schema


def success(data: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {
            "result": {"const": True},
            "code": {"const": 0},
            "message": {"type": "string"},
            "data": data,
            "job_request_id": {"type": "string"},
        },
        "required": ["result", "code", "message", "data", "job_request_id"],
    }


FAILURE: Schema = {
    "type": "object",
    "description": "bk-job's refusal: `code` its ErrorCode, `message` names the field",
    "properties": {
        "result": {"const": False},
        "code": {"type": "integer", "minimum": 1},
        "message": {"type": "string", "minLength": 1, "description": "`<field>: <why>`"},
        "data": {"type": "null"},
        "job_request_id": {"type": "string"},
    },
    "required": ["result", "code", "message", "data", "job_request_id"],
}

ANSWERS = Answers(
    success=success,
    failure=FAILURE,
    refused="400 bad input (code 1241007), 401 no or unknown credentials (1240005), 403 another "
    "project (9900403), 404 no such job instance (1244006), step instance (1244007) or host in "
    "it (1244002), 413 too large, 415 an unreadable body (1240003), 503 the master or its "
    "database unavailable (1240001)",
)

DOCUMENT = Document(
    routes=iplog.routes, dialect=names.dialect, refusals_in_200=True, answers=ANSWERS
)
