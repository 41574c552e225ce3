"""The entry point: flags, exit codes, and a real `python -m slave` process with signals."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from jobfleet.v1 import common_pb2, slave_pb2
from slave.cli import main
from tests.unit.slave.slavetest import WAIT, StartMaster, poll

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--master", "nowhere"], "--master (flag): 'nowhere' is not HOST:PORT"),
        (["--master", "h:1", "--kill-grace", "x"], "--kill-grace (flag)"),
        (["--master", "h:1", "--max-unacked-bytes", "-5"], "--max-unacked-bytes (flag)"),
        ([], "master: missing"),
    ],
)
def test_bad_flag_exits_2_naming_it(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOBFLEET_MASTER", raising=False)
    assert main(argv) == 2
    assert named in capsys.readouterr().err


def test_unknown_flag_exits_2_and_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-such-flag"]) == 2
    assert main(["--help"]) == 0
    assert "--kill-grace" in capsys.readouterr().out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def start_slave(master: str, log: Path, *extra: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "slave", "--master", master, "--name", "cli-slave", *extra,
            stdout=out, stderr=out, stdin=asyncio.subprocess.DEVNULL, env=env, cwd=ROOT,
        )  # fmt: skip


def test_slave_process_retries_a_dead_master_and_stops_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "slave.log"
    master = f"127.0.0.1:{free_port()}"

    async def scenario() -> int:
        proc = await start_slave(master, log)
        try:
            await poll(lambda: log.read_text().count("cannot attach to master") >= 3)
            proc.send_signal(signal.SIGTERM)
            return await asyncio.wait_for(proc.wait(), WAIT)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    assert asyncio.run(scenario()) == 0
    text = log.read_text()
    assert f"slave cli-slave attaching to {master}" in text
    assert "retrying in" in text


def test_slave_process_attaches_and_second_signal_forces(
    fake_master: StartMaster, tmp_path: Path
) -> None:
    log = tmp_path / "slave.log"

    async def scenario() -> tuple[int, Any]:
        async with fake_master() as (master, address):
            proc = await start_slave(address, log, "--kill-grace", "1")
            try:
                stream = await master.next_stream()
                await stream.next("hello")
                stream.welcome()
                await poll(lambda: "attached to master" in log.read_text())
                stream.send(
                    run=slave_pb2.RunCommand(
                        execution_id=1,
                        script_type=common_pb2.SCRIPT_TYPE_SHELL,
                        script="sleep 1000",
                    )
                )
                await stream.next("started")
                proc.send_signal(signal.SIGTERM)  # warm: the execution may finish...
                await poll(lambda: "SIGTERM: stopping" in log.read_text())
                await asyncio.sleep(0.3)
                assert proc.returncode is None
                proc.send_signal(signal.SIGTERM)  # ...forced: it is killed
                result = await stream.next("result")
                return await asyncio.wait_for(proc.wait(), WAIT), result
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()

    returncode, result = asyncio.run(scenario())
    assert returncode == 0
    assert (result.status, result.reason) == (
        common_pb2.EXECUTION_STATUS_KILLED,
        "slave forced to stop",
    )
