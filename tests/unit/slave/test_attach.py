"""The link to the master, end to end: a real Slave against a scriptable in-process master."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import grpc
import pytest

from jobfleet.v1 import common_pb2, slave_pb2, slave_pb2_grpc
from slave.daemon import Slave
from tests.unit.slave.slavetest import FakeMaster, MakeConfig, StartMaster, Stream, poll

SHELL = common_pb2.SCRIPT_TYPE_SHELL


def run_command(eid: int, script: str, **fields: Any) -> slave_pb2.RunCommand:
    return slave_pb2.RunCommand(execution_id=eid, script_type=SHELL, script=script, **fields)


async def collect(stream: Stream, count: int) -> list[tuple[str, Any]]:
    """The next `count` output/result messages, as (kind, message)."""
    items = []
    for _ in range(count):
        message = await stream.next("output", "result")
        items.append(("output" if hasattr(message, "seq") else "result", message))
    return items


def shape(items: list[tuple[str, Any]]) -> list[tuple[str, int, int]]:
    return [(kind, m.execution_id, m.seq if kind == "output" else -1) for kind, m in items]


async def attach(
    master: FakeMaster, heartbeat: float = 30.0, timeout: float | None = None
) -> tuple[Stream, Any]:
    stream = await (master.next_stream() if timeout is None else master.next_stream(timeout))
    hello = await stream.next("hello")
    stream.welcome(heartbeat)
    return stream, hello


def test_hello_welcome_run_heartbeat_and_acks(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> None:
        async with fake_master() as (master, address), Slave(slave_config(address)) as slave:
            stream, hello = await attach(master, heartbeat=0.1)
            assert (hello.name, hello.version, hello.hostname) == (
                "test-slave",
                "0.1.0",
                socket.gethostname(),
            )
            assert list(hello.addresses) and not hello.running_execution_ids
            await asyncio.wait_for(slave.wait_attached(), 5)
            stream.send(run=run_command(1, "echo hi; sleep 0.5"))
            started = await stream.next("started")
            assert started.execution_id == 1 and started.pid > 0
            output = await stream.next("output")
            result = await stream.next("result")
            assert (output.seq, output.data) == (0, b"hi\n")
            assert (result.status, result.chunk_count) == (common_pb2.EXECUTION_STATUS_SUCCESS, 1)
            assert len(slave.outbox) == 2
            assert 1 in stream.heartbeats
            stream.send(output_ack=slave_pb2.OutputAck(execution_id=1, seqs=[0]))
            stream.send(result_ack=slave_pb2.ResultAck(execution_id=1))
            await poll(lambda: len(slave.outbox) == 0)
            beats = len(stream.heartbeats)
            await poll(lambda: len(stream.heartbeats) > beats)
            assert stream.heartbeats[-1] == 0

    asyncio.run(scenario())


def test_a_run_over_before_its_start_left_is_one_result_carrying_the_start(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> None:
        async with fake_master() as (master, address), Slave(slave_config(address)) as slave:
            slave.outbox.start_hold = slave.outbox.max_start_hold = 30.0  # `true` ends first
            stream, _ = await attach(master)
            stream.send(run=run_command(1, "true"))
            result = await stream.next("result")
            stream.send(result_ack=slave_pb2.ResultAck(execution_id=1))
            await poll(lambda: len(slave.outbox) == 0)
            assert result.status == common_pb2.EXECUTION_STATUS_SUCCESS
            assert result.pid > 0 and result.HasField("started_at")
            assert result.started_at.ToDatetime() <= result.finished_at.ToDatetime()
            assert stream.drain() == []  # no ExecutionStarted, before or after

    asyncio.run(scenario())


def test_reconnect_resends_every_unacked_message_once_in_order(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> None:
        async with fake_master() as (master, address), Slave(slave_config(address)):
            first, _ = await attach(master)
            first.send(run=run_command(1, "printf a; sleep 0.3; printf b"))
            await first.next("started")
            sent = await collect(first, 3)
            assert shape(sent) == [("output", 1, 0), ("output", 1, 1), ("result", 1, -1)]
            first.close()  # no acks: everything must come again

            second, hello = await attach(master)
            assert list(hello.finished_execution_ids) == [1]
            assert list(hello.running_execution_ids) == []
            assert shape(await collect(second, 3)) == shape(sent)
            await asyncio.sleep(0.3)
            assert second.drain() == []  # nothing twice on one stream
            second.send(output_ack=slave_pb2.OutputAck(execution_id=1, seqs=[0]))
            await asyncio.sleep(0.1)
            second.abort(grpc.StatusCode.UNAVAILABLE, "master restarting")

            third, hello = await attach(master)
            assert list(hello.finished_execution_ids) == [1]
            resent = await collect(third, 2)
            assert shape(resent) == [("output", 1, 1), ("result", 1, -1)]
            assert resent[0][1].data == b"b"

    asyncio.run(scenario())


def test_output_made_while_detached_arrives_complete_and_gapless(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    script = "for i in $(seq 1 30); do echo line$i; sleep 0.02; done"
    got: dict[int, bytes] = {}

    async def scenario() -> Any:
        async with fake_master() as (master, address), Slave(slave_config(address)):
            stream, _ = await attach(master)
            stream.send(run=run_command(1, script))
            await stream.next("started")
            first = await stream.next("output")
            got[first.seq] = first.data
            stream.close()
            stream = await master.next_stream()
            await stream.next("hello")
            await asyncio.sleep(0.5)  # the master is slow to welcome: output piles up
            stream.welcome()
            while True:
                message = await stream.next("output", "result")
                if not hasattr(message, "seq"):
                    return message
                got[message.seq] = message.data

    result = asyncio.run(scenario())
    assert result.status == common_pb2.EXECUTION_STATUS_SUCCESS
    assert sorted(got) == list(range(result.chunk_count))
    expected = "".join(f"line{i}\n" for i in range(1, 31)).encode()
    assert b"".join(got[seq] for seq in sorted(got)) == expected


def test_refusal_is_logged_as_an_error_and_retried(
    fake_master: StartMaster, slave_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with fake_master() as (master, address), Slave(slave_config(address)) as slave:
            first = await master.next_stream()
            await first.next("hello")
            first.abort(grpc.StatusCode.PERMISSION_DENIED, "name test-slave is in use")
            await attach(master)
            await asyncio.wait_for(slave.wait_attached(), 5)

    with caplog.at_level(logging.INFO, logger="slave"):
        asyncio.run(scenario())
    # the slave's own lines only: the scripted master may log its cancelled stream at teardown
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    refusals = [r for r in errors if r.name == "slave.attach"]
    assert len(refusals) == 1
    assert "refused slave test-slave: PERMISSION_DENIED: name test-slave is in use" in (
        refusals[0].getMessage()
    )


def test_master_down_at_start_is_retried_until_it_comes_up(
    slave_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        async with Slave(slave_config(f"127.0.0.1:{port}")) as slave:
            await poll(lambda: "cannot attach to master" in caplog.text)
            await asyncio.sleep(0.2)
            master = FakeMaster()
            server = grpc.aio.server()
            slave_pb2_grpc.add_SlaveLinkServicer_to_server(master, server)
            server.add_insecure_port(f"127.0.0.1:{port}")
            await server.start()
            try:
                await attach(master)
                await asyncio.wait_for(slave.wait_attached(), 5)
            finally:
                await server.stop(0)

    with caplog.at_level(logging.WARNING, logger="slave"):
        asyncio.run(scenario())
    assert caplog.text.count("cannot attach to master") >= 2


def test_duplicate_run_commands_are_ignored(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> list[tuple[str, Any]]:
        async with fake_master() as (master, address), Slave(slave_config(address)):
            stream, _ = await attach(master)
            command = run_command(7, "sleep 0.3; echo once")
            stream.send(run=command)
            stream.send(run=command)  # while it runs
            await stream.next("started")
            await stream.next("output")
            await stream.next("result")
            stream.send(run=command)  # finished, result not acked yet
            await asyncio.sleep(0.5)
            return stream.drain()

    late = asyncio.run(scenario())
    assert late == []


def test_kill_command_ends_the_execution_and_unknown_kills_are_ignored(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> Any:
        async with fake_master() as (master, address), Slave(slave_config(address)):
            stream, _ = await attach(master)
            stream.send(kill=slave_pb2.KillCommand(execution_id=999, reason="nothing"))
            stream.send(run=run_command(3, "sleep 1000"))
            await stream.next("started")
            stream.send(kill=slave_pb2.KillCommand(execution_id=3, reason="by test"))
            return await stream.next("result")

    result = asyncio.run(scenario())
    assert (result.execution_id, result.status) == (3, common_pb2.EXECUTION_STATUS_KILLED)
    assert result.reason == "by test"


def test_unacked_output_is_capped_and_the_command_waits(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    cap = 256 << 10
    script = "import sys\nsys.stdout.buffer.write(b'x' * (2 << 20))"
    command = slave_pb2.RunCommand(
        execution_id=4, script_type=common_pb2.SCRIPT_TYPE_PYTHON, script=script
    )

    async def scenario() -> tuple[int, Any]:
        async with fake_master() as (master, address):
            config = slave_config(address, max_unacked_bytes=cap, flush_bytes=64 << 10)
            async with Slave(config) as slave:
                stream, _ = await attach(master)
                stream.send(run=command)
                await stream.next("started")
                await poll(lambda: slave.outbox.unacked_bytes >= cap)
                await asyncio.sleep(0.3)
                assert slave.outbox.unacked_bytes <= cap + (64 << 10)
                held = stream.drain()
                assert {kind for kind, _ in held} == {"output"}  # no result: the command waits
                seqs = [m.seq for _, m in held]
                total = sum(len(m.data) for _, m in held)
                while True:  # now ack, as the master does once it has stored them
                    stream.send(output_ack=slave_pb2.OutputAck(execution_id=4, seqs=seqs))
                    message = await stream.next("output", "result")
                    if not hasattr(message, "seq"):
                        return total, message
                    seqs = [message.seq]
                    total += len(message.data)

    total, result = asyncio.run(scenario())
    assert result.status == common_pb2.EXECUTION_STATUS_SUCCESS
    assert total == 2 << 20


def test_a_lost_master_is_left_for_the_next_at_once_which_gets_the_unacked(
    fake_master: StartMaster, slave_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    async def first_stream(masters: list[FakeMaster]) -> tuple[int, Stream]:
        waits = [asyncio.ensure_future(m.next_stream()) for m in masters]
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in pending:
            waiting.cancel()
        index = waits.index(done.pop())
        return index, waits[index].result()

    async def scenario() -> None:
        async with fake_master() as (one, a), fake_master() as (two, b):
            # a backoff this long would show: moving on must not wait for it
            config = slave_config(f"{a},{b}", reconnect_base=30.0, reconnect_cap=30.0)
            async with Slave(config) as slave:
                masters, addresses = [one, two], [a, b]
                index, first = await first_stream(masters)
                await first.next("hello")
                first.welcome()
                await asyncio.wait_for(slave.wait_attached(), 5)
                first.send(run=run_command(1, "printf a; sleep 0.3; printf b"))
                await first.next("started")
                sent = await collect(first, 3)
                first.abort(grpc.StatusCode.UNAVAILABLE, "master going away")

                other = masters[1 - index]
                second = await other.next_stream(timeout=5)
                hello = await second.next("hello")
                assert list(hello.finished_execution_ids) == [1]
                second.welcome()
                assert shape(await collect(second, 3)) == shape(sent)
                await asyncio.sleep(0.2)
                assert second.drain() == []

        assert f"lost master {addresses[index]}" in caplog.text
        assert f"trying master {addresses[1 - index]} now" in caplog.text

    with caplog.at_level(logging.INFO, logger="slave"):
        asyncio.run(scenario())


def test_an_unreachable_or_silent_master_is_skipped_for_a_live_one(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    """A stopped master (the port refuses) costs nothing; one that takes the connection and
    says nothing (a hung host) costs `connect_timeout`, not grpc's 20 s handshake wait."""

    async def scenario() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead = f"127.0.0.1:{probe.getsockname()[1]}"
        with socket.socket() as silent_socket:
            silent_socket.bind(("127.0.0.1", 0))
            silent_socket.listen(8)  # the kernel completes the handshake; nobody answers
            silent = f"127.0.0.1:{silent_socket.getsockname()[1]}"
            async with fake_master() as (master, live):
                for gone in (dead, silent):
                    for order in (f"{gone},{live}", f"{live},{gone}"):
                        config = slave_config(
                            order, reconnect_base=30.0, reconnect_cap=30.0, connect_timeout=0.5
                        )
                        async with Slave(config) as slave:
                            await attach(master, timeout=3)
                            await asyncio.wait_for(slave.wait_attached(), 3)

    asyncio.run(scenario())
