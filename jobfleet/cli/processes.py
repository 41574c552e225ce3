"""Start the daemons as child processes and stop them again, for `jobfleet up`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class StartError(RuntimeError):
    """A daemon exited or never became ready; the message points at its log."""


@dataclass
class Daemon:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self, grace: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


SECRET_ENV = ("JOBFLEET_ADMIN_TOKEN", "JOBFLEET_JOIN_TOKEN", "JOBFLEET_TOKEN")
"""Secrets a daemon started with `scrubbed` does not inherit (it reads them from files)."""


def spawn(name: str, module: str, args: list[str], log_dir: Path, scrubbed: bool = False) -> Daemon:
    """Start `python -m module args`, logging to log_dir/name.log; `scrubbed`: without the
    secrets of this process's environment (SECRET_ENV)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not (scrubbed and k in SECRET_ENV)}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
    return Daemon(name, proc, log)


def private_file(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in `path` (0600), made by `make` and written there the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def wait_ready(daemon: Daemon, ready_file: Path, timeout: float = 30.0) -> str:
    """The address the daemon wrote to its ready file, once it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon.proc.poll() is not None:
            raise StartError(
                f"{daemon.name} exited with {daemon.proc.returncode}; see {daemon.log}"
            )
        if ready_file.exists():
            return str(json.loads(ready_file.read_text())["listen"])
        time.sleep(0.05)
    raise StartError(f"{daemon.name} not ready after {timeout:g} s; see {daemon.log}")
