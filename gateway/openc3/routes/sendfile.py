"""OpenC3 `sendfile` (the quick-entry file page): a directory of a project's machine listed, a
file of it removed.

The page names both by `path` = `<machine>/<path below />` and `sudo` = the account to act as.
Each call is a one-step command task on that machine, through everything any command goes
through: the machine must be the project's (its nodelist, or a slave serving the project), the
account one the machine's slave may run as, the path an argument of a fixed script (never part
of the script's text). The answer waits for the task; the task stays in the history as the
record of who listed or removed what (named `ls ...` / `rm ...`, so the page's "today's sendfile
tasks" table, which lists tasks named like `sendfile`, shows only its copies).

A path is taken only in normal form: no `.` or `..` part, no control character, no `${` (the
task would substitute a variable), so what a task's record names is what it touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.follow import follow_task
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import refusals
from gateway.upstream import GatewayState
from jobfleet.v1 import catalog_pb2, common_pb2, task_pb2

LIST_SCRIPT = 'export LC_ALL=C\nexec ls -lhq -- "$1"\n'
UNLINK_SCRIPT = 'exec rm -- "$1"\n'
TIMEOUT_SECONDS = 60
MAX_OUTPUT_BYTES = 1 << 20
"""What an answer takes of a listing's output; the rest is left out (said in a last row)."""
MAX_PATH = 4096
MACHINE = re.compile(r"[A-Za-z0-9_.:\-\[\]@]{1,255}")
ACCOUNT = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TYPES = {"d": "dir", "l": "link", "-": "file"}
LIST_PATH = "/sendfile/list/{projectid}"
UNLINK_PATH = "/sendfile/unlink/{projectid}"
RENAMES = {"nodes": "path", "args": "path", "user": "sudo"}

QUERY = {
    "path": schemas.text(
        MAX_PATH,
        required=True,
        description="`<machine>/<path below />`: a machine of the project, then a path with no "
        "`.` or `..` part",
    ),
    "sudo": {
        "type": "string",
        "pattern": f"^(?:{ACCOUNT.pattern})$",
        "description": "the account to act as",
    },
}
ROW = schemas.obj(
    {
        "host": schemas.text(),
        "info": schemas.text(description="the line of `ls -lh`"),
        "type": schemas.choice(("parent", "dir", "link", "file", "other")),
        "path": schemas.text(description="the entry's name"),
    }
)


@dataclass(frozen=True)
class Target:
    machine: str
    path: str
    """Absolute, normal form."""


@dataclass(frozen=True)
class Outcome:
    """How the task ended: its task, and the output it printed (at most MAX_OUTPUT_BYTES)."""

    task: common_pb2.Task
    output: bytes
    cut: bool


def target(fields: Fields) -> Target:
    """`path` split into the machine and an absolute path; refused naming `path`."""
    raw = forms.text(fields, "path", required=True, max_len=MAX_PATH, strip=False)
    machine, _, below = raw.partition("/")
    if not MACHINE.fullmatch(machine):
        raise FieldError("path", f"must start with a machine's name or IP, got {machine!r}")
    parts = [p for p in below.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise FieldError("path", "must not hold a `.` or `..` part: name the file itself")
    if CONTROL.search(below) or "${" in below:
        raise FieldError("path", "must not hold control characters or `${`")
    return Target(machine, "/" + "/".join(parts))


def account(fields: Fields) -> str:
    name = forms.matching(fields, "sudo", ACCOUNT, "an account name")
    if not name:
        raise FieldError("sudo", "is required: the account to act as")
    return name


async def checked(request: Request[GatewayState], where: Target) -> tuple[int, str]:
    """(the project, the account) once the machine is known to be the project's: refused
    before any task is made (the master checks again when it plans the task)."""
    project_id = forms.path_id(request, "projectid")
    user = account(request.query_params)
    master = request.state["master"]
    ask = catalog_pb2.CheckNodesRequest(project_id=project_id, nodes=[where.machine])
    reply = await master.catalog.CheckNodes(ask, timeout=master.timeout)
    if reply.unknown:
        raise FieldError("path", f"{where.machine!r} is not a machine of project {project_id}")
    return project_id, user


async def run(
    request: Request[GatewayState],
    route: str,
    name: str,
    script: str,
    where: Target,
    file_only: bool = False,
) -> Outcome:
    """The script run on the machine as `sudo` with the path as its argument, waited for;
    `file_only`: the path must name something below `/`."""
    project_id, user = await checked(request, where)
    if file_only and where.path == "/":
        raise FieldError("path", "names no file: give the machine, then the file's path")
    master = request.state["master"]
    ask = task_pb2.SubmitCommandRequest(
        project_id=project_id,
        name=f"{name} {where.machine}:{where.path}"[:255],
        submitter=forms.submitter(request),
        user=user,
        nodes=[where.machine],
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
        args=[where.path],
        timeout_seconds=TIMEOUT_SECONDS,
    )
    with refusals.renamed(route, **RENAMES):
        task = (await master.task.SubmitCommand(ask, timeout=master.timeout)).task
        return await follow(request, project_id, task.uuid)


async def follow(request: Request[GatewayState], project_id: int, uuid: str) -> Outcome:
    master = request.state["master"]
    ask = task_pb2.FollowTaskRequest(project_id=project_id, uuid=uuid)
    output, cut = bytearray(), False
    final = None
    events = follow_task(master.task, ask, timeout=TIMEOUT_SECONDS + 2 * master.timeout)
    async for event in events:
        if event.HasField("output"):
            room = MAX_OUTPUT_BYTES - len(output)
            cut = cut or len(event.output.data) > room
            output += event.output.data[: max(room, 0)]
        elif event.HasField("task"):
            final = event.task
    if final is None:
        raise RuntimeError(f"task {uuid}: followed to its end without the final task")
    return Outcome(final, bytes(output), cut)


def refuse_failure(outcome: Outcome, where: Target) -> None:
    """A task that did not succeed, as the refusal naming `path`: 400 with what the command
    said when it ran and failed (no such file, a directory, not allowed); 409 when it could not
    run or finish there (no slave reaches the machine, the account is refused, a timeout): the
    machine's state, not the gateway's, so no 5xx."""
    task = outcome.task
    if task.status == common_pb2.TASK_STATUS_SUCCESS:
        return
    said = outcome.output.decode("utf-8", "replace").strip()[-500:]
    run = task.executions[0] if task.executions else None
    ran = run is not None and run.HasField("started_at") and run.exit_code > 0
    if ran and run is not None and run.status == common_pb2.EXECUTION_STATUS_FAIL:
        raise FieldError("path", f"{where.machine}: {said or task.reason}")
    why = (run.reason if run is not None else "") or task.reason or said
    raise FieldError("path", f"could not act on {where.machine}: {why}", 409)


def rows(outcome: Outcome, where: Target) -> list[dict[str, str]]:
    """OpenC3's rows: `..` first, then one per line of `ls -lh` (`total` and the like are
    `other`); a directory's, a link's and a file's `path` is its name."""
    listed = [{"type": "parent", "info": "..", "path": ".."}]
    for line in outcome.output.decode("utf-8", "replace").splitlines():
        kind = TYPES.get(line[:1], "other")
        fields = line.split(None, 8)
        name = fields[8] if kind != "other" and len(fields) == 9 else ""
        if kind == "link":
            name = name.split(" -> ", 1)[0]
        listed.append({"host": where.machine, "info": line, "type": kind, "path": name})
    if outcome.cut:
        info = f"(the listing goes on past {MAX_OUTPUT_BYTES} bytes)"
        listed.append({"host": where.machine, "info": info, "type": "other", "path": ""})
    return listed


@describe(
    query=QUERY,
    required_query=["path", "sudo"],
    data=schemas.array(ROW),
)
async def list_directory(request: Request[GatewayState]) -> Response:
    """GET /sendfile/list/{projectid}: the directory `path` on its machine, as `sudo` lists it
    (`ls -lh`), one row per entry after a `..` row."""
    where = target(request.query_params)
    outcome = await run(request, LIST_PATH, "ls", LIST_SCRIPT, where)
    refuse_failure(outcome, where)
    return envelope.ok(rows(outcome, where))


@describe(
    query=QUERY,
    required_query=["path", "sudo"],
    data={"type": "object", "required": ["host", "path", "uuid"]},
)
async def unlink_file(request: Request[GatewayState]) -> Response:
    """POST /sendfile/unlink/{projectid}: remove the file `path` on its machine, as `sudo`
    (`rm`: a directory is refused); `data` names it and the task that removed it."""
    where = target(request.query_params)
    outcome = await run(request, UNLINK_PATH, "rm", UNLINK_SCRIPT, where, file_only=True)
    refuse_failure(outcome, where)
    removed = {"host": where.machine, "path": where.path, "uuid": outcome.task.uuid}
    return envelope.ok(removed, info="ok")


routes: list[BaseRoute] = [
    Route(LIST_PATH, list_directory, methods=["GET"]),
    Route(UNLINK_PATH, unlink_file, methods=["POST"]),
]
