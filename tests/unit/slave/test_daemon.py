"""Slave lifecycle: run / shutdown (warm and forced) / async with."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from jobfleet.v1 import common_pb2, slave_pb2
from slave.daemon import Slave
from tests.cgroups import own_cgroup_dir, require_cgroups
from tests.unit.slave.slavetest import WAIT, MakeConfig, StartMaster, Stream, group_gone, poll


def run_command(eid: int, script: str) -> slave_pb2.RunCommand:
    return slave_pb2.RunCommand(
        execution_id=eid, script_type=common_pb2.SCRIPT_TYPE_SHELL, script=script
    )


async def attach(master: Any) -> Stream:
    stream: Stream = await master.next_stream()
    await stream.next("hello")
    stream.welcome()
    return stream


def ack(stream: Stream, message: Any) -> None:
    if hasattr(message, "seq"):
        stream.send(output_ack=slave_pb2.OutputAck(execution_id=message.execution_id, seqs=[0]))
    else:
        stream.send(result_ack=slave_pb2.ResultAck(execution_id=message.execution_id))


def test_shutdown_before_run_makes_run_return_at_once(slave_config: MakeConfig) -> None:
    async def scenario() -> None:
        slave = Slave(slave_config("127.0.0.1:1", work_dir=None))
        await slave.shutdown()
        await asyncio.wait_for(slave.run(), 1)
        await slave.shutdown()  # idempotent
        with pytest.raises(RuntimeError):
            await slave.run()

    asyncio.run(scenario())


def test_owned_work_dir_is_made_private_and_removed_at_exit(slave_config: MakeConfig) -> None:
    async def scenario() -> Path:
        async with Slave(slave_config("127.0.0.1:1", work_dir=None)) as slave:
            await poll(lambda: slave.work_dir is not None)
            assert slave.work_dir is not None
            assert oct(slave.work_dir.stat().st_mode & 0o777) == oct(0o711)
            return slave.work_dir

    work_dir = asyncio.run(scenario())
    assert not work_dir.exists()


def test_warm_shutdown_finishes_running_work_refuses_new_and_flushes(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> None:
        async with fake_master() as (master, address):
            slave = Slave(slave_config(address, flush_timeout=WAIT))
            running = asyncio.create_task(slave.run())
            stream = await attach(master)
            stream.send(run=run_command(1, "sleep 0.5; echo done"))
            await stream.next("started")
            stopping = asyncio.create_task(slave.shutdown())
            await asyncio.sleep(0.05)
            stream.send(run=run_command(2, "echo never"))
            refused = await stream.next("result")
            assert (refused.execution_id, refused.status) == (2, common_pb2.EXECUTION_STATUS_FAIL)
            assert refused.reason == "slave test-slave is shutting down"
            ack(stream, refused)
            output = await stream.next("output")
            assert output.data == b"done\n"
            result = await stream.next("result")
            assert result.status == common_pb2.EXECUTION_STATUS_SUCCESS
            await asyncio.sleep(0.2)
            assert not stopping.done()  # waits for the master to store the rest
            ack(stream, output)
            ack(stream, result)
            await asyncio.wait_for(stopping, WAIT)
            await asyncio.wait_for(running, WAIT)
            assert len(slave.outbox) == 0

    asyncio.run(scenario())


def test_shutdown_grace_expiry_kills_what_still_runs(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> Any:
        async with fake_master() as (master, address):
            async with Slave(slave_config(address, shutdown_grace=0.3)) as slave:
                stream = await attach(master)
                stream.send(run=run_command(1, "sleep 1000"))
                started = await stream.next("started")
                await asyncio.wait_for(slave.shutdown(), WAIT)
                await poll(lambda: group_gone(started.pid))
                return await stream.next("result")

    result = asyncio.run(scenario())
    assert (result.status, result.reason) == (
        common_pb2.EXECUTION_STATUS_KILLED,
        "slave shutting down",
    )


def test_second_shutdown_with_force_kills_at_once(
    fake_master: StartMaster, slave_config: MakeConfig
) -> None:
    async def scenario() -> tuple[Any, float]:
        async with fake_master() as (master, address):
            slave = Slave(slave_config(address, shutdown_grace=600, flush_timeout=600))
            running = asyncio.create_task(slave.run())
            stream = await attach(master)
            stream.send(run=run_command(1, "sleep 1000"))
            started = await stream.next("started")
            warm = asyncio.create_task(slave.shutdown())
            await asyncio.sleep(0.2)
            assert not warm.done()
            began = time.monotonic()
            await asyncio.wait_for(slave.shutdown(force=True), WAIT)
            took = time.monotonic() - began
            await asyncio.wait_for(asyncio.gather(warm, running), WAIT)
            await poll(lambda: group_gone(started.pid))
            return await stream.next("result"), took

    result, took = asyncio.run(scenario())
    assert took < 5
    assert (result.status, result.reason) == (
        common_pb2.EXECUTION_STATUS_KILLED,
        "slave forced to stop",
    )


def test_shutdown_gives_up_on_acks_after_the_flush_timeout(
    fake_master: StartMaster, slave_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> float:
        async with fake_master() as (master, address):
            async with Slave(slave_config(address, flush_timeout=0.5)) as slave:
                stream = await attach(master)
                stream.send(run=run_command(1, "echo unacked"))
                await stream.next("started")
                await stream.next("output")
                await stream.next("result")
                began = time.monotonic()
                await asyncio.wait_for(slave.shutdown(), WAIT)
                return time.monotonic() - began

    took = asyncio.run(scenario())
    assert 0.4 < took < 3
    assert "leaving 2 messages (8 bytes of output) the master has not acked" in caplog.text


@pytest.mark.parametrize("mode", ["auto", "off"])
def test_the_containment_in_use_is_said_once_at_start(
    slave_config: MakeConfig, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    if mode == "auto":
        require_cgroups()
        said = f"in cgroup v2 at {own_cgroup_dir() / f'jobfleet-{os.getpid()}'}"
    else:
        said = "by process groups + run mark (no cgroups: --cgroups off)"

    async def scenario() -> None:
        async with Slave(slave_config("127.0.0.1:1", cgroups=mode)):
            await poll(lambda: "runs are contained" in caplog.text)

    with caplog.at_level(logging.INFO, logger="slave.daemon"):
        asyncio.run(scenario())

    lines = [r.getMessage() for r in caplog.records if "runs are contained" in r.getMessage()]
    assert lines == [f"slave test-slave: runs are contained {said}"]
    if mode == "auto":
        assert not (own_cgroup_dir() / f"jobfleet-{os.getpid()}").exists()  # removed at exit
