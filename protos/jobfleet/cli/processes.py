"""Start the daemons as child processes and stop them again, for `jobfleet up`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
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


def spawn(name: str, module: str, args: list[str], log_dir: Path) -> Daemon:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return Daemon(name, proc, log)


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
