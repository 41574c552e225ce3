"""OpsGrat's launch (`POST /api/job/job/`, form or JSON) -> what the master is asked: every field
checked first, each refusal naming it.

- `template` (a job's id) runs that job (SubmitJob); else `module` + `arguments` run ad hoc:
  shell, command, raw and script run `arguments` as a shell script (SubmitCommand), copy reads
  `src=... dest=... [owner=...] [group=...] [mode=...]` (SubmitCopy: `src` names a file of the
  project's file server, or `host:/path` on a machine). `schedule` (a crontab's id) names the
  job too, when `template` does not (the routes look both up).
- Where: `inventory` (a node group's id) or `inventory_str` (names or IPs, comma, space or
  newline separated), not both; an ad-hoc run needs one. `limit` narrows either.
- How: `credential` (an account's id) runs every step as that account; `job_type` run|check;
  `forks`, `verbosity` 0-4, `tags`, `skip_tags`, `start_at_task`, `diff_mode`,
  `become_enabled`, `force_handlers` (0|1) are kept with the run as sent; `variables` (JSON or
  YAML, variables.py) override the job's.
- `project`: the project to run in (a project token's own; the admin's: any, and required).
  `cuser` and the row's read-only keys (`id`, `*_name`, `state`, times, ...) are ignored: the
  token says who, and a row posted back launches the same run again. `node` (a workflow's) must
  be empty: jobfleet has no workflows.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TypeVar

from google.protobuf.message import Message

from gateway import forms
from gateway.errors import FieldError
from gateway.forms import Fields
from gateway.opsgrat import variables, words
from jobfleet.v1 import common_pb2, task_pb2

INT32_MAX = 2**31 - 1
MAX_TEXT = 1024
MAX_LIMIT = 4096
HOST_SPLIT = re.compile(r"[\s,]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
COPY_KEYS = ("src", "dest", "owner", "group", "mode")
FLAGS = ("become_enabled", "diff_mode", "force_handlers")
TEXTS = ("tags", "skip_tags", "start_at_task")


@dataclass(frozen=True)
class Launch:
    """A checked launch: what to run, where and how."""

    project_id: int | None  # None: the token's own project
    template: int
    schedule: int
    module: str
    hosts: list[str]
    values: dict[str, str]
    options: common_pb2.RunOptions = field(default_factory=common_pb2.RunOptions)

    @property
    def name(self) -> str:
        """An ad-hoc run's name: its module and its command's first line."""
        lines = self.options.arguments.strip().splitlines()
        first = CONTROL.sub(" ", lines[0]) if lines else ""
        return f"{self.module}: {first}"[:255]


def launch(fields: Fields) -> Launch:
    """The launch `fields` ask for; a FieldError naming the first bad field."""
    _no_workflow(fields)
    template = forms.identifier(fields, "template", required=False)
    schedule = forms.identifier(fields, "schedule", required=False)
    module = _module(fields, template or schedule)
    kind = _kind(fields, "job" if module == "" else "adhoc")
    hosts, hosts_text = _hosts(fields)
    group = forms.identifier(fields, "inventory", required=False)
    if hosts and group:
        raise FieldError("inventory_str", "give inventory (a host list's id) or hosts, not both")
    if module and not (hosts or group):
        raise FieldError("inventory", "required for an ad-hoc run: inventory or inventory_str")
    values, text = variables.parse(fields.get("variables"))
    options = common_pb2.RunOptions(
        forks=forms.integer(fields, "forks", default=0, low=0, high=INT32_MAX),
        check=forms.choice(fields, "job_type", words.JOB_TYPE_WORDS, "run") == "check",
        nodegroup_id=group,
        limit=forms.text(fields, "limit", max_len=MAX_LIMIT),
        account_id=forms.identifier(fields, "credential", required=False),
        inventory_str=hosts_text,
        module=module,
        arguments=_arguments(fields, module),
        verbosity=forms.integer(fields, "verbosity", default=0, low=0, high=4),
        variables_text=text,
        job_kind=kind,
        become_enabled=binary(fields, "become_enabled"),
        diff_mode=binary(fields, "diff_mode"),
        force_handlers=binary(fields, "force_handlers"),
        tags=forms.text(fields, "tags", max_len=MAX_TEXT),
        skip_tags=forms.text(fields, "skip_tags", max_len=MAX_TEXT),
        start_at_task=forms.text(fields, "start_at_task", max_len=MAX_TEXT),
    )
    project = forms.integer(fields, "project", default=-1, low=0, high=forms.INT64_MAX)
    project_id = None if project < 0 else project
    return Launch(project_id, template, schedule, module, hosts, values, options)


def binary(fields: Fields, name: str) -> bool:
    """0 or 1 (also `true`/`false`); anything else is refused."""
    value = fields.get(name)
    if value is None or value == "" or value is False or value is True:
        return bool(value)
    if str(value).strip() in ("0", "1"):
        return str(value).strip() == "1"
    raise FieldError(name, f"must be 0 or 1, got {value!r}")


def _no_workflow(fields: Fields) -> None:
    if fields.get("node") not in (None, ""):
        raise FieldError("node", "workflow nodes are not supported: leave node empty")


def _module(fields: Fields, named_job: int) -> str:
    module = forms.text(fields, "module")
    if module and module not in words.MODULES:
        known = ", ".join(words.MODULES)
        raise FieldError("module", f"unsupported {module!r}, expected one of: {known}")
    if module and named_job:
        raise FieldError("module", "a template's run takes no module: leave one of them out")
    if not module and not named_job:
        raise FieldError("template", "required: a template, or a module and arguments")
    return module


def _kind(fields: Fields, launched: str) -> str:
    kind = forms.text(fields, "kind")
    if kind and kind != launched:
        raise FieldError("kind", f"this launch is a {launched!r} run, not {kind!r}")
    return kind


def _arguments(fields: Fields, module: str) -> str:
    arguments = forms.text(fields, "arguments", strip=False)
    if module and not arguments.strip():
        raise FieldError("arguments", "required: the command to run (copy: src=... dest=...)")
    if module == words.COPY_MODULE:
        copy_arguments(arguments)  # checked now, turned into a copy step when it is sent
    return arguments


def _hosts(fields: Fields) -> tuple[list[str], str]:
    """The hosts of `inventory_str`, and its text as sent (a JSON list: comma-joined)."""
    value = fields.get("inventory_str")
    if value is None or value == "":
        return [], ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise FieldError("inventory_str", "must be names or IPs, comma or newline separated")
    if len(value) > MAX_LIMIT * 16:
        raise FieldError("inventory_str", f"must be at most {MAX_LIMIT * 16} characters")
    return list(dict.fromkeys(h for h in HOST_SPLIT.split(value) if h)), value


@dataclass(frozen=True)
class CopyArguments:
    source_host: str  # "" = the file server
    source: str  # a file server name, or a path on source_host
    dest: str
    chown: str
    chmod: str


def copy_arguments(arguments: str) -> CopyArguments:
    """`src=... dest=... [owner=] [group=] [mode=]`, shell-quoted as Ansible's are."""
    try:
        parts = shlex.split(arguments)
    except ValueError as exc:
        raise FieldError("arguments", f"cannot split: {exc}") from exc
    given: dict[str, str] = {}
    for part in parts:
        key, equals, value = part.partition("=")
        if not equals or key not in COPY_KEYS:
            raise FieldError("arguments", f"copy takes {'=, '.join(COPY_KEYS)}=; got {part!r}")
        if key in given:
            raise FieldError("arguments", f"{key}= given twice")
        given[key] = value
    for key in ("src", "dest"):
        if not given.get(key):
            raise FieldError("arguments", f"copy needs {key}=")
    host, colon, path = given["src"].partition(":")
    on_host = bool(colon) and path.startswith("/") and bool(host)
    owner, group = given.get("owner", ""), given.get("group", "")
    return CopyArguments(
        host if on_host else "",
        path if on_host else given["src"],
        given["dest"],
        f"{owner}:{group}" if group else owner,
        given.get("mode", ""),
    )


def command_request(ask: Launch, submitter: str) -> task_pb2.SubmitCommandRequest:
    ask_master = task_pb2.SubmitCommandRequest(
        name=ask.name,
        submitter=submitter,
        nodes=ask.hosts,
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=ask.options.arguments,
        variables=ask.values,
        call_type="api",
        options=ask.options,
    )
    return in_project(ask_master, ask)


def copy_request(ask: Launch, submitter: str) -> task_pb2.SubmitCopyRequest:
    copy = copy_arguments(ask.options.arguments)
    builtin = common_pb2.NODE_SELECTOR_TYPE_BUILTIN
    source = common_pb2.NodeSelector(type=builtin, content=copy.source_host)
    if not copy.source_host:
        source = common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_FILESERVER)
    step = common_pb2.ScpStep(
        src=source,
        src_path=copy.source,
        dst=common_pb2.NodeSelector(type=builtin, content=",".join(ask.hosts)),
        dst_path=copy.dest,
        chown=copy.chown,
        chmod=copy.chmod,
    )
    copied = task_pb2.SubmitCopyRequest(
        name=ask.name,
        submitter=submitter,
        scp=step,
        variables=ask.values,
        call_type="api",
        options=ask.options,
    )
    return in_project(copied, ask)


def job_request(ask: Launch, job_uuid: str, submitter: str) -> task_pb2.SubmitJobRequest:
    run = task_pb2.SubmitJobRequest(
        job_uuid=job_uuid,
        variables=ask.values,
        submitter=submitter,
        call_type="api",
        options=ask.options,
        nodes=ask.hosts,
    )
    return in_project(run, ask)


M = TypeVar("M", bound=Message)


def in_project(request: M, ask: Launch) -> M:
    """`request` naming the launch's project, when it names one (unset: the token's own)."""
    if ask.project_id is not None:
        request.project_id = ask.project_id
    return request
