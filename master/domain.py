"""The master's vocabulary: every plain value that crosses from one layer to another (store,
capabilities, rpc), named once. Imports nothing of the master, so any module may use it.

- Projects: the shared project 0, and the mark of an admin request naming none.
- Words: statuses, kinds and roles are StrEnums; they are stored as these words (readable in
  SQL), and master/rpc/convert/ maps them to the proto enums.
- Steps: what a job's `cmd` or `scp` step says (stored as JSON with these field names), and a
  step planned to run (variables substituted, nodes resolved).
- Tasks: what is submitted, what is written, where each node's execution goes.
- The slave link: orders to slaves and their reports, as plain values.
- The catalogue and crontabs: list filters, a crontab as asked for, fires and their claims.

Values holding database rows (a task's view, a crontab's view) live with the module that builds
them.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import secrets
import shlex
import string
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# --- projects

SHARED_PROJECT = 0
"""The shared project (OpenC3's tree 0, named `global`): a real project, row id 0."""
NO_PROJECT = -1
"""The project of an admin request that names none, once checked (rpc/auth.py): a task named
by uuid is looked for in every project, and anything that needs one project refuses it."""

# --- statuses


class TaskStatus(enum.StrEnum):
    INIT = "init"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    KILLED = "killed"
    DECISION = "decision"
    WAITING = "waiting"
    REFUSE = "refuse"  # an approval step was refused: the task stopped there


class SubtaskStatus(enum.StrEnum):
    INIT = "init"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    DECISION = "decision"
    IGNORE = "ignore"
    KILLED = "killed"
    REFUSE = "refuse"  # an approval step an approver refused
    SKIPPED = "skipped"  # its condition (deployenv/action/batches) did not hold: not run


class Control(enum.StrEnum):
    NEXT = "next"
    FAIL = "fail"
    RUNNING = "running"
    IGNORE = "ignore"


class ExecutionStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    TIMEOUT = "timeout"
    KILLED = "killed"
    LOST = "lost"
    QUEUED = "queued"  # written, not sent: waits for room in the task's window (tasks/window.py)

    @property
    def final(self) -> bool:
        return self not in (ExecutionStatus.QUEUED, *SENT_EXECUTION)


SENT_EXECUTION = (ExecutionStatus.PENDING, ExecutionStatus.RUNNING)
"""An execution's states while its slave has it (or is being sent it): what the `forks` window
and the slaves' leases count."""


class CrontabStatus(enum.StrEnum):
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"


FINAL_TASK = frozenset({TaskStatus.SUCCESS, TaskStatus.FAIL, TaskStatus.KILLED, TaskStatus.REFUSE})

# --- kinds and roles


class ScriptType(enum.StrEnum):
    SHELL = "shell"
    PYTHON = "python"
    PERL = "perl"


class StepKind(enum.StrEnum):
    CMD = "cmd"
    SCP = "scp"
    APPROVAL = "approval"  # runs nothing: waits for its approvers


class SelectorType(enum.StrEnum):
    """How a step names its machines; only an scp step's source or destination may be the file
    server."""

    BUILTIN = "builtin"
    GROUP = "group"
    VARIABLE = "variable"
    FILESERVER = "fileserver"


NODE_SELECTORS = (SelectorType.BUILTIN, SelectorType.GROUP, SelectorType.VARIABLE)
"""The selector types that name nodes (every type but the file server)."""


class Role(enum.StrEnum):
    """What an execution does: run a command, or one half of a copy."""

    RUN = "run"
    FETCH = "fetch"  # copy a node's path into the file store
    PLACE = "place"  # write a blob of the file store onto a node


class JobType(enum.StrEnum):
    """What a task runs: a job of the catalogue, or an ad-hoc command or copy."""

    JOB = "job"
    PLUGIN_CMD = "plugin_cmd"
    PLUGIN_SCP = "plugin_scp"
    PLUGIN_APPROVAL = "plugin_approval"  # a quick approval: one approval step


class NoticeKind(enum.StrEnum):
    """What a notice of the outbox (store/notices.py) tells of."""

    TASK = "task"  # a run reached a status people are told of (event: the status word)
    APPROVAL = "approval"  # an approver is asked (event "asked"); payload names them


class CallType(enum.StrEnum):
    """How the master itself records a task was launched; clients may send words of their own."""

    API = "api"
    CRONTAB = "crontab"


class SubmittedAs(enum.StrEnum):
    """What a task was submitted as (its inputs' "field"): names its fields in refusals when it
    is done again."""

    COMMAND = "command"
    COPY = "copy"
    JOB = "job"


class GroupPlugin(enum.StrEnum):
    """How a node group resolves to nodes; a group answers the word it was saved with."""

    LIST = "list"  # params: node names or IPs, comma, space or newline separated
    NODE = "node"  # OpenC3's word for a list: params a comma string
    TYPE = "type"  # OpenC3's machines of some types: kept, but no node here has a type


class Policy(enum.StrEnum):
    """A crontab's misfire policy (master/cron/misfire.py)."""

    SKIP = "skip"
    RUN_ONCE = "run_once"


class Outcome(enum.StrEnum):
    """What became of a crontab's fire time."""

    STARTED = "started"
    SKIPPED_MUTEX = "skipped_mutex"
    MISFIRED = "misfired"
    FAILED = "failed"


DEFAULT_TIMEOUT_S = 60
MAX_TIMEOUT_S = 7 * 24 * 3600
APPROVAL_TIMEOUT_S = 86400
"""An approval step's timeout when none is given (OpenC3's, for job steps and, here, quick
approvals too)."""

UUID_ALPHABET = string.ascii_letters + string.digits
UUID_LENGTH = 12


def short_uuid() -> str:
    """A new job or step uuid: 12 letters and digits, as OpenC3 makes them (uuids of the
    older, 32-hex form stay valid)."""
    return "".join(secrets.choice(UUID_ALPHABET) for _ in range(UUID_LENGTH))


# --- steps


@dataclass(frozen=True)
class Selector:
    type: SelectorType = SelectorType.BUILTIN
    content: str = ""


@dataclass(frozen=True)
class Step:
    kind: StepKind
    name: str
    uuid: str = ""
    pause: str = ""
    user: str = ""
    timeout_s: int = DEFAULT_TIMEOUT_S
    nodes: Selector = field(default_factory=Selector)  # cmd
    script_type: str = ScriptType.SHELL.value
    script: str = ""
    script_id: int = 0  # non-zero: run that stored script (OpenC3's `cite`), read at step start
    args: str = ""
    src: Selector = field(default_factory=Selector)  # scp
    src_path: str = ""
    dst: Selector = field(default_factory=Selector)
    dst_path: str = ""
    chown: str = ""
    chmod: str = ""
    deployenv: str = ""  # OpenC3's rolling-batch conditions: kept as sent, not acted on
    action: str = ""
    batches: str = ""
    approvers: str = ""  # approval: comma list of user names, `$var` taken from the variables
    content: str = ""  # approval: what is asked (`cont`), `${x}` filled at the step's start
    everyone: bool = False  # approval: every approver must agree (else the first agree)
    relaxed: str = ""  # approval: on | off | nervous ("" = off)

    @property
    def into_store(self) -> bool:
        """An scp step that copies from a machine into the project's file store."""
        return self.kind == StepKind.SCP and self.dst.type == SelectorType.FILESERVER

    @property
    def targets(self) -> Selector:
        """The selector whose nodes get one execution each."""
        return self.nodes if self.kind == StepKind.CMD else self.dst

    @property
    def targets_field(self) -> str:
        """The request field that selector comes from."""
        return "nodes" if self.kind == StepKind.CMD else "dst"

    def texts(self) -> list[str]:
        """Every field `${name}` may appear in."""
        return [
            self.script,
            self.args,
            self.src_path,
            self.dst_path,
            self.chown,
            self.chmod,
            self.nodes.content,
            self.src.content,
            self.dst.content,
        ]

    def to_json(self) -> dict[str, Any]:
        """What asdict answers, built without its deep copies (every field is a scalar or a
        Selector): each submit and each answer showing a step turns it into JSON."""
        data = {name: getattr(self, name) for name in STEP_FIELDS}
        for key in SELECTOR_FIELDS:
            selector: Selector = data[key]
            data[key] = {"type": selector.type, "content": selector.content}
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Step:
        fields = dict(data)
        fields["kind"] = StepKind(fields["kind"])
        for key in ("nodes", "src", "dst"):
            sel = dict(fields.get(key) or {})
            if "type" in sel:
                sel["type"] = SelectorType(sel["type"])
            fields[key] = Selector(**sel)
        return Step(**fields)


@dataclass(frozen=True)
class CitedScript:
    """The stored script a cmd step cites, as it was read when the step started."""

    script_type: ScriptType
    content: str


STEP_FIELDS = tuple(f.name for f in fields(Step))
SELECTOR_FIELDS = ("nodes", "src", "dst")


@dataclass(frozen=True)
class PlannedStep:
    """A step as it will run: variables substituted, nodes resolved and checked.

    A copy into the file store runs on one node, its source (`nodes` is that node), and its
    `dst_path` is the name the file gets there."""

    step: Step
    nodes: list[str]
    argv: list[str]
    source: str = ""  # scp: the node copied from; empty = the file server
    cited: CitedScript | None = None  # a step citing a stored script, once it has started

    @property
    def script(self) -> tuple[ScriptType, str]:
        """What runs: the cited script as read at step start, else the step's own."""
        if self.cited is not None:
            return self.cited.script_type, self.cited.content
        return ScriptType(self.step.script_type), self.step.script

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step.to_json(),
            "nodes": self.nodes,
            "argv": self.argv,
            "source": self.source,
            "cited": asdict(self.cited) if self.cited else None,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> PlannedStep:
        if "step" not in data:  # written by the first schema: one ad-hoc command
            return _first_schema(data)
        cited = data.get("cited")
        return PlannedStep(
            Step.from_json(data["step"]),
            list(data["nodes"]),
            list(data["argv"]),
            str(data.get("source", "")),
            CitedScript(ScriptType(cited["script_type"]), cited["content"]) if cited else None,
        )


def _first_schema(data: dict[str, Any]) -> PlannedStep:
    argv = [str(a) for a in data.get("args", [])]
    step = Step(
        kind=StepKind.CMD,
        name=str(data.get("name", "")),
        user=str(data.get("user", "")),
        timeout_s=int(data.get("timeout_s", 60)),
        nodes=Selector(SelectorType.BUILTIN, ",".join(data.get("nodes", []))),
        script_type=str(data.get("script_type", "shell")),
        script=str(data.get("script", "")),
        args=shlex.join(argv),
    )
    return PlannedStep(step, list(data.get("nodes", [])), argv)


# --- tasks

RECORDED_OPTIONS = (
    "inventory_str",
    "module",
    "arguments",
    "verbosity",
    "tags",
    "skip_tags",
    "diff_mode",
    "become_enabled",
    "force_handlers",
    "start_at_task",
    "variables_text",
    "job_kind",
    "callback_url",  # POSTed the run's summary when it ends (master/notify/)
)
"""The launch options kept with a task and answered as sent, never acted on (RunOptions in
task.proto); `limit` is acted on and kept with them."""


@dataclass(frozen=True)
class RunOptions:
    """How a run was asked for beyond its steps (OpsGrat's launch fields). At submit
    `nodegroup_id` replaces every step's nodes with the group's, `limit` keeps only the nodes it
    matches and `account_id` runs every step as that account (master/tasks/options.py);
    `recorded` holds the RECORDED_OPTIONS as sent."""

    nodegroup_id: int = 0
    limit: str = ""
    account_id: int = 0
    recorded: dict[str, Any] = field(default_factory=dict)

    def stored(self) -> str:
        """The JSON text kept in the task's `options` column: `limit` and the recorded ones
        (the group and the account have columns of their own, for the list's filters)."""
        return json.dumps({"limit": self.limit, **self.recorded}, sort_keys=True)

    @staticmethod
    def from_stored(nodegroup_id: int, account_id: int, text: str) -> RunOptions:
        kept: dict[str, Any] = json.loads(text or "{}")
        limit = str(kept.pop("limit", ""))
        recorded = {k: v for k, v in kept.items() if k in RECORDED_OPTIONS}
        return RunOptions(nodegroup_id, limit, account_id, recorded)


@dataclass(frozen=True)
class RunMode:
    """How a task runs its steps' executions (RunOptions.forks and .check): at most `forks` of
    a step's at once (0: no bound; master/tasks/window.py), or, `check`, none sent at all: a
    dry run whose executions say what would run (master/tasks/checkrun.py)."""

    forks: int = 0
    check: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """An ad-hoc command over some nodes, as submitted (before variable substitution)."""

    project_id: int
    name: str
    submitter: str
    user: str
    nodes: tuple[str, ...]
    script_type: ScriptType
    script: str
    args: tuple[str, ...] = ()
    timeout_s: int = DEFAULT_TIMEOUT_S
    variables: dict[str, str] = field(default_factory=dict)
    call_type: str = CallType.API
    script_id: int = 0  # non-zero: run that stored script instead of `script`
    mode: RunMode = RunMode()
    options: RunOptions = field(default_factory=RunOptions)


@dataclass(frozen=True)
class JobSubmission:
    project_id: int
    job_uuid: str = ""
    job_name: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    task_uuid: str = ""
    submitter: str = "api"
    call_type: str = CallType.API
    mutex: str = ""  # a crontab's mutex, held while the task has not ended
    crontab_id: int = 0  # the crontab whose fire this is
    mode: RunMode = RunMode()
    options: RunOptions = field(default_factory=RunOptions)
    nodes: tuple[str, ...] = ()  # non-empty: every step runs on these nodes instead of its own


@dataclass(frozen=True)
class NewStep:
    uuid: str
    kind: StepKind
    pause: str
    node_count: int
    spec: dict[str, Any]


@dataclass(frozen=True)
class NewTask:
    """A task to write: its steps planned, not started."""

    project_id: int
    name: str
    submitter: str
    call_type: str
    job_type: JobType
    variables: dict[str, str]
    steps: list[NewStep]
    inputs: dict[str, Any]
    uuid: str = ""
    job_uuid: str = ""
    redo_of: str = ""
    mutex: str = ""
    crontab_id: int = 0
    mode: RunMode = RunMode()
    job_id: int = 0  # the job's row id (a task of a job)
    options: RunOptions = field(default_factory=RunOptions)


TASK_ORDER_KEYS = (
    "id",
    "created_at",
    "started_at",
    "finished_at",
    "status",
    "name",
    "submitter",
    "job_id",
    "nodegroup_id",
    "account_id",
    "crontab_id",
    "forks",
)
"""What a task list may be sorted by: columns of the task table."""


@dataclass(frozen=True)
class SortKey:
    column: str  # one of TASK_ORDER_KEYS
    descending: bool = False


@dataclass(frozen=True)
class TaskFilter:
    project_id: int  # NO_PROJECT: every project (an admin's list naming none)
    name_contains: str = ""
    submitter: str = ""
    statuses: tuple[str, ...] = ()  # any of these; none: any status
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    uuid: str = ""
    limit: int = 100
    offset: int = 0
    job_id: int = 0  # 0: any; else only runs of that job, of that node group, ...
    nodegroup_id: int = 0
    account_id: int = 0
    crontab_id: int = 0
    job_types: tuple[str, ...] = ()  # any of these kinds; none: any
    order_by: tuple[SortKey, ...] = ()  # none: newest first


@dataclass(frozen=True)
class SshTarget:
    """A machine reached over SSH from the slave that runs its execution."""

    node: str
    host: str
    port: int
    user: str
    private_key: str = field(default="", repr=False)
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Placement:
    """Where one node's execution goes; `failure` set = it cannot run (no slave, no way in)."""

    node: str
    slave: str
    failure: str = ""
    role: Role = Role.RUN
    blob: Blob | None = None  # what a place writes
    ssh: SshTarget | None = None  # set = the slave reaches the node over SSH
    ip: str = ""  # the host it is on, as bk-job names hosts (tasks/hosts.py); "" = unknown
    cloud_id: int = 0


# --- the slave link


@dataclass(frozen=True)
class Blob:
    """Content in the master's file store; `archive` = a tar of a directory."""

    sha256: str
    size: int
    archive: bool = False

    def encode(self) -> str:
        return f"{self.sha256}:archive" if self.archive else self.sha256

    @staticmethod
    def decode(text: str, size: int) -> Blob | None:
        if not text:
            return None
        sha, _, kind = text.partition(":")
        return Blob(sha, size, kind == "archive")


@dataclass(frozen=True)
class RunOrder:
    """What a slave needs to run one execution; `ssh` set = on that machine over SSH."""

    execution_id: int
    script_type: ScriptType
    script: str
    args: tuple[str, ...]
    user: str
    timeout_s: int
    ssh: SshTarget | None = None
    project_id: int = 0
    """Whose command it is: a slave refuses projects it does not serve."""


@dataclass(frozen=True)
class CopyOrder:
    """One half of a copy: fetch `path` into the file store, or place `blob` at `path`."""

    execution_id: int
    timeout_s: int
    path: str
    blob: Blob | None = None  # None = fetch
    name: str = ""
    chown: str = ""
    chmod: str = ""
    ssh: SshTarget | None = None
    user: str = ""
    """The local account the copy reads and writes as; empty = the slave's default."""
    project_id: int = 0


@dataclass(frozen=True)
class KillOrder:
    execution_id: int
    reason: str


@dataclass(frozen=True)
class ChunkAck:
    execution_id: int
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class ResultAck:
    execution_id: int


@dataclass(frozen=True)
class SlaveResult:
    """An execution's final report from its slave."""

    execution_id: int
    status: ExecutionStatus
    exit_code: int
    reason: str
    chunk_count: int
    fetched: Blob | None = None


@dataclass(frozen=True)
class Chunk:
    execution_id: int
    seq: int
    data: bytes
    stderr: bool = False
    """From the command's stderr; False: its stdout, or the slave's own lines."""


@dataclass(frozen=True)
class LogPart:
    """Stored output read back: consecutive chunks of one stream, joined."""

    stderr: bool
    data: bytes


@dataclass(frozen=True)
class Started:
    execution_id: int
    started_at: dt.datetime | None


@dataclass(frozen=True)
class Finished:
    result: SlaveResult
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class TerminalOrder:
    """Open a pty running a login shell: the slave joins SlaveTerminal.Relay with the session's
    id and the one-time `key`; `ssh` set = on that machine over SSH from the slave."""

    session_id: str
    key: str = field(repr=False)
    project_id: int
    user: str  # local run-as account; "" = the slave's default
    ssh: SshTarget | None
    cols: int
    rows: int
    term: str


Outbound = (
    RunOrder | CopyOrder | KillOrder | ChunkAck | ResultAck | TerminalOrder | None
)  # None closes the stream
Inbound = Started | Chunk | Finished

ALL_PROJECTS: frozenset[int] | None = None
"""A slave serving every project."""


@dataclass(frozen=True)
class Introduction:
    """What a Hello says about the slave (plain values)."""

    name: str
    credential: str = ""
    join_token: str = ""
    instance: str = ""
    projects: tuple[int, ...] = ()
    run_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identity:
    """An attached slave as the master trusts it (master/slaves/enrolment.py)."""

    name: str
    projects: frozenset[int] | None
    """The projects whose work (and SSH secrets) it gets; None = every project."""
    run_as: tuple[str, ...] = ()
    """Accounts its local commands may run as, the first the default; () = not said."""
    instance: str = ""
    credential: str = ""
    """Set only when this attach enrolled it: the plain credential, to send once."""

    def serves(self, project_id: int) -> bool:
        return self.projects is None or project_id in self.projects

    def runs_as(self, user: str) -> bool:
        """Whether a local command may run as `user` ("" = its default account)."""
        return not user or not self.run_as or user in self.run_as

    def describe_projects(self) -> str:
        if self.projects is None:
            return "every project"
        return "project(s) " + ", ".join(str(p) for p in sorted(self.projects))


# --- the catalogue and crontabs


@dataclass(frozen=True)
class ListFilter:
    """The filters every catalogue list takes."""

    name_contains: str = ""
    create_user: str = ""
    edit_user: str = ""
    create_time_start: dt.datetime | None = None
    create_time_end: dt.datetime | None = None
    edit_time_start: dt.datetime | None = None
    edit_time_end: dt.datetime | None = None
    job_name_contains: str = ""
    plugin: str = ""
    inip_contains: str = ""
    exip_contains: str = ""
    limit: int = 0
    offset: int = 0


@dataclass(frozen=True)
class VariableInput:
    """A job variable as a client saves it."""

    name: str
    value: str = ""
    describe: str = ""
    option: str = ""


@dataclass(frozen=True)
class CrontabInput:
    """A crontab as a client asks for it."""

    name: str
    job_uuid: str
    cron: str
    time_zone: str = ""  # "" = the master's zone
    mutex: str = ""
    policy: Policy = Policy.SKIP
    grace: int = 0  # run_once: how late (s) a missed fire may still run; 0 = the default


@dataclass(frozen=True)
class Scheduled:
    """What the scheduler keeps of an available crontab."""

    id: int
    project_id: int
    revision: int
    cron: str
    time_zone: str
    mutex: str
    policy: str
    grace: int
    job_uuid: str
    submitter: str
    base: int  # fire times after this instant (unix seconds) are still to come


@dataclass(frozen=True)
class Fire:
    """One record to claim: a fire time (through the last one it accounts for), either to start
    a task (subject to the mutex) or a run of missed fire times."""

    fire_time: int
    through: int
    start: bool
    reason: str = ""


@dataclass(frozen=True)
class Claim:
    crontab_id: int
    revision: int
    fires: list[Fire]


@dataclass(frozen=True)
class Recorded:
    fire_time: int
    outcome: Outcome
    task_uuid: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Claimed:
    """What was recorded for a claim; `current` False: the crontab changed or another master
    claimed first, so the scheduler reloads it."""

    crontab_id: int
    current: bool
    recorded: list[Recorded]


@dataclass(frozen=True)
class Unstarted:
    """A fire claimed to start whose task was never written (its master stopped)."""

    crontab_id: int
    project_id: int
    job_uuid: str
    mutex: str
    submitter: str
    fire_time: int
    task_uuid: str


# --- run logs: each execution's output and operators' notes, one id sequence


MAX_NOTE_BYTES = 65536
"""A note's text: 1 to this many bytes (UTF-8)."""
RUN_LOG_ORDER_KEYS = ("id", "created_at", "task_id")
"""What a task's log entries may be sorted by ("-" before one: descending)."""


def output_entry_id(execution_id: int) -> int:
    """The log entry that is an execution's output (task.proto RunLogEntry)."""
    return 2 * execution_id


def note_entry_id(note_id: int) -> int:
    """The log entry that is an operator's note."""
    return 2 * note_id + 1


def split_entry_ids(entry_ids: list[int]) -> tuple[list[int], list[int]]:
    """Entry ids -> (execution ids, note ids), each in the order given; ids below 1 name
    nothing and are left out."""
    executions = [i // 2 for i in entry_ids if i > 0 and i % 2 == 0]
    notes = [i // 2 for i in entry_ids if i > 0 and i % 2 == 1]
    return executions, notes


# --- many masters on one database


class RelayKind(enum.StrEnum):
    """What one master asks another to do (master/cluster/relay.py)."""

    DISPATCH = "dispatch"  # send these pending executions to their slave, attached there
    KILL = "kill"  # kill these executions, whose slave is attached there
    CONTROL = "control"  # a subtask control of a task that master drives
    SETTLE = "settle"  # a result of a task that master drives was stored elsewhere
