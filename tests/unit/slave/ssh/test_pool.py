"""The connection pool: reuse, eviction of idle and dead connections, retries of transient
connect failures only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from slave.commands.base import CommandSettings
from slave.messages import Secret, Status
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from tests.sshd import SshServer, start_sshd
from tests.unit.slave.slavetest import poll
from tests.unit.slave.ssh.sshtest import run_ssh


def connects(caplog: pytest.LogCaptureFixture) -> int:
    return sum("connected as" in r.getMessage() for r in caplog.records)


def test_one_connection_serves_consecutive_runs(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="slave")

    async def scenario() -> None:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            for node in ("a", "b", "c"):
                sink = await run_ssh(pool, sshd.target(node), "echo $PPID", settings=settings)
                assert sink.result.status is Status.SUCCESS
            assert pool.connection_count() == 1

    asyncio.run(scenario())
    assert connects(caplog) == 1


def test_other_credentials_get_their_own_connection(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    async def scenario() -> None:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            await run_ssh(pool, sshd.target("a"), "true", settings=settings)
            also_password = sshd.target("a", password=Secret("not-needed"))
            await run_ssh(pool, also_password, "true", settings=settings)
            assert pool.connection_count() == 2

    asyncio.run(scenario())


def test_idle_and_dead_connections_are_closed(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    async def scenario() -> None:
        async with SshPool(KnownHosts(tmp_path / "kh"), idle_timeout=0.2) as pool:
            await run_ssh(pool, sshd.target(), "true", settings=settings)
            assert pool.connection_count() == 1
            await poll(lambda: pool.connection_count() == 0)

        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            lease = await pool.lease(sshd.target(), 1)
            lease.transport.close()  # the connection dies behind the pool's back
            lease.release()
            sink = await run_ssh(pool, sshd.target(), "echo again", settings=settings)
            assert (sink.result.status, sink.output_bytes) == (Status.SUCCESS, b"again\n")
            assert pool.connection_count() == 1

    asyncio.run(scenario())


@contextlib.asynccontextmanager
async def flaky_proxy(port: int, drop_first: int) -> AsyncIterator[int]:
    """A TCP proxy to 127.0.0.1:port that hangs up on its first `drop_first` clients (a server
    at its MaxStartups limit does that before its banner)."""
    dropped = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal dropped
        if dropped < drop_first:
            dropped += 1
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield int(server.sockets[0].getsockname()[1])


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(1 << 16):
            sink.write(data)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        sink.close()


def test_a_transient_connect_failure_is_retried(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="slave")

    async def scenario() -> None:
        async with flaky_proxy(sshd.port, drop_first=2) as port:
            async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
                target = sshd.target("busy", port=port)
                sink = await run_ssh(pool, target, "echo made it", settings=settings)
        assert (sink.result.status, sink.output_bytes) == (Status.SUCCESS, b"made it\n")

    asyncio.run(scenario())
    retries = [r.getMessage() for r in caplog.records if "connecting again" in r.getMessage()]
    assert len(retries) == 2
    assert "connection closed during the SSH handshake" in retries[0]


def test_a_refusal_is_not_retried(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="slave")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> str:
        async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
            sink = await run_ssh(pool, sshd.target(port=port), "true", settings=settings)
        return sink.result.reason

    assert asyncio.run(scenario()).endswith("connection refused")
    assert not any("connecting again" in r.getMessage() for r in caplog.records)


def test_retries_stop_at_the_try_limit(
    sshd: SshServer, tmp_path: Path, settings: CommandSettings
) -> None:
    async def scenario() -> str:
        async with flaky_proxy(sshd.port, drop_first=10) as port:
            async with SshPool(KnownHosts(tmp_path / "kh"), connect_tries=3) as pool:
                sink = await run_ssh(pool, sshd.target(port=port), "true", settings=settings)
        return sink.result.reason

    assert asyncio.run(scenario()).endswith(
        "connection closed during the SSH handshake (server busy?)"
    )


def test_a_server_allowing_fewer_sessions_gets_more_connections(
    tmp_path: Path, settings: CommandSettings
) -> None:
    """OpenSSH's MaxSessions may be lower than channels_per_connection: a refused session is
    tried on another connection, and the refusing one is not asked for more."""
    with start_sshd(JOBFLEET_SSHD_MAX_SESSIONS="2") as stingy:

        async def scenario() -> None:
            async with SshPool(KnownHosts(tmp_path / "kh")) as pool:
                sinks = await asyncio.gather(
                    *(
                        run_ssh(
                            pool, stingy.target(f"n{i}"), "sleep 0.3; echo ok", settings=settings
                        )
                        for i in range(5)
                    )
                )
                assert pool.connection_count() >= 3
            for sink in sinks:
                assert (sink.result.status, sink.output_bytes) == (Status.SUCCESS, b"ok\n")

        asyncio.run(scenario())
