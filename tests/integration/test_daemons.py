"""The daemons as an operator starts them: flags, busy ports, signals, the all-in-one launcher."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Gateway, Master, Proc
from tests.waiting import wait_until


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def run(module: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("module", ["master", "slave", "gateway"])
def test_bad_flag_exits_2_naming_it(module: str) -> None:
    result = run(module, "--master" if module != "master" else "--listen", "not-an-address")

    assert result.returncode == 2
    assert "not-an-address" in result.stderr


def test_the_same_secret_for_admin_and_join_token_is_refused(tmp_path: Path) -> None:
    secret = "s3cret-shared-by-mistake"
    (tmp_path / "admin").write_text(secret)
    (tmp_path / "join").write_text(secret)
    result = run(
        "master",
        *("--listen", "127.0.0.1:0", "--data-dir", str(tmp_path)),
        *("--admin-token-file", str(tmp_path / "admin")),
        *("--join-token-file", str(tmp_path / "join")),
    )

    assert result.returncode == 2
    assert "admin token and the join token must differ" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_busy_port_exits_1_with_a_clear_message(
    busy_port: int, tmp_path: Path, start_master: Callable[..., Master]
) -> None:
    master = run("master", "--listen", f"127.0.0.1:{busy_port}", "--data-dir", str(tmp_path))
    gateway = run("gateway", "--master", start_master().addr, "--listen", f"127.0.0.1:{busy_port}")

    assert master.returncode == 1 and f"127.0.0.1:{busy_port}" in master.stderr
    assert gateway.returncode == 1 and f"127.0.0.1:{busy_port}" in gateway.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemons_stop_cleanly_on_signals(
    sig: signal.Signals,
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master = start_master()
    slave = start_slave(master, "s1")
    gateway = start_gateway(master)

    for proc in (gateway.proc, slave, master.proc):
        proc.popen.send_signal(sig)
        wait_until(lambda: proc.popen.poll() is not None, 20, what=f"{proc.name} exit")
        assert proc.popen.returncode == 0, proc.tail()


def test_jobfleet_up_runs_the_demo_job(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobfleet.cli.main",
            "up",
            "--once",
            "--data-dir",
            str(tmp_path),
            "--master-port",
            "0",
            "--gateway-port",
            "0",
            "--slave-name",
            "demo",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "[demo] step 5 of 5" in result.stdout
    assert ": success in" in result.stdout
    assert "http://127.0.0.1:" in result.stdout
    token = re.search(r"admin token +(\S+)", result.stdout)
    assert token, result.stdout
    for log in (tmp_path / "logs").glob("*.log"):
        assert token.group(1) not in log.read_text(errors="replace"), log
