"""The console's run form of a job: one input per variable (its default filled in), an optional
list of nodes instead of the steps' own, and the task's uuid chosen when the form was drawn.

Read here, before the master is asked: a variable the job must be given (the master's
`needs_variables`: one with no value, or used by a step and not defined) left empty is answered
on the page, naming it, and nothing runs. The master checks everything again (nodes, values'
sizes, conditions); its refusal is shown on the same form.

The task's uuid makes the form idempotent: sending it twice (a double click, the browser's
resend) answers the same task instead of starting a second one (SubmitJob's `task_uuid`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from jobfleet.v1 import catalog_pb2, task_pb2

VARIABLE_PREFIX = "var."
"""An input named `var.<name>` holds variable <name>."""
TASK_UUID = re.compile(r"[A-Za-z0-9]{1,64}")
"""As the master takes it (SubmitJob's task_uuid)."""
NODE_SPLIT = re.compile(r"[\s,]+")
MAX_NODES = 1000
MAX_NODE_NAME = 255
MAX_VALUE = 64 * 1024
"""A value larger than this is refused here; the master bounds the rendered steps itself."""


@dataclass(frozen=True)
class FormVariable:
    """One input of the form."""

    name: str
    default: str
    describe: str
    options: list[str]
    required: bool


@dataclass
class RunForm:
    """What the form holds (as typed, to be drawn again) and what is wrong with it, by field."""

    values: dict[str, str]
    nodes: str = ""
    task_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def nodes_list(self) -> list[str]:
        return [n for n in NODE_SPLIT.split(self.nodes) if n]


def form_variables(
    every: list[catalog_pb2.Variable], empty: list[catalog_pb2.Variable]
) -> list[FormVariable]:
    """The job's variables (ListVariables), and those it must be given (ListVariables with
    empty_only: empty rows and names its steps use without a row), in the job's order, the
    latter after."""
    required = {v.name for v in empty}
    found = [
        FormVariable(v.name, v.value, v.describe, _options(v.option), v.name in required)
        for v in every
    ]
    known = {v.name for v in every}
    found += [FormVariable(n, "", "", [], True) for n in sorted(required - known)]
    return found


def _options(option: str) -> list[str]:
    return [o.strip() for o in option.split(",") if o.strip()]


def blank(variables: list[FormVariable]) -> RunForm:
    """The form as first drawn: each default filled in."""
    return RunForm({v.name: v.default for v in variables})


def read(variables: list[FormVariable], sent: Mapping[str, str]) -> RunForm:
    """The form as sent; `errors` names each field that cannot be used (nothing is asked of the
    master then). Inputs of names the job does not have are not read."""
    form = RunForm(
        {v.name: sent.get(VARIABLE_PREFIX + v.name, "") for v in variables},
        nodes=sent.get("nodes", ""),
        task_uuid=sent.get("task_uuid", ""),
    )
    for v in variables:
        value = form.values[v.name]
        if v.required and not value.strip():
            form.errors[VARIABLE_PREFIX + v.name] = f"variable {v.name}: required (it has no value)"
        elif len(value) > MAX_VALUE:
            form.errors[VARIABLE_PREFIX + v.name] = f"variable {v.name}: at most {MAX_VALUE} bytes"
    nodes = form.nodes_list
    if len(nodes) > MAX_NODES:
        form.errors["nodes"] = f"nodes: at most {MAX_NODES}"
    elif any(len(n) > MAX_NODE_NAME for n in nodes):
        form.errors["nodes"] = f"nodes: a name of at most {MAX_NODE_NAME} characters each"
    if not TASK_UUID.fullmatch(form.task_uuid):
        form.errors["task_uuid"] = "task_uuid: missing or not 1 to 64 letters and digits"
        form.task_uuid = uuid.uuid4().hex  # the form drawn again gets a good one
    return form


def submit_request(
    project_id: int, job_uuid: str, form: RunForm, submitter: str
) -> task_pb2.SubmitJobRequest:
    return task_pb2.SubmitJobRequest(
        project_id=project_id,
        job_uuid=job_uuid,
        variables=form.values,
        task_uuid=form.task_uuid,
        submitter=submitter,
        call_type="page",
        nodes=form.nodes_list,
    )
