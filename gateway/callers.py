"""Who is calling: the master's answer to TokenService.Authenticate, asked before a handler runs.

`gateway.auth` asks it for every request with a token, naming the path's project (none when
the route has none; 0 is the shared project, named like any other), so that a wrong token (401)
or another project's token (403) is answered before anything of the body is read. A yes is
kept for `CACHE_SECONDS`, keyed by the token's SHA-256 and the project: a client's next requests
cost the master nothing extra, and the master still checks every call the handler makes (a token
deleted meanwhile is refused there). A no is never kept here: each refused attempt is one lookup
on the master, which keeps its own count of failures.
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import Scope

from jobfleet.v1 import auth_pb2

CACHE_SECONDS = 5.0
CACHE_ENTRIES = 4096


@dataclass(frozen=True)
class Caller:
    """What the master said about the request's token."""

    admin: bool
    project_id: int
    """The token's project (0 for the admin token, and for project 0's: see `admin`)."""
    token_id: int
    """0 for the admin token."""


CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("caller", default=None)
"""The request's caller, set by `gateway.auth.Credentials` before the handler runs."""

Verify = Callable[[Scope, str, int | None], Awaitable[Caller]]
"""(scope, token, project id or None) -> the caller; raises the master's refusal (AioRpcError)."""


class CallerCache:
    """Positive answers for a while, at most `entries` of them; the token itself is not kept."""

    def __init__(
        self,
        seconds: float = CACHE_SECONDS,
        entries: int = CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.entries = entries
        self.clock = clock
        self._kept: dict[tuple[bytes, int | None], tuple[float, Caller]] = {}

    @staticmethod
    def _key(token: str, project_id: int | None) -> tuple[bytes, int | None]:
        return hashlib.sha256(token.encode()).digest(), project_id

    def get(self, token: str, project_id: int | None) -> Caller | None:
        key = self._key(token, project_id)
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept[0] <= self.clock():
            del self._kept[key]
            return None
        return kept[1]

    def put(self, token: str, project_id: int | None, caller: Caller) -> None:
        now = self.clock()
        if len(self._kept) >= self.entries:
            self._kept = {k: v for k, v in self._kept.items() if v[0] > now}
        while len(self._kept) >= self.entries:  # still full: the oldest goes
            del self._kept[next(iter(self._kept))]
        self._kept[self._key(token, project_id)] = (now + self.seconds, caller)


class AskMaster:
    """The `Verify` of a running gateway: the cache, else TokenService.Authenticate.

    The call carries the token the way every call does (`gateway.auth.CREDENTIALS`, set by the
    middleware before it asks).
    """

    def __init__(self, cache: CallerCache | None = None) -> None:
        self.cache = cache or CallerCache()

    async def __call__(self, scope: Scope, token: str, project_id: int | None) -> Caller:
        kept = self.cache.get(token, project_id)
        if kept is not None:
            return kept
        master = scope["state"]["master"]
        ask = auth_pb2.AuthenticateRequest(project_id=project_id)
        reply = await master.auth.Authenticate(ask, timeout=master.timeout)
        caller = Caller(reply.admin, reply.project_id, reply.token_id)
        self.cache.put(token, project_id, caller)
        return caller
