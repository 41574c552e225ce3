"""The real system for benchmarks: daemons started through their CLIs, the REST API, the test sshd.

Only public entry points: `python -m master|slave|gateway` (jobfleet.cli.processes starts them,
as `jobfleet up` does), the gateway's REST routes, the master's gRPC API (jobfleet.v1 through
jobfleet.cli.auth) and scripts/sshd.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.client import wait_for_slave
from jobfleet.cli.processes import Daemon, spawn, wait_ready

SCRIPTS = Path(__file__).resolve().parent
FINAL = ("success", "fail")  # OpenC3's words: a killed task is `fail`


class Fleet:
    """Daemons of one benchmark, as child processes logging into `work`; stopped in reverse.

    Every request of this process carries the admin token the master is started with
    (jobfleet.cli.auth.local_admin_token)."""

    def __init__(self, work: Path) -> None:
        local_admin_token()
        self.work = work
        self.daemons: list[Daemon] = []
        self.master = ""
        self.gateway = ""

    def start_master(self, *extra: str, data_dir: Path | None = None) -> str:
        ready = self.work / "master.ready"
        args = ["--listen", "127.0.0.1:0", "--data-dir", str(data_dir or self.work)]
        args += ["--ready-file", str(ready), *extra]
        self.daemons.append(spawn("master", "master", args, self.work))
        self.master = wait_ready(self.daemons[-1], ready)
        return self.master

    def start_slave(self, name: str, *extra: str) -> Daemon:
        """A slave attached to the master under `name` (waits until it is)."""
        args = ["--master", self.master, "--name", name, *extra]
        self.daemons.append(spawn(f"slave-{name}", "slave", args, self.work))
        with token_channel(self.master) as channel:
            wait_for_slave(channel, name)
        return self.daemons[-1]

    def start_gateway(self) -> str:
        ready = self.work / "gateway.ready"
        args = ["--master", self.master, "--listen", "127.0.0.1:0", "--ready-file", str(ready)]
        self.daemons.append(spawn("gateway", "gateway", args, self.work))
        self.gateway = wait_ready(self.daemons[-1], ready)
        return self.gateway

    def stop(self) -> None:
        while self.daemons:
            self.daemons.pop().stop()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def rest(method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 60) -> Any:
    """One REST call with a JSON body (or none); its JSON answer (SystemExit on a refusal: HTTP
    200 with `stat: false`, as OpenC3 answers)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        answer = json.load(resp)
    if isinstance(answer, dict) and answer.get("stat") is False:
        raise SystemExit(f"{method} {url}: refused: {answer.get('info')}")
    return answer


def submit(gateway: str, kind: str, body: dict[str, Any]) -> str:
    """POST /task/1/<kind> (plugin_cmd, plugin_scp); the task's uuid."""
    return str(rest("POST", f"http://{gateway}/task/1/{kind}", body)["uuid"])


def task(gateway: str, uuid: str) -> dict[str, Any]:
    """GET /task/1/<uuid>: the task's data (status, reason, ...)."""
    data: dict[str, Any] = rest("GET", f"http://{gateway}/task/1/{uuid}")["data"]
    return data


def until_final(gateway: str, uuid: str, poll: float, timeout: float = 3600) -> dict[str, Any]:
    """Poll the task every `poll` s until it is final; SystemExit unless it succeeded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = task(gateway, uuid)
        if data["status"] in FINAL:
            if data["status"] != "success":
                raise SystemExit(f"task {uuid} ended {data['status']}: {data.get('reason')}")
            return data
        time.sleep(poll)
    raise SystemExit(f"task {uuid} not final after {timeout:g} s")


def work_dir(what: str) -> Path:
    """A scratch directory the sshd's login account can traverse (0711)."""
    work = Path(tempfile.mkdtemp(prefix=f"jobfleet-bench-{what}-", dir="/tmp"))
    work.chmod(0o711)
    return work


@dataclass(frozen=True)
class Sshd:
    """A private sshd on 127.0.0.1 (scripts/sshd): its port, login account and client key."""

    directory: Path
    port: int
    user: str

    @property
    def key_file(self) -> Path:
        return self.directory / "client_ed25519_key"


@contextmanager
def sshd(directory: Path) -> Iterator[Sshd]:
    """scripts/sshd started in `directory` (made 0711), stopped and removed afterwards."""
    directory.mkdir(mode=0o711, exist_ok=True)
    command = [str(SCRIPTS / "sshd"), "start", str(directory)]
    started = subprocess.run(command, check=True, capture_output=True, text=True)
    port = int(started.stdout.strip().splitlines()[-1])
    try:
        yield Sshd(directory, port, (directory / "user").read_text().strip())
    finally:
        subprocess.run([str(SCRIPTS / "sshd"), "stop", str(directory)], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)
