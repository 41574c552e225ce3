"""Who may call what; interceptor.py puts every call of a guarded service through it.

Control services (TaskService, CatalogService, CrontabService, TokenService). Credentials are
call metadata: `authorization: Token <t>`, or OpenC3's `appname` + `appkey: <t>`. A token is
either the bootstrap admin token (`MasterConfig.admin_token`, compared as its sha256, never
stored) acting on every project, or a project token (a row of `Tokens`) acting on its own
project only. Missing or unknown credentials are UNAUTHENTICATED. Auth is never off: a master
started without an admin token and with no project token stored lets no Control call in.

Project scope, in two rules, so a project token learns nothing of another project:
- A request naming another project (`project_id`, or DryRun's `job.project_id`) is
  PERMISSION_DENIED; one leaving it unset ("any project") is narrowed to the token's project.
  The field has presence: 0 set outright names project 0, the shared project (OpenC3's tree 0),
  a project like any other, open to its own tokens and the admin's only.
- A row named by id or uuid (task, execution, job, script, node, group, account, crontab, file,
  token) is looked up within the request's project: a row of another project is NOT_FOUND,
  exactly as an id that does not exist, so ids (sequential) do not reveal what other projects
  hold. The gateway answers these 403 and 404 in each document's envelope.
A request with no project at all is refused to project tokens, except `ListSlaves` (slaves
serve every project) and `ListProjects` (answered with its own project only); creating projects
takes the admin token, and so do creating and deleting tokens (TOKEN_WRITES), of any project. A
project token lists its own project's.
An admin call naming no project (project_id unset: NO_PROJECT from here on) that names a task by
uuid gets the task when one project has that uuid; uuids are per project, so when several have
it the call is refused INVALID_ARGUMENT on `project_id` (store/tasks.py::get) instead of picking
one.

Slave side: SlaveLink checks who the slave is in its hello (master/slaves/enrolment.py);
FileService (blobs for copies) takes a slave's own credential as `authorization: Token
<credential>` with `jobfleet-slave: <name>` metadata, or the admin token (operators' tools), and
nothing else: a project or join token is PERMISSION_DENIED there, and no slave credential opens
a Control service. The FileService servicer then lets a slave move only the blobs of copies
dispatched to it. Health and reflection pass. No token, whole or part, is ever logged or put in
an error.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable

from google.protobuf.message import Message

from master.catalogue.service import Tokens
from master.config import Secret
from master.domain import NO_PROJECT
from master.errors import InvalidArgument, PermissionDenied, ResourceExhausted, Unauthenticated
from master.rpc.context import ADMIN, Caller
from master.rpc.credentials import Found, Memory
from master.secrets import digest
from master.slaves.service import Slaves

logger = logging.getLogger(__name__)

ADMIN_ONLY = frozenset({"CreateProject", "WatchTaskChanges", "ListMasters"})
"""Control methods whose requests name no project, for the admin token only (WatchTaskChanges
names every project's tasks as they change; ListMasters every master and its load)."""
TOKEN_WRITES = frozenset({"CreateToken", "DeleteToken"})
"""Only the admin mints and deletes tokens: a project token that could would outlive its own
revocation (it mints a spare first) and could delete its owners' tokens. It may list its own
project's tokens (without their secrets)."""
ADMIN_MINTS = frozenset({"LinkVariable"})
"""Keys that work without a token (a variable's update link) are credentials: the admin alone
makes them, as it alone mints tokens."""
PROJECTLESS = frozenset({"ListSlaves", "ListProjects"})
"""Control methods whose requests name no project, open to every valid token (a project token
is answered about its own project: the slaves serving it, its own name)."""
LOG_EVERY = 10.0  # seconds between log lines about calls refused over the budget


class OverBudgetLog:
    """One log line per LOG_EVERY seconds for calls refused over the unknown-token budget, not
    one per call: a flood must not become a flood of log lines."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._count = 0
        self._logged = -LOG_EVERY

    def count(self, method: str) -> None:
        self._count += 1
        now = self.clock()
        if now - self._logged >= LOG_EVERY:
            logger.warning(
                "refused %d call(s) (the last: %s): too many unknown tokens tried; the next "
                "such refusals are counted in one line every %.0f s",
                self._count,
                method,
                LOG_EVERY,
            )
            self._count, self._logged = 0, now


def scoped(request: Message) -> Message | None:
    """The message that names the request's project: the request itself, or its one singular
    message field that has a `project_id` (DryRun's `job`); None when the request has none."""
    if "project_id" in request.DESCRIPTOR.fields_by_name:
        return request
    for field in request.DESCRIPTOR.fields:
        inner = field.message_type
        if inner is not None and not field.is_repeated and "project_id" in inner.fields_by_name:
            nested: Message = getattr(request, field.name)
            return nested
    return None


class Authenticator:
    """Who presents a token: the admin, a project (by its token row), or no one.

    Checking a project token costs a database lookup, and anyone who reaches the port can
    present tokens by the thousand. So what it learns is remembered (credentials.py):

    - A token found valid is taken without a lookup for TRUSTED_FOR (10 s): a client calling
      all the time costs one lookup per 10 s. A token deleted through this master stops working
      at once (its memory is dropped, and a lookup begun before the delete is not remembered);
      one deleted through another master sharing the database stops within those 10 s.
    - A token found unknown is refused without a lookup for REFUSED_FOR (60 s), in a bounded
      memory (MAX_ENTRIES, oldest out first): a bad token tried again costs nothing. A token
      created through this master is taken out of it at once.
    - Tokens not known are looked up one at a time (one database thread at most, whatever the
      flood) and at most UNKNOWN_PER_SECOND a second (bursts of UNKNOWN_BURST); past that they
      are refused at once with RESOURCE_EXHAUSTED (429 at the gateway: retry, not "unknown").
      Concurrent checks of the same token share one lookup.
    - Not per caller: the gateway forwards every REST client's token from one gRPC peer, so a
      limit per peer would throttle every REST client for one client's flood. Instead, a token
      this master found valid in the last REMEMBERED_FOR (1 h) is checked again outside that
      budget and that one-at-a-time lane: someone else's flood neither delays nor refuses it.
      Only a token this master has never seen valid (new, or after a restart) competes with a
      flood, and then gets a retryable 429, never a wrong 401.
    """

    def __init__(
        self,
        tokens: Tokens,
        slaves: Slaves,
        admin_token: Secret | None,
        join_token: Secret | None = None,
        memory: Memory | None = None,
    ) -> None:
        self.tokens = tokens
        self.slaves = slaves
        self._admin = digest(admin_token.value) if admin_token else ""
        self._join = digest(join_token.value) if join_token else ""
        self.memory = memory or Memory()
        self._pending: dict[str, asyncio.Future[Found | None]] = {}
        self._unknown_lane = asyncio.Semaphore(1)
        self._over_budget = OverBudgetLog(self.memory.clock)

    async def identify(self, token: str, method: str) -> Caller:
        if not token:
            logger.info("refused %s: no credentials", method)
            raise Unauthenticated("credentials required: metadata `authorization: Token <t>`")
        hashed = digest(token)
        if self._join and hmac.compare_digest(hashed, self._join):
            logger.info("refused %s: the join token is for slaves only", method)
            raise Unauthenticated("unknown token")
        if self._admin and hmac.compare_digest(hashed, self._admin):
            return ADMIN
        found = self.memory.trusted(hashed)
        if found is None and self.memory.unknown.get(hashed) is None:
            found = await self._look_up(hashed, method)
        if found is None:
            logger.debug("refused %s: unknown token", method)
            raise Unauthenticated("unknown token")
        return Caller(found.project_id, found.token_id)

    def token_created(self, token: str) -> None:
        self.memory.forget_unknown(digest(token))

    def token_deleted(self, token_id: int) -> None:
        self.memory.forget_token(token_id)

    async def _look_up(self, hashed: str, method: str) -> Found | None:
        """One lookup per token at a time, however many calls present it meanwhile."""
        pending = self._pending.get(hashed)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(hashed, method))
            self._pending[hashed] = pending
            pending.add_done_callback(lambda _: self._pending.pop(hashed, None))
        return await asyncio.shield(pending)

    async def _fetch(self, hashed: str, method: str) -> Found | None:
        generation = self.memory.generation
        if self.memory.valid.get(hashed) is not None:  # valid before: its own lane
            row = await self.tokens.by_digest(hashed)
        else:
            if not self.memory.budget.take():
                self._over_budget.count(method)
                raise ResourceExhausted("too many unknown tokens tried; try again in a moment")
            async with self._unknown_lane:
                row = await self.tokens.by_digest(hashed)
            if row is not None:
                self.memory.budget.give()
        found = Found(row.project_id, row.id, self.memory.clock()) if row else None
        if generation == self.memory.generation:  # no token deleted or created meanwhile
            if found is None:
                logger.info("refused %s: unknown token", method)
                self.memory.unknown.put(hashed, True)
            else:
                self.memory.valid.put(hashed, found)
        return found

    async def identify_slave(self, token: str, name: str, method: str) -> Caller:
        """A FileService caller: a slave presenting its own credential with its name, or the
        admin."""
        if token and self._admin and hmac.compare_digest(digest(token), self._admin):
            return ADMIN
        holder = await self.slaves.holder(name, token) if token and name else None
        if holder is None:
            logger.info("refused %s: not a slave's own credential", method)
            raise PermissionDenied("needs a slave's own credential and name (jobfleet-slave)")
        return Caller(0, slave=holder)

    @staticmethod
    def permit(who: Caller, method: str, request: Message) -> None:
        """Refuse a request outside the token's project; narrow "no project named" to it (the
        admin's to NO_PROJECT). Project 0 named outright is project 0, for everyone."""
        name = method.rpartition("/")[2]
        target = scoped(request)
        named = target is not None and target.HasField("project_id")
        if named and getattr(target, "project_id") < 0:
            raise InvalidArgument("must be 0 or a positive integer", "project_id")
        if who.admin:
            if target is not None and not named:
                setattr(target, "project_id", NO_PROJECT)
            return
        if name in ADMIN_ONLY | TOKEN_WRITES | ADMIN_MINTS:
            logger.info("refused %s: needs the admin token", method)
            raise PermissionDenied("needs the admin token")
        if target is None:
            if name in PROJECTLESS:
                return
            logger.info("refused %s: names no project, needs the admin token", method)
            raise PermissionDenied("needs the admin token")
        asked: int = getattr(target, "project_id")
        if not named:
            setattr(target, "project_id", who.project_id)
        elif asked != who.project_id:
            logger.info(
                "refused %s: token of project %d on project %d", method, who.project_id, asked
            )
            raise PermissionDenied(
                f"this token is for project {who.project_id}, not {asked}", "project_id"
            )
