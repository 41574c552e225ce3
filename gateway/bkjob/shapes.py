"""What `/openapi.json` says bk-job's log route takes and answers (JSON Schema), with the limits
the parsing uses (`asked`)."""

from __future__ import annotations

from gateway import forms, schemas
from gateway.bkjob import asked, words
from gateway.schemas import Schema

PROJECT_ID = r"^(0|[1-9][0-9]{0,17})$"
"""A project id as a string of digits, 0 or up, within int64 (18 digits always are)."""

IP: Schema = {
    "type": "object",
    "properties": {
        "bk_cloud_id": schemas.integer(0, asked.MAX_CLOUD_ID, description="cloud area, default 0"),
        "ip": {
            "type": "string",
            "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
            "maxLength": asked.MAX_IP,
        },
    },
    "required": ["ip"],
}

BODY = schemas.obj(
    {
        "bk_scope_type": schemas.choice(
            asked.SCOPE_TYPES, description="biz (default): a project; biz_set is refused"
        ),
        "bk_scope_id": {
            "anyOf": [
                {"type": "string", "pattern": PROJECT_ID},
                schemas.integer(0, forms.INT64_MAX),
            ],
            "description": "the project's id (a jobfleet project is bk-job's business)",
        },
        "bk_biz_id": schemas.integer(
            0,
            forms.INT64_MAX,
            description="deprecated: the project's id, when bk_scope_id is absent",
        ),
        "job_instance_id": schemas.identifier(description="the task's numeric id"),
        "step_instance_id": schemas.identifier(description="the step's numeric id (a subtask's)"),
        "ip_list": schemas.array(IP, min_items=1, max_items=asked.MAX_HOSTS),
    },
    ["bk_scope_id", "job_instance_id", "step_instance_id", "ip_list"],
)
EXAMPLE: Schema = {
    "bk_scope_type": "biz",
    "bk_scope_id": "1",
    "job_instance_id": 100,
    "step_instance_id": 200,
    "ip_list": [{"bk_cloud_id": 0, "ip": "10.0.0.1"}, {"bk_cloud_id": 0, "ip": "10.0.0.2"}],
}

HOST: Schema = {
    "type": "object",
    "properties": {"bk_cloud_id": {"type": "integer"}, "ip": {"type": "string"}},
    "required": ["bk_cloud_id", "ip"],
}
SCRIPT_LOG = schemas.obj(
    {**HOST["properties"], "log_content": {"type": "string"}}, HOST["required"]
)
FILE_LOG = schemas.obj(
    {
        "mode": {"enum": [words.UPLOAD, words.DOWNLOAD], "description": "0 upload, 1 download"},
        "src_ip": HOST,
        "src_path": {"type": "string"},
        "dest_ip": HOST,
        "dest_path": {"type": "string"},
        "status": {
            "enum": [words.WAITING, words.UPLOADING, words.DOWNLOADING, words.SUCCESS, words.FAIL],
            "description": "1 waiting, 2 uploading, 3 downloading, 4 success, 5 fail",
        },
        "log_content": {"type": "string"},
        "size": {"type": "string"},
        "speed": {"type": "string"},
        "process": {"type": "string"},
    },
    ["mode", "src_ip", "src_path", "status", "log_content"],
)
FILE_TASK_LOG = schemas.obj(
    {**HOST["properties"], "file_logs": {"type": "array", "items": FILE_LOG}}, HOST["required"]
)
DATA = schemas.obj(
    {
        "log_type": {"enum": [words.SCRIPT_LOG, words.FILE_LOG], "description": "1 script, 2 file"},
        "job_instance_id": {"type": "integer"},
        "task_instance_id": {
            "type": "integer",
            "description": "the same, as the document names it",
        },
        "step_instance_id": {"type": "integer"},
        "script_task_logs": {"type": "array", "items": SCRIPT_LOG},
        "file_task_logs": {"type": "array", "items": FILE_TASK_LOG},
    },
    ["log_type", "job_instance_id", "task_instance_id", "step_instance_id"],
)
