"""`jobfleet shell` as an operator runs it: the installed command in a terminal of its own (a
pty), against a real master and two slaves."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import Master, Services
from tests.integration.ptys import PtyProcess
from tests.waiting import wait_until

JOBFLEET = str(Path(sys.executable).with_name("jobfleet"))
GREEN, RED = "\x1b[32m", "\x1b[31m"


@pytest.fixture(scope="module")
def master(module_services: Services) -> Master:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    module_services.start_slave(master, "s2")
    return master


@pytest.fixture
def terminal(master: Master) -> Iterator[list[PtyProcess]]:
    """Started commands in ptys (append them); killed if still running at the end."""
    started: list[PtyProcess] = []
    yield started
    for proc in started:
        proc.close()


def shell(master: Master, terminal: list[PtyProcess], nodes: str, cols: int = 80) -> PtyProcess:
    env = {"JOBFLEET_TOKEN": master.token, "TERM": "xterm", "PATH": "/usr/bin:/bin"}
    proc = PtyProcess([JOBFLEET, "shell", "--master", master.addr, nodes], env, cols=cols)
    terminal.append(proc)
    return proc


def cols_shown(proc: PtyProcess, cols: int) -> None:
    """Ask the remote shell for its width until it says `cols` (a resize travels apart from
    the keys, so the first question may overtake it)."""
    asked = 0

    def says() -> bool:
        nonlocal asked
        asked += 1
        marker = f"W{cols}Q{asked}C"  # unique to this question
        proc.type(f"echo {marker}$(tput cols)X\r")
        try:
            proc.expect(rf"{marker}(\d+)X", timeout=15)
        except AssertionError:
            assert proc.proc.poll() is None, f"exited {proc.proc.returncode}:\n{proc.screen}"
            return False
        return f"{marker}{cols}X" in proc.screen

    wait_until(says, 60, interval=0.2, what=f"tput cols = {cols}")


def test_a_shell_on_one_machine(master: Master, terminal: list[PtyProcess]) -> None:
    proc = shell(master, terminal, "s1", cols=100)
    proc.expect(r"\S")  # the remote prompt: the session is open, the terminal raw

    cols_shown(proc, 100)  # the size at open
    proc.resize(132, 40)
    cols_shown(proc, 132)  # a resize of the local terminal reaches the remote pty
    proc.type("echo hi; exit 3\r")
    code = proc.wait()
    piped = subprocess.run(
        [JOBFLEET, "shell", "--master", master.addr, "s1"],
        input="echo piped-$((6*7)); exit 4\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"JOBFLEET_TOKEN": master.token, "PATH": "/usr/bin:/bin"},
    )

    assert re.search(r"\nhi\n", proc.screen), proc.screen
    assert code == 3, proc.screen
    assert piped.returncode == 4, piped.stdout + piped.stderr
    assert "piped-42" in piped.stdout


def test_lines_on_two_machines(master: Master, terminal: list[PtyProcess], tmp_path: Path) -> None:
    proc = shell(master, terminal, "s1,s2")
    prompt = proc.expect(r"(\S+) \(2\)sh# $").group(0)

    proc.type("echo hello-$((40+2))\r")
    proc.expect(r"== 2 ok, 0 failed: success 2 \(exit 0\)")
    proc.expect(re.escape(prompt) + "$")
    proc.type(f"mkdir {tmp_path}/claim && echo won || exit 5\r")  # one machine wins, one fails
    summary = proc.expect(r"== 1 ok, 1 failed: success 1 \(exit 0\); fail 1 \(exit 5: (s[12])\)")
    proc.expect(re.escape(prompt) + "$")
    proc.type("echo started; sleep 300\r")
    proc.expect(r"\[s1\] started")
    proc.expect(r"\[s2\] started")
    proc.type("\x03")  # Ctrl-C: the running line stops on both machines
    proc.expect(r"== 0 ok, 2 failed")
    proc.expect(re.escape(prompt) + "$")
    proc.type("exit\r")
    code = proc.wait()

    screen = proc.screen
    assert {"[s1] hello-42", "[s2] hello-42"} <= set(screen.splitlines()), screen
    winner = {"s1": "s2", "s2": "s1"}[summary.group(1)]
    assert f"[{winner}] won" in screen.splitlines()
    assert f"[{summary.group(1)}] -- fail, exit 5" in screen
    assert GREEN in proc.raw.decode() and RED in proc.raw.decode()  # stdout is a terminal
    assert code == 0, screen


def test_a_refusal_says_why(master: Master) -> None:
    refused = subprocess.run(
        [JOBFLEET, "shell", "--master", master.addr, "nosuchnode"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={"JOBFLEET_TOKEN": master.token, "PATH": "/usr/bin:/bin"},
    )

    assert refused.returncode == 2
    assert "refused: NOT_FOUND" in refused.stderr and "nosuchnode" in refused.stderr
    assert "Traceback" not in refused.stderr
