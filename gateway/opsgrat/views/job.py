"""A task -> OpsGrat's run row (`/api/job/job/`), every key of the document's example.

What each key holds (docs/opsgrat.md says why):
- `id` the task's numeric id; `template` the job it ran (Task.job_id) or null; `inventory`,
  `credential` the node group and account of its options, or null; `schedule` the crontab whose
  fire started it, or null; `project` its project. Each `*_name` is the named row's name now
  (`template_name` the job's; when the job is gone, the name the run was launched under;
  `credential_name` the account's username), null when it names none or the row is gone.
- `cuser` the submitting token's id (`token<id>@token`), else null; `user` who submitted it.
- `job_type` run | check; the launch fields (`forks`, `limit`, `tags`, ..., `variables` as
  sent, `module`, `arguments`, `inventory_str`) as the run was launched, 0/"" when not given.
- `start_time`, `finish_time`, `ctime` unix seconds; `finish_time` null while it runs.
- `playbook` the name the run was launched under (a job's name, an ad-hoc run's module and
  command); `job`, `node` (a workflow's run and node) null: jobfleet has no workflows.
- Beyond the document: `uuid` (the task's uuid, as OpenC3's routes name it) and `reason` (why
  it failed or was killed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.opsgrat import words
from gateway.schemas import Schema
from gateway.words import word
from jobfleet.v1 import common_pb2

TOKEN_SUBMITTER = re.compile(r"^token([0-9]+)@token$")
Key = tuple[int, int]
"""(project id, row id): ids are unique, the project says where to look one up."""


@dataclass(frozen=True)
class Related:
    """The names of the rows a page of runs names, looked up once per page."""

    templates: Mapping[Key, str] = field(default_factory=dict)
    groups: Mapping[Key, str] = field(default_factory=dict)
    accounts: Mapping[Key, str] = field(default_factory=dict)
    schedules: Mapping[Key, str] = field(default_factory=dict)
    projects: Mapping[int, str] = field(default_factory=dict)


def row(task: common_pb2.Task, related: Related) -> dict[str, Any]:
    """The run row of `task`."""
    options, project = task.options, task.project_id
    state = word(words.STATE, task.status)
    kind = options.job_kind or words.KIND.get(task.job_type, "adhoc")
    flags = {
        "become_enabled": int(options.become_enabled),
        "diff_mode": int(options.diff_mode),
        "force_handlers": int(options.force_handlers),
    }
    return {
        "id": task.id,
        "uuid": task.uuid,
        "template": task.job_id or None,
        "cuser": cuser(task.submitter),
        "user": task.submitter,
        "job_type": "check" if options.check else "run",
        "inventory": options.nodegroup_id or None,
        "credential": options.account_id or None,
        "forks": options.forks,
        "limit": options.limit,
        "tags": options.tags,
        "skip_tags": options.skip_tags,
        "verbosity": options.verbosity,
        "variables": options.variables_text,
        "start_time": seconds(task.started_at),
        "finish_time": seconds(task.finished_at),
        "state": state,
        "reason": task.reason,
        "inventory_str": options.inventory_str,
        **flags,
        "start_at_task": options.start_at_task,
        "inventory_name": _named(related.groups, project, options.nodegroup_id),
        "credential_name": _named(related.accounts, project, options.account_id),
        "template_name": _template_name(task, related),
        "state_name": words.STATE_NAME.get(state),
        "playbook": task.name,
        "kind": kind,
        "arguments": options.arguments,
        "module": options.module,
        "verbosity_name": words.VERBOSITY_NAME.get(options.verbosity, str(options.verbosity)),
        "kind_name": words.KIND_NAME.get(kind, kind),
        "job": None,
        "node": None,
        **{f"{name}_name": words.YES_NO[value] for name, value in flags.items()},
        "schedule": task.crontab_id or None,
        "schedule_name": _named(related.schedules, project, task.crontab_id),
        "ctime": seconds(task.created_at) or 0,
        "project_name": related.projects.get(project),
        "project": project,
    }


def cuser(submitter: str) -> int | None:
    """The id of the token that submitted a run here (`token<id>@token`); else null."""
    found = TOKEN_SUBMITTER.match(submitter)
    return int(found.group(1)) if found else None


def seconds(ts: Timestamp) -> int | None:
    """Unix seconds, or null for a time not reached."""
    return ts.seconds if ts.seconds or ts.nanos else None


def _named(names: Mapping[Key, str], project: int, row_id: int) -> str | None:
    return names.get((project, row_id)) if row_id else None


def _template_name(task: common_pb2.Task, related: Related) -> str | None:
    if not task.job_id:
        return None
    return related.templates.get((task.project_id, task.job_id), task.name)


def _nullable(kind: str) -> Schema:
    return {"type": [kind, "null"]}


INTEGER, TEXT = {"type": "integer"}, {"type": "string"}
ROW: Schema = {
    "type": "object",
    "properties": {
        **{key: INTEGER for key in ("id", "project", "forks", "verbosity", "ctime")},
        **{key: {"enum": [0, 1]} for key in ("become_enabled", "diff_mode", "force_handlers")},
        **{
            key: _nullable("integer")
            for key in ("template", "inventory", "credential", "schedule", "cuser")
        },
        **{key: _nullable("integer") for key in ("start_time", "finish_time", "job", "node")},
        **{
            key: _nullable("string")
            for key in (
                "template_name",
                "inventory_name",
                "credential_name",
                "schedule_name",
                "project_name",
            )
        },
        "state": {"enum": list(words.STATE_WORDS)},
        "state_name": {"enum": list(words.STATE_NAME.values())},
        "job_type": {"enum": list(words.JOB_TYPE_WORDS)},
        "kind": TEXT,
        **{
            key: TEXT
            for key in (
                "uuid",
                "user",
                "limit",
                "tags",
                "skip_tags",
                "variables",
                "reason",
                "inventory_str",
                "start_at_task",
                "playbook",
                "arguments",
                "module",
                "verbosity_name",
                "kind_name",
                "become_enabled_name",
                "diff_mode_name",
                "force_handlers_name",
            )
        },
    },
}
ROW["required"] = sorted(ROW["properties"])
"""A run row, for `/openapi.json`."""
