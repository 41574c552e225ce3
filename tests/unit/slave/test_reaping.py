"""Children reaped through a pidfd on the event loop: exit codes as asyncio gives them, no
thread per child, and nothing left for `subprocess` to reap later."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading

from slave.commands.reaping import Process, start_process


def _start(*argv: str) -> Process:
    return start_process(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin"},
        cwd="/",
    )


def test_exit_codes_and_signals_are_reported_without_a_thread_per_child() -> None:
    async def run() -> tuple[list[int], int, int | None]:
        threads = threading.active_count()
        procs = [_start("sh", "-c", f"exit {code}") for code in (0, 3, 7)]
        sleeper = _start("sleep", "60")
        started_threads = threading.active_count() - threads
        running = sleeper.returncode
        os.killpg(sleeper.pid, signal.SIGKILL)  # its own session: the pid leads a group
        codes = [await asyncio.wait_for(p.wait(), 10) for p in [*procs, sleeper]]
        return codes, started_threads, running

    codes, started_threads, running = asyncio.run(run())
    assert codes == [0, 3, 7, -9]
    assert started_threads == 0
    assert running is None
    assert subprocess._active == []  # type: ignore[attr-defined]  # nothing left unreaped


def test_a_child_already_over_when_watched_is_reaped() -> None:
    async def run() -> tuple[int, int | None]:
        proc = _start("true")
        await asyncio.sleep(0.2)  # a zombie by now
        code = await asyncio.wait_for(proc.wait(), 10)
        return code, proc.returncode

    assert asyncio.run(run()) == (0, 0)
