"""The peewee models. Behaviour lives in master/store/; the schema is created and changed only by
numbered migrations (migrations/), which keep frozen copies of these tables."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from master.db.connection import db


def utcnow() -> dt.datetime:
    """Naive UTC: what every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(pw.Model):
    id = pw.AutoField()

    class Meta:
        database = db
        legacy_table_names = False


class Project(BaseModel):
    name = pw.CharField(max_length=255, unique=True)
    created_at = pw.DateTimeField(default=utcnow)


class Slave(BaseModel):
    name = pw.CharField(max_length=255, unique=True)
    hostname = pw.CharField(max_length=255, default="")
    addresses = pw.TextField(default="")
    version = pw.CharField(max_length=64, default="")
    first_seen = pw.DateTimeField(default=utcnow)
    last_seen = pw.DateTimeField(default=utcnow)
    credential = pw.CharField(max_length=64, default="")  # sha256 of its credential; "" = none
    projects = pw.TextField(default="")  # project ids it may serve, "1,7"; "" = every project
    enrolled_by = pw.CharField(max_length=64, default="")  # "join token", "project 3 token 9"
    enrolled_at = pw.DateTimeField(null=True)
    run_as = pw.TextField(default="")  # accounts its commands may run as (it says); first = default
    attached_to = pw.TextField(null=True)  # the master its stream is on (multi-master mode)


class Task(BaseModel):
    project_id: int
    uuid = pw.CharField(max_length=64, index=True)  # unique per project
    project = pw.ForeignKeyField(Project, backref="tasks", on_delete="CASCADE", index=False)
    name = pw.CharField(max_length=255)
    submitter = pw.CharField(max_length=255, default="")
    status = pw.CharField(max_length=16, index=True)
    call_type = pw.CharField(max_length=16, default="api")
    job_type = pw.CharField(max_length=16, default="plugin_cmd")
    job_uuid = pw.CharField(max_length=64, default="")
    mutex = pw.CharField(max_length=255, default="")
    reason = pw.TextField(default="")
    variables = pw.TextField(default="{}")
    kill_requested = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)
    started_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    position = pw.IntegerField(default=0)  # the step it is at
    redo_of = pw.CharField(max_length=64, default="")
    inputs = pw.TextField(default="{}")  # what was submitted, for redo
    crontab_id = pw.IntegerField(default=0)  # the crontab whose fire started it
    forks = pw.IntegerField(default=0)  # at most this many executions of a step at once; 0: any
    check_only = pw.BooleanField(default=False)  # a dry run: nothing is sent to any machine
    job_id = pw.IntegerField(default=0)  # the job's row id (a task of a job), else 0
    nodegroup_id = pw.IntegerField(default=0)  # RunOptions: run on this group's nodes
    account_id = pw.IntegerField(default=0)  # RunOptions: run as this account
    options = pw.TextField(default="{}")  # the other RunOptions (domain.RunOptions.stored)
    runtime_ms = pw.BigIntegerField(null=True)  # start to end; set as it ends (reports)
    owner = pw.TextField(null=True)  # the master whose engine drives it; None: single master

    class Meta:
        indexes = (
            (("project", "created_at"), False),
            (("project", "id"), False),
            (("project", "status", "id"), False),
            (("project", "submitter", "id"), False),
            (("project", "uuid"), True),
            (("project", "job_id", "id"), False),
            (("project", "nodegroup_id", "id"), False),
            (("project", "account_id", "id"), False),
            (("project", "crontab_id", "id"), False),
            (("project", "job_type", "id"), False),
        )


class TaskTally(pw.Model):
    """Started tasks counted per project and UTC quarter hour (`slot` = epoch s // 900), kept by
    triggers on task (migration 0020): all, ended `success`, and per run-time band rt0..rt4
    (store/reports.py). Read only: the triggers alone write it."""

    project_id = pw.IntegerField()
    slot = pw.BigIntegerField()
    total = pw.BigIntegerField(default=0)
    success = pw.BigIntegerField(default=0)
    rt0 = pw.BigIntegerField(default=0)
    rt1 = pw.BigIntegerField(default=0)
    rt2 = pw.BigIntegerField(default=0)
    rt3 = pw.BigIntegerField(default=0)
    rt4 = pw.BigIntegerField(default=0)

    class Meta:
        database = db
        table_name = "task_tally"
        primary_key = pw.CompositeKey("project_id", "slot")


class Subtask(BaseModel):
    task = pw.ForeignKeyField(Task, backref="subtasks", on_delete="CASCADE")
    position = pw.IntegerField()
    uuid = pw.CharField(max_length=64)
    kind = pw.CharField(max_length=8, default="cmd")
    spec = pw.TextField()
    status = pw.CharField(max_length=16)
    pause = pw.CharField(max_length=255, default="")
    node_count = pw.IntegerField(default=0)
    started_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("task", "position"), True),)


class Execution(BaseModel):
    task_id: int
    subtask_id: int
    task = pw.ForeignKeyField(Task, backref="executions", on_delete="CASCADE", index=False)
    subtask = pw.ForeignKeyField(Subtask, backref="executions", on_delete="CASCADE")
    node = pw.CharField(max_length=255)
    slave = pw.CharField(max_length=255, default="")
    status = pw.CharField(max_length=16)
    exit_code = pw.IntegerField(null=True)
    reason = pw.TextField(default="")
    chunk_count = pw.IntegerField(default=0)
    log_bytes = pw.BigIntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)
    started_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    attempt = pw.IntegerField(default=1)
    superseded = pw.BooleanField(default=False)  # a later attempt reran this node
    role = pw.CharField(max_length=8, default="run")  # run | fetch | place
    blob = pw.CharField(max_length=80, default="")  # a fetch's result: sha256[:archive]
    blob_size = pw.BigIntegerField(default=0)
    log_dropped = pw.BigIntegerField(default=0)  # output past the log cap: acked, not stored
    dropped_seq = pw.IntegerField(default=-1)  # the last seq counted there; -1: not cut
    ip = pw.CharField(max_length=64, default="")  # the host it ran on (tasks/hosts.py); "" unknown
    cloud_id = pw.BigIntegerField(default=0)  # that host's cloud area (bk-job's bk_cloud_id)

    class Meta:
        indexes = ((("slave", "status"), False), (("task", "id"), False))


class LogChunk(BaseModel):
    execution = pw.ForeignKeyField(Execution, on_delete="CASCADE", index=False)
    seq = pw.IntegerField()
    data = pw.BlobField()
    stderr = pw.BooleanField(default=False)  # from the command's stderr; false: stdout, ours
    codec = pw.IntegerField(default=0)  # how `data` is kept: store/chunkdata.py

    class Meta:
        primary_key = pw.CompositeKey("execution", "seq")


class Audited(BaseModel):
    """Catalogue objects: who created and last edited them, and when."""

    create_user = pw.CharField(max_length=255, default="")
    create_time = pw.DateTimeField(default=utcnow)
    edit_user = pw.CharField(max_length=255, default="")
    edit_time = pw.DateTimeField(default=utcnow)


class Job(Audited):
    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    uuid = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=255)
    permanent = pw.BooleanField(default=False)
    steps = pw.TextField(default="[]")
    mon_ids = pw.CharField(max_length=200, default="")  # monitor ids that may start it
    mon_status = pw.BooleanField(default=False)  # monitor events may start it

    class Meta:
        indexes = ((("project", "name"), True),)


class Script(Audited):
    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    name = pw.CharField(max_length=255)
    type = pw.CharField(max_length=16)
    content = pw.TextField()

    class Meta:
        indexes = ((("project", "name"), True),)


class Node(Audited):
    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    name = pw.CharField(max_length=255)
    inip = pw.CharField(max_length=64, default="")
    exip = pw.CharField(max_length=64, default="")
    ssh_port = pw.IntegerField(default=0)
    slave = pw.CharField(max_length=255, default="")
    cloud_id = pw.BigIntegerField(default=0)  # bk-job's cloud area (bk_cloud_id) of its IP

    class Meta:
        indexes = ((("project", "name"), True),)


class NodeGroup(Audited):
    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    name = pw.CharField(max_length=255)
    plugin = pw.CharField(max_length=32, default="list")
    params = pw.TextField(default="")

    class Meta:
        indexes = ((("project", "name"), True),)


class Account(Audited):
    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    username = pw.CharField(max_length=64)
    private_key = pw.TextField(default="")
    password = pw.TextField(default="")

    class Meta:
        indexes = ((("project", "username"), True),)


class Variable(BaseModel):
    job_id: int
    job = pw.ForeignKeyField(Job, on_delete="CASCADE")
    name = pw.CharField(max_length=128)
    value = pw.TextField(default="")
    describe = pw.TextField(default="")
    option = pw.TextField(default="")  # the choices a run form offers (OpenC3's `option`)
    env = pw.CharField(max_length=16, default="")  # test | online: only such steps use it

    class Meta:
        indexes = ((("job", "name"), True),)


ALL_MODELS: list[type[BaseModel]] = [
    Project,
    Slave,
    Task,
    Subtask,
    Execution,
    LogChunk,
    Job,
    Script,
    Node,
    NodeGroup,
    Account,
    Variable,
]


class StoredFile(Audited):
    """A named file of a project's file server; its bytes are a blob in the file store."""

    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    name = pw.CharField(max_length=255)
    sha256 = pw.CharField(max_length=64)
    size = pw.BigIntegerField()

    class Meta:
        indexes = ((("project", "name"), True),)


class Crontab(Audited):
    """A cron expression (read in `time_zone`) that starts a task of `job` at each fire time."""

    project_id: int
    job_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    name = pw.CharField(max_length=255)
    job = pw.ForeignKeyField(Job, on_delete="CASCADE")
    cron = pw.CharField(max_length=255)
    time_zone = pw.CharField(max_length=64)
    mutex = pw.CharField(max_length=255, default="")
    status = pw.CharField(max_length=16, default="available")
    misfire_policy = pw.CharField(max_length=16, default="skip")
    misfire_grace = pw.IntegerField(default=0)
    revision = pw.IntegerField(default=1)  # +1 at each edit or status change
    schedule_from = pw.DateTimeField(default=utcnow)  # fires after this (creation, edit, resume)
    through = pw.DateTimeField(null=True)  # the last fire time claimed

    class Meta:
        indexes = ((("project", "name"), True),)


class CrontabFire(BaseModel):
    """One claimed fire time of a crontab and its outcome; unique per (crontab, fire_time)."""

    crontab_id: int
    crontab = pw.ForeignKeyField(Crontab, on_delete="CASCADE", index=False)
    project_id = pw.IntegerField()  # the crontab's, for the mutex check
    mutex = pw.CharField(max_length=255, default="")
    fire_time = pw.DateTimeField()
    through = pw.DateTimeField()  # a misfired record covers fire_time..through
    outcome = pw.CharField(max_length=16)
    task_uuid = pw.CharField(max_length=64, default="")
    reason = pw.TextField(default="")
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("crontab", "fire_time"), True),
            (("project_id", "mutex", "recorded_at"), False),
        )


class Token(Audited):
    """A project's credential for the Control services; only its sha256 is kept."""

    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE")
    digest = pw.CharField(max_length=64, unique=True)
    describe = pw.TextField(default="")
    run_job = pw.BooleanField(default=False)  # an upload with it then runs `job_name`
    job_name = pw.CharField(max_length=255, default="")


class TaskNote(BaseModel):
    """An operator's note on a run: a log entry that is no machine's output (OpsGrat's log rows
    are both). Goes with its task."""

    task_id: int
    task = pw.ForeignKeyField(Task, on_delete="CASCADE", index=False)
    author = pw.CharField(max_length=255, default="")
    text = pw.TextField()
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("task", "id"), False),)


class Notice(BaseModel):
    """Something people must be told (a run ended or waits, an approval is asked), written in
    the same transaction as the change it tells of: the outbox. master/notify/ turns each into
    deliveries (one per recipient and channel) and marks it expanded, in one transaction."""

    project_id = pw.IntegerField()
    task_id = pw.IntegerField(default=0)  # 0: not about one task
    kind = pw.CharField(max_length=16)  # NoticeKind
    event = pw.CharField(max_length=32)  # a task's status word; for an approval: "asked"
    payload = pw.TextField(default="{}")  # JSON: what the messages need beyond the task row
    created_at = pw.DateTimeField(default=utcnow)
    expanded = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("expanded", "id"), False),)


class VersionVariable(BaseModel):
    """A version variable: the last value a `NAME:[value]` in a cmd step's output (or a job
    task's `version`, tasks/versions.py) gave a name on a node (as the step addressed it).
    Rewritten in place, so its id stays; `update_time` is set on every write."""

    project_id: int
    project = pw.ForeignKeyField(Project, on_delete="CASCADE", index=False)
    node = pw.CharField(max_length=255)
    name = pw.CharField(max_length=100)
    value = pw.CharField(max_length=100)
    update_time = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "node", "name"), True), (("project", "update_time"), False))


class Approval(BaseModel):
    """One approver's row of an approval step (tasks/approvals.py): their answer, and the hash
    of the token their link carries (the token itself is never stored). Every row of a step
    shares its deadline; `open` rows may still be answered."""

    task_id: int
    subtask_id: int
    task = pw.ForeignKeyField(Task, on_delete="CASCADE", index=False)
    subtask = pw.ForeignKeyField(Subtask, on_delete="CASCADE")
    project_id = pw.IntegerField()
    uuid = pw.CharField(max_length=32, unique=True)  # public id, random; not a capability
    approver = pw.CharField(max_length=255)
    submitter = pw.CharField(max_length=255, default="")
    name = pw.CharField(max_length=255, default="")
    content = pw.TextField(default="")
    everyone = pw.BooleanField(default=False)
    token_hash = pw.CharField(max_length=64, null=True, unique=True)  # sha256 of the link token
    opinion = pw.CharField(max_length=16, default="unconfirmed")
    remarks = pw.CharField(max_length=255, default="")
    assist = pw.CharField(max_length=255, default="")
    created_at = pw.DateTimeField(default=utcnow)
    answered_at = pw.DateTimeField(null=True)
    deadline = pw.DateTimeField()
    open = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("project_id", "id"), False),)


# --- notifications (migration 0022; master/store/notify.py, master/notify/)


class NotifyUser(BaseModel):
    """Who a project's run notices go to (OpenC3 `notify`); `_` is whoever started the run.
    A soft delete renames `user` to `<user>_<time>`, so the same user may be added again."""

    project_id = pw.IntegerField()
    user = pw.CharField(max_length=160)
    status = pw.CharField(max_length=16, default="available")  # available | deleted
    create_user = pw.CharField(max_length=255, default="")
    create_time = pw.DateTimeField(default=utcnow)
    edit_user = pw.CharField(max_length=255, default="")
    edit_time = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project_id", "user"), True),)


class Setting(BaseModel):
    """One key of OpenC3's global `environment` (switches, templates, other modules' keys)."""

    key = pw.CharField(max_length=128, unique=True)
    value = pw.TextField(default="")
    edit_user = pw.CharField(max_length=255, default="")
    edit_time = pw.DateTimeField(default=utcnow)


class Webhook(BaseModel):
    """A project's webhook: every run notice is POSTed there, signed with `secret` (sealed)."""

    project_id = pw.IntegerField(unique=True)
    url = pw.TextField()
    secret = pw.TextField(default="")
    edit_user = pw.CharField(max_length=255, default="")
    edit_time = pw.DateTimeField(default=utcnow)


class Delivery(BaseModel):
    """One message to one recipient over one channel, rendered when its notice was expanded;
    sent by whichever master claims it first (`claimed_until`: its lease)."""

    notice_id = pw.IntegerField()
    project_id = pw.IntegerField()
    task_id = pw.IntegerField(default=0)
    channel = pw.CharField(max_length=16)  # email | sms | webhook | callback
    recipient = pw.CharField(max_length=255)  # a user name, or the URL called
    address = pw.TextField(default="")  # the mail address, the SMS user, the URL
    subject = pw.TextField(default="")
    body = pw.TextField(default="")  # text, or the JSON document posted
    signature = pw.CharField(max_length=80, default="")  # webhook: sha256=<hex hmac of body>
    status = pw.CharField(max_length=16, default="pending")  # pending | sent | failed
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    claimed_until = pw.DateTimeField(null=True)
    claimed_by = pw.CharField(max_length=16, default="")
    last_error = pw.TextField(default="")
    sent_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("status", "next_attempt_at"), False),
            (("project_id", "task_id"), False),
        )


class DeliveryAttempt(BaseModel):
    """One try at sending a delivery: when, and what the other side said."""

    delivery_id: int
    delivery = pw.ForeignKeyField(Delivery, backref="tries", on_delete="CASCADE")
    number = pw.IntegerField()
    started_at = pw.DateTimeField(default=utcnow)
    ok = pw.BooleanField(default=False)
    detail = pw.TextField(default="")  # the error, or what the server answered


# --- terminals (migration 0024; master/store/terminals.py, master/terminal/)


class TerminalSession(BaseModel):
    """One terminal session: who opened what where, and how it ended (`ended_at` null: open;
    a master that starts closes those left open, with reason "master restarted")."""

    uuid = pw.CharField(max_length=32, unique=True)
    project_id = pw.IntegerField()
    actor = pw.CharField(max_length=255, default="")
    token_id = pw.IntegerField(default=0)  # the opener's token (0 = admin): the per-user cap
    nodes = pw.TextField(default="")  # sorted, comma-joined
    user = pw.CharField(max_length=255, default="")  # the execution account
    mode = pw.CharField(max_length=8)  # shell | lines
    opened_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)
    exit_code = pw.IntegerField(default=-1)
    reason = pw.TextField(default="")
    recorded = pw.BooleanField(default=False)
    cols = pw.IntegerField(default=80)
    rows = pw.IntegerField(default=24)
    term = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = ((("project_id", "ended_at"), False), (("ended_at",), False))


class TerminalLog(BaseModel):
    """The terminal audit log (OpenC3's `cmd` log): `actor` typed `cmd` (verbatim; "" for
    hidden input) on `node` as `usr`."""

    project_id = pw.IntegerField()
    session = pw.CharField(max_length=32, default="")
    actor = pw.CharField(max_length=255, default="")
    node = pw.TextField(default="")
    usr = pw.CharField(max_length=255, default="")
    cmd = pw.TextField(default="")
    kind = pw.CharField(max_length=8)  # start | line | hidden | end | command
    time = pw.DateTimeField(default=utcnow)
    task_uuid = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = (
            (("project_id", "id"), False),
            (("project_id", "time"), False),
            (("project_id", "session"), False),
        )


class TerminalTicket(BaseModel):
    """A single-use ticket for one OpenTerminal: its sha256 only, and what it opens."""

    digest = pw.CharField(max_length=64, unique=True)
    project_id = pw.IntegerField()
    token_id = pw.IntegerField(default=0)
    actor = pw.CharField(max_length=255, default="")
    nodes = pw.TextField(default="")
    group_id = pw.IntegerField(default=0)
    user = pw.CharField(max_length=255, default="")
    mode = pw.CharField(max_length=8, default="")  # "" = by the node count
    cols = pw.IntegerField(default=80)
    rows = pw.IntegerField(default=24)
    term = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("expires_at",), False),)


class TerminalSettings(BaseModel):
    """A project's terminal settings (no row: the defaults, nothing recorded)."""

    project_id = pw.IntegerField(unique=True)
    record = pw.BooleanField(default=False)
    edit_user = pw.CharField(max_length=255, default="")
    edit_time = pw.DateTimeField(default=utcnow)


class TerminalChunk(BaseModel):
    """One event of a recorded session: output ("o") or a resize ("r", data `COLSxROWS`), `at`
    seconds after the session opened."""

    session = pw.CharField(max_length=32)
    seq = pw.IntegerField()
    at = pw.FloatField()
    kind = pw.CharField(max_length=1, default="o")
    data = pw.BlobField()

    class Meta:
        indexes = ((("session", "seq"), True),)


class Master(pw.Model):
    """A master of a cluster on one PostgreSQL (multi-master mode only). heartbeat_at is its
    lease: older than the lease, the master is dead and a live one takes its tasks over."""

    name = pw.TextField(primary_key=True)  # its --advertise HOST:PORT
    pid = pw.IntegerField(default=0)
    started_at = pw.DateTimeField(default=utcnow)
    heartbeat_at = pw.DateTimeField(default=utcnow)
    slaves = pw.IntegerField(default=0)  # slaves attached to it, at its last heartbeat
    tasks = pw.IntegerField(default=0)  # unfinished tasks it drives, at its last heartbeat

    class Meta:
        database = db
        legacy_table_names = False


class Relay(BaseModel):
    """Work one master asks another to do (master/cluster/relay.py): `master` is the target,
    `body` a JSON object whose fields depend on `kind` (domain.RelayKind)."""

    master = pw.TextField()
    kind = pw.CharField(max_length=16)
    body = pw.TextField(default="{}")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("master", "id"), False),)
