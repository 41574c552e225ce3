"""SSH connections kept for reuse, the cap on concurrent SSH executions, and the threads that
run paramiko's blocking calls off the event loop.

A connection is shared by every execution with the same (host, port, user, credentials): a
request carrying another key or password never rides on a connection someone else logged in
with. One connection carries `channels_per_connection` sessions at most (OpenSSH's MaxSessions
defaults to 10); more open another connection. Connections that died, or sat unused for
`idle_timeout` seconds, are closed. Concurrent requests for a target wait for one connect
rather than each dialling.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from slave.backoff import Backoff, retry
from slave.messages import HostKeyPolicy, SshTarget
from slave.ssh.connect import connect
from slave.ssh.errors import SshError
from slave.ssh.hostkeys import KnownHosts

logger = logging.getLogger(__name__)

T = TypeVar("T")
_Key = tuple[str, int, str, bytes]  # host, port, user, digest of the credentials


@dataclass(eq=False)
class _Connection:
    key: _Key
    ready: asyncio.Future[Any]
    """The paramiko.Transport once connected (or the SshError)."""
    channels: int = 0
    """Sessions using it now (runs and kills)."""
    open: int = 0
    """Of those, sessions the server opened."""
    idle_since: float = 0.0

    @property
    def transport(self) -> Any:
        """The connected transport; None while connecting or after a failed connect."""
        if not self.ready.done() or self.ready.cancelled() or self.ready.exception():
            return None
        return self.ready.result()

    def usable(self) -> bool:
        if not self.ready.done():
            return True
        transport = self.transport
        return transport is not None and bool(transport.is_active())


class Lease:
    """One session's hold on a pooled connection. release() when done (idempotent);
    renew() trades a connection that failed a session for another one."""

    def __init__(self, pool: SshPool, conn: _Connection, target: SshTarget, eid: int) -> None:
        self.target = target
        self.execution_id = eid
        self._pool = pool
        self._conn: _Connection | None = conn
        self._open = False

    @property
    def transport(self) -> Any:
        assert self._conn is not None, "lease released"
        return self._conn.transport

    def opened(self) -> None:
        """The server opened our session (so the connection carries at least that many)."""
        if self._conn is not None and not self._open:
            self._conn.open += 1
            self._open = True

    def release(self) -> None:
        if self._conn is not None:
            if self._open:
                self._conn.open -= 1
            self._pool._release(self._conn)
            self._conn = None
            self._open = False

    async def renew(self, dead: bool) -> None:
        """Give up this connection — closed when `dead`, else marked full (the server refused
        a session: its MaxSessions is lower than ours) — and hold another one."""
        conn = self._conn
        self.release()
        if conn is not None:
            self._pool._retire(conn, dead)
        self._conn = await self._pool._acquire(self.target, self.execution_id)


class SshPool:
    """Create inside the event loop; `await close()` at the end."""

    def __init__(
        self,
        known_hosts: KnownHosts,
        *,
        default_policy: HostKeyPolicy = HostKeyPolicy.ACCEPT_NEW,
        max_sessions: int = 64,
        idle_timeout: float = 60.0,
        channels_per_connection: int = 8,
        connect_tries: int = 3,
    ) -> None:
        self.known_hosts = known_hosts
        self.default_policy = default_policy
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.channels_per_connection = channels_per_connection
        self.connect_tries = connect_tries
        self._slots = asyncio.Semaphore(max_sessions)
        # Every running execution may need a thread at once (a connect, a kill) and kills do
        # not wait for a slot: twice the cap, created only as needed.
        self._executor = ThreadPoolExecutor(2 * max_sessions + 4, thread_name_prefix="ssh")
        self._connections: dict[_Key, list[_Connection]] = {}
        self._capacity: dict[_Key, int] = {}
        """Sessions per connection a server allows, learnt when it refused one more."""
        self._salt = os.urandom(16)
        self._reaper: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Future[Any]] = set()
        self._closed = False

    async def __aenter__(self) -> SshPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def acquire_slot(self) -> bool:
        """Take one of the `max_sessions` places for an execution; waits its turn. True."""
        return await self._slots.acquire()

    def release_slot(self) -> None:
        self._slots.release()

    async def lease(self, target: SshTarget, execution_id: int) -> Lease:
        """A live, authenticated connection for one session; SshError if none can be had.
        Not counted against the slots (a kill must never wait behind the runs it ends)."""
        conn = await self._acquire(target, execution_id)
        return Lease(self, conn, target, execution_id)

    async def call(self, blocking: Callable[..., T], *args: Any) -> T:
        """Run a blocking paramiko call in the pool's threads."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, blocking, *args)

    def connection_count(self) -> int:
        return sum(1 for conns in self._connections.values() for c in conns if c.transport)

    async def close(self) -> None:
        """Close every connection (running sessions on them end); idempotent."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
        for conns in self._connections.values():
            for conn in conns:
                self._close_later(conn)
        self._connections.clear()
        await asyncio.gather(*self._closing, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- internals ----------------------------------------------------------------------

    async def _acquire(self, target: SshTarget, execution_id: int) -> _Connection:
        if self._closed:
            raise SshError(target, "the slave is shutting down")
        self._sweep()
        self._start_reaper()
        key = self._key(target)
        conn = next((c for c in self._connections.get(key, ()) if self._has_room(c)), None)
        if conn is None:
            conn = _Connection(key, asyncio.ensure_future(self._connect(target, execution_id)))
            self._connections.setdefault(key, []).append(conn)
            conn.ready.add_done_callback(lambda _: self._drop_if_failed(conn))
        conn.channels += 1
        try:
            await asyncio.shield(conn.ready)
        except SshError as exc:  # a connect shared with other nodes: name this one
            self._release(conn)
            raise SshError(target, exc.cause, transient=exc.transient) from None
        except BaseException:
            self._release(conn)
            raise
        return conn

    def _has_room(self, conn: _Connection) -> bool:
        capacity = self._capacity.get(conn.key, self.channels_per_connection)
        return conn.usable() and conn.channels < capacity

    def _retire(self, conn: _Connection, dead: bool) -> None:
        """Close a dead connection; when one is full, the server allows what it has open."""
        if dead:
            self._forget(conn)
            self._close_later(conn)
        else:
            known = self._capacity.get(conn.key, self.channels_per_connection)
            self._capacity[conn.key] = min(known, max(conn.open, 1))

    def _release(self, conn: _Connection) -> None:
        conn.channels -= 1
        if conn.channels == 0:
            conn.idle_since = time.monotonic()
        self._sweep()

    async def _connect(self, target: SshTarget, execution_id: int) -> Any:
        policy = target.host_key_policy or self.default_policy
        began = time.monotonic()
        deadline = began + target.connect_timeout

        def retrying(exc: Exception, delay: float) -> None:
            logger.info("exec %d: %s; connecting again in %.2f s", execution_id, exc, delay)

        transport = await retry(
            lambda: self.call(self._connect_blocking, target, policy, deadline),
            Backoff(base=0.05, cap=1.0),
            tries=self.connect_tries,
            deadline=deadline,
            should_giveup=lambda exc: not (isinstance(exc, SshError) and exc.transient),
            on_backoff=retrying,
        )
        logger.info(
            "exec %d: %s: connected as %s in %.0f ms",
            execution_id,
            target.label,
            target.user,
            (time.monotonic() - began) * 1000,
        )
        return transport

    def _connect_blocking(self, target: SshTarget, policy: HostKeyPolicy, deadline: float) -> Any:
        transport = connect(target, policy, self.known_hosts, deadline)
        if self._closed:  # the pool closed while we dialled: nobody will close this one
            transport.close()
            raise SshError(target, "the slave is shutting down")
        return transport

    def _drop_if_failed(self, conn: _Connection) -> None:
        if conn.transport is None:
            self._forget(conn)

    def _forget(self, conn: _Connection) -> None:
        conns = self._connections.get(conn.key, [])
        if conn in conns:
            conns.remove(conn)
        if not conns:
            self._connections.pop(conn.key, None)

    def _sweep(self) -> None:
        """Close connections that are dead or idle too long and unused."""
        now = time.monotonic()
        for conns in list(self._connections.values()):
            for conn in list(conns):
                if conn.channels or not conn.ready.done():
                    continue
                if not conn.usable() or now - conn.idle_since >= self.idle_timeout:
                    self._forget(conn)
                    self._close_later(conn)

    def _close_later(self, conn: _Connection) -> None:
        transport = conn.transport
        if transport is None:
            return
        closing = asyncio.ensure_future(self.call(transport.close))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = asyncio.create_task(self._reap(), name="ssh-pool-reaper")

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(max(0.05, self.idle_timeout / 2))
            self._sweep()

    def _key(self, target: SshTarget) -> _Key:
        digest = hashlib.blake2b(self._salt, digest_size=16)
        for secret in (target.private_key, target.passphrase, target.password):
            value = secret.value.encode() if secret else b""
            digest.update(len(value).to_bytes(8, "big") + value)
        return (target.host, target.port, target.user, digest.digest())
