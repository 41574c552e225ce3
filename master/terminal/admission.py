"""Who may open what: an `OpenSpec` and its caller become an admitted `Session`, or a refusal.

Every open is checked against the project as it is now: the project exists; the caller's token
is for it (or a ticket, bound to what it opens, is consumed); each node is a machine of the
project or an attached slave serving it; the account is one of the project's execution accounts
(or, on a slave's own machine, one of its run-as accounts), never the slave's own user by
default; the caps hold. The session is written before it is answered, and ended (END row, its
place under the caps given back) by `end`, whatever ended it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from dataclasses import dataclass

from master.catalogue import resolve
from master.config import TerminalLimits
from master.db.connection import DbRunner
from master.db.models import TerminalTicket, utcnow
from master.domain import NO_PROJECT, Identity, ListFilter, Placement
from master.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)
from master.secrets import digest
from master.slaves.sessions import SlaveSessions
from master.store import catalogue, projects, terminals
from master.tasks.engine import TaskEngine
from master.terminal.model import Closed, LogKind, OpenSpec, Session, TerminalMode

logger = logging.getLogger(__name__)

MAX_NODES = 500
TICKET_BYTES = 24  # 192 random bits
DENIED = "this ticket does not open a terminal (unknown, used, expired, or for another project)"
"""The one refusal of every bad ticket: which of these it was is never said."""


@dataclass(frozen=True)
class Opener:
    """Who opens, as the call's credentials say (rpc/auth.py checked them)."""

    admin: bool
    project_id: int  # a project token's project
    token_id: int = 0


@dataclass(frozen=True)
class Resolved:
    """An open as checked: the machines, the account, the mode."""

    project_id: int
    nodes: tuple[str, ...]
    user: str
    mode: TerminalMode
    ssh_nodes: tuple[str, ...]  # of `nodes`, those reached over SSH (machines of the nodelist)


@dataclass(frozen=True)
class Ticket:
    value: str  # given once, kept only as its sha256
    expires_at: dt.datetime
    resolved: Resolved


@dataclass(frozen=True)
class Facts:
    """What the database says about an open, read in one hop."""

    machines: dict[str, str]  # a key a machine is known by (name, inip, exip) -> its name
    accounts: list[str]  # the project's execution accounts, oldest first
    records: bool


def read_facts(project_id: int, group_id: int) -> tuple[Facts, list[str]]:
    """The project's machines and accounts, and its node group's members (group_id 0: none)."""
    projects.require_project(project_id)
    machines: dict[str, str] = {}
    for node in catalogue.project_nodes(project_id):
        for key in (node.name, node.inip, node.exip):
            if key:
                machines.setdefault(key, node.name)
    rows, _ = catalogue.accounts(project_id, ListFilter())
    accounts = [a.username for a in sorted(rows, key=lambda a: a.id)]
    members: list[str] = []
    if group_id:
        group = catalogue.group_by_id(project_id, group_id)
        if group is None:
            raise NotFound(f"node group {group_id} not found in project {project_id}", "group_id")
        members = resolve.group_members(group)
    return Facts(machines, accounts, terminals.records(project_id)), members


class Admission:
    """Checks opens, issues and consumes tickets, and keeps sessions' rows and caps."""

    def __init__(
        self,
        run_db: DbRunner,
        sessions: SlaveSessions,
        engine: TaskEngine,
        limits: TerminalLimits = TerminalLimits(),
    ) -> None:
        self.run_db = run_db
        self.sessions = sessions
        self.engine = engine
        self.limits = limits

    async def recover(self) -> int:
        """Close the sessions a previous run of the master left open; how many."""
        left = await self.run_db(terminals.close_left_open)
        if left:
            logger.info(
                "closed %d terminal session(s) left open: %s", len(left), terminals.RESTARTED
            )
        return len(left)

    # --- tickets

    async def issue(self, opener: Opener, spec: OpenSpec) -> Ticket:
        """A single-use ticket for `spec`, checked now (and again when it is used)."""
        resolved, _ = await self.resolve(spec)
        value = secrets.token_urlsafe(TICKET_BYTES)
        expires = utcnow() + dt.timedelta(seconds=self.limits.ticket_ttl)
        row = dict(
            digest=digest(value),
            project_id=resolved.project_id,
            token_id=opener.token_id,
            actor=actor_of(opener, spec.actor),
            nodes=",".join(resolved.nodes),
            group_id=spec.group_id,
            user=resolved.user,
            mode=resolved.mode.value,
            cols=spec.cols,
            rows=spec.rows,
            term=spec.term,
            expires_at=expires,
        )
        await self.run_db(terminals.add_ticket, row)
        return Ticket(value, expires, resolved)

    async def redeem(self, ticket: str, spec: OpenSpec) -> tuple[OpenSpec, Opener]:
        """What a ticket opens and for whom, consuming it. The ticket's binding wins over the
        open frame; an open naming another project than the ticket's is refused like a bad
        ticket (the ticket is spent all the same)."""
        row = await self.run_db(terminals.consume_ticket, digest(ticket))
        if row is None or (spec.project_id != NO_PROJECT and spec.project_id != row.project_id):
            logger.info("refused a terminal ticket")
            raise PermissionDenied(DENIED, "ticket")
        return spec_of(row), Opener(False, row.project_id, row.token_id)

    # --- opening and ending

    async def admit(self, opener: Opener, spec: OpenSpec) -> Session:
        """The session, written and counted; its START row written (SHELL)."""
        if not opener.admin and spec.project_id != opener.project_id:
            raise PermissionDenied(
                f"this token is for project {opener.project_id}, not {spec.project_id}",
                "project_id",
            )
        resolved, records = await self.resolve(spec)
        placement = None
        if resolved.mode == TerminalMode.SHELL:
            placement = await self._placement(resolved)
        session = Session(
            id=uuid.uuid4().hex,
            project_id=resolved.project_id,
            actor=actor_of(opener, spec.actor),
            token_id=opener.token_id,
            nodes=resolved.nodes,
            user=resolved.user,
            mode=resolved.mode,
            cols=spec.cols,
            rows=spec.rows,
            term=spec.term,
            idle_timeout=self.limits.idle_timeout,
            recorded=records and resolved.mode == TerminalMode.SHELL,
            placement=placement,
        )
        await self._write(session)
        return session

    async def end(self, session: Session, closed: Closed) -> None:
        """Close the session (once): its END row (SHELL) says how; its caps' places free."""
        how = closed.reason or f"exited {closed.exit_code}"
        if not await self.run_db(terminals.end_session, session.id, closed.exit_code, how):
            return
        if session.mode == TerminalMode.SHELL:
            await self.run_db(terminals.add_log, [entry(session, LogKind.END, how)])

    async def _write(self, session: Session) -> None:
        row = dict(
            uuid=session.id,
            project_id=session.project_id,
            actor=session.actor,
            token_id=session.token_id,
            nodes=",".join(session.nodes),
            user=session.user,
            mode=session.mode.value,
            recorded=session.recorded,
            cols=session.cols,
            rows=session.rows,
            term=session.term,
        )
        cap = terminals.Cap(self.limits.max_per_project, self.limits.max_per_user)
        full = await self.run_db(terminals.open_session, row, cap)
        if full == "project":
            raise ResourceExhausted(
                f"project {session.project_id} has {cap.per_project} terminal sessions open "
                "(the master's --terminal-max-per-project)",
                "project_id",
            )
        if full == "user":
            raise ResourceExhausted(
                f"{session.actor or 'this caller'} has {cap.per_user} terminal sessions open "
                "(the master's --terminal-max-per-user)",
                "actor",
            )
        if session.mode == TerminalMode.SHELL:
            start = f"shell as {session.user or '(the slave default)'} ({session.term})"
            await self.run_db(terminals.add_log, [entry(session, LogKind.START, start)])

    # --- checks

    async def resolve(self, spec: OpenSpec) -> tuple[Resolved, bool]:
        """The open checked against the project as it is now, and whether it records."""
        check_shape(spec)
        facts, members = await self.run_db(read_facts, spec.project_id, spec.group_id)
        names = list(dict.fromkeys([*spec.nodes, *members]))
        if not names:
            raise InvalidArgument("name at least one node (or a node group)", "nodes")
        if len(names) > MAX_NODES:
            raise InvalidArgument(f"at most {MAX_NODES} nodes", "nodes")
        elsewhere = self.engine.elsewhere
        remote = await elsewhere.slaves() if elsewhere is not None else {}
        nodes, agents = self._nodes(spec.project_id, names, facts, remote)
        mode = spec.mode or (
            TerminalMode.SHELL if len(nodes) == 1 and not spec.group_id else TerminalMode.LINES
        )
        if mode == TerminalMode.SHELL and len(nodes) != 1:
            raise InvalidArgument(
                f"a shell opens on exactly one node; {len(nodes)} named (use line mode)", "nodes"
            )
        ssh = tuple(n for n in nodes if n not in agents)
        user = account(spec.project_id, spec.user, facts.accounts, agents, ssh)
        return Resolved(spec.project_id, nodes, user, mode, ssh), facts.records

    def _nodes(
        self,
        project_id: int,
        names: list[str],
        facts: Facts,
        remote: dict[str, Identity] | None = None,
    ) -> tuple[tuple[str, ...], dict[str, Identity]]:
        """The nodes by their canonical names, sorted, and those that are attached slaves
        (their identities; `remote`: those attached to other masters); a name that is neither
        a machine of the project nor an attached slave serving it is NOT_FOUND (another
        project's machine alike)."""
        canonical: list[str] = []
        agents: dict[str, Identity] = {}
        unknown: list[str] = []
        for name in names:
            agent = self.sessions.identity(name) or (remote or {}).get(name)
            if agent is not None and agent.serves(project_id):
                agents[name] = agent
                canonical.append(name)
            elif name in facts.machines:
                canonical.append(facts.machines[name])
            else:
                unknown.append(name)
        if unknown:
            shown = ", ".join(unknown[:10])
            raise NotFound(f"not a machine of project {project_id}: {shown}", "nodes")
        return tuple(sorted(set(canonical))), agents

    async def _placement(self, resolved: Resolved) -> Placement:
        """Where the shell runs: the node's slave, or the slave reaching it over SSH (the
        account's secrets opened). UNAVAILABLE when that slave is not attached."""
        [placed] = await self.engine.route(resolved.project_id, list(resolved.nodes), resolved.user)
        await self._refuse_elsewhere(placed.slave)
        if (
            not placed.slave
            or not self.sessions.attached(placed.slave)
            or (placed.failure and "not attached" in placed.failure)
        ):
            raise Unavailable(placed.failure or f"no slave reaches {placed.node} now", "nodes")
        if placed.failure:
            raise PermissionDenied(placed.failure, "user")
        return placed

    async def _refuse_elsewhere(self, slave: str) -> None:
        """Multi-master mode: a shell's slave attached to another master is refused, naming
        that master (a shell's keystrokes and screen are not relayed through the database;
        docs/ha.md, "Relays and wake-ups")."""
        elsewhere = self.engine.elsewhere
        if elsewhere is None or not slave or self.sessions.attached(slave):
            return
        master = await elsewhere.master_of(slave)
        if master is not None and master != elsewhere.name:
            raise FailedPrecondition(
                f"slave {slave} is attached to master {master}: open this shell there "
                "(a shell is not relayed between masters)",
                "nodes",
            )


def check_shape(spec: OpenSpec) -> None:
    if spec.project_id == NO_PROJECT:
        raise InvalidArgument("required: name the project", "project_id")
    if spec.group_id < 0:
        raise InvalidArgument("must be a node group's id", "group_id")
    if not (1 <= spec.cols <= 1000 and 1 <= spec.rows <= 1000):
        raise InvalidArgument("cols and rows must be 1 to 1000", "size")
    if len(spec.term) > 64 or not spec.term.replace("-", "").replace(".", "").isalnum():
        raise InvalidArgument("not a terminal type", "term")
    if len(spec.actor) > 255:
        raise InvalidArgument("at most 255 characters", "actor")


def account(
    project_id: int,
    asked: str,
    accounts: list[str],
    agents: dict[str, Identity],
    ssh: tuple[str, ...],
) -> str:
    """The account the session runs as. Asked: one of the project's execution accounts, or,
    when every node is a slave's own machine, one each of them runs as. Not asked: the
    machines' common default (a slave's first run-as account; else, and over SSH, the project's
    first account); never the slave's own user by default."""
    if asked:
        runs_it = bool(agents) and not ssh and all(asked in a.run_as for a in agents.values())
        if asked not in accounts and not runs_it:
            raise NotFound(f"no execution account {asked!r} in project {project_id}", "user")
        return asked
    first = accounts[0] if accounts else ""
    defaults = {a.run_as[0] if a.run_as else first for a in agents.values()}
    if ssh:
        defaults.add(first)
    if len(defaults) == 1 and "" not in defaults:
        return defaults.pop()
    raise InvalidArgument(
        "name the account (user): "
        + (
            f"project {project_id} has no execution account"
            if not first
            else "these machines have no default account in common"
        ),
        "user",
    )


def actor_of(opener: Opener, given: str) -> str:
    """Who is recorded as opening: as given (the gateway's user), else the token."""
    if given.strip():
        return given.strip()
    return "admin" if opener.admin else f"token {opener.token_id}"


def spec_of(row: TerminalTicket) -> OpenSpec:
    return OpenSpec(
        project_id=row.project_id,
        nodes=tuple(n for n in row.nodes.split(",") if n),
        group_id=0,  # expanded when issued
        user=row.user,
        mode=TerminalMode(row.mode) if row.mode else None,
        cols=row.cols,
        rows=row.rows,
        term=row.term or "xterm-256color",
        actor=row.actor,
    )


def entry(session: Session, kind: LogKind, cmd: str, task_uuid: str = "") -> terminals.LogEntry:
    return terminals.LogEntry(
        project_id=session.project_id,
        session=session.id,
        actor=session.actor,
        node=",".join(session.nodes),
        usr=session.user,
        cmd=cmd,
        kind=kind.value,
        task_uuid=task_uuid,
    )
