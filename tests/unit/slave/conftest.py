"""Fixtures for the slave's unit tests (plain helpers are in slavetest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from jobfleet.v1 import slave_pb2_grpc
from slave.commands.base import CommandContext, CommandSettings
from slave.commands.cgroups import CgroupRoot
from slave.commands.run import RunProcess
from slave.commands.runas import current_user
from slave.commands.scope import Scope
from slave.config import SlaveConfig
from slave.messages import RunRequest, ScriptType
from tests.cgroups import require_cgroups
from tests.unit.slave.slavetest import FakeMaster, ListSink, MakeConfig, MakeRun, StartMaster


@pytest.fixture
def settings(tmp_path: Path) -> CommandSettings:
    """Commands run as the test's own account where a test names none (as --run-as root in
    the integration tests; the scope's own tests say otherwise)."""
    return CommandSettings(work_dir=tmp_path, kill_grace=1.0, scope=Scope((current_user().name,)))


@pytest.fixture
def shared_work_dir() -> Iterator[Path]:
    """A work dir another user can traverse (pytest's tmp_path root is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="jobfleet-test-", dir="/tmp"))
    path.chmod(0o711)
    yield path
    for child in path.iterdir():
        child.unlink()
    path.rmdir()


@pytest.fixture
def cgroup_root() -> Iterator[CgroupRoot]:
    """This process's cgroup root as a slave opens it; skipped where cgroup v2 is unusable."""
    require_cgroups()
    root = CgroupRoot.open()
    yield root
    asyncio.run(root.close())


@pytest.fixture
def make_run(settings: CommandSettings) -> MakeRun:
    """make_run(script, type=..., args=..., timeout=..., cgroups=..., **settings) ->
    (command, sink)."""

    def make(
        script: str,
        type: ScriptType | None = ScriptType.SHELL,
        *,
        execution_id: int = 1,
        args: tuple[str, ...] = (),
        timeout: float | None = None,
        user: str = "",
        env: dict[str, str] | None = None,
        cgroups: CgroupRoot | None = None,
        **overrides: Any,
    ) -> tuple[RunProcess, ListSink]:
        sink = ListSink()
        request = RunRequest(execution_id, type, script, args, user, timeout, env or {})
        settings_ = dataclasses.replace(settings, **overrides)
        context = CommandContext(sink, settings_, lambda eid: None, cgroups=cgroups)
        return RunProcess(request, context), sink

    return make


def _replace(settings: CommandSettings, overrides: dict[str, Any]) -> CommandSettings:
    from dataclasses import replace

    return replace(settings, **overrides)


@pytest.fixture
def fake_master() -> StartMaster:
    @contextlib.asynccontextmanager
    async def start() -> AsyncIterator[tuple[FakeMaster, str]]:
        master = FakeMaster()
        server = grpc.aio.server()
        slave_pb2_grpc.add_SlaveLinkServicer_to_server(master, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            yield master, f"127.0.0.1:{port}"
        finally:
            await server.stop(0)

    return start


@pytest.fixture
def slave_config(tmp_path: Path) -> MakeConfig:
    """A config that reconnects fast and kills fast; override anything by keyword."""

    def make(master: str, **overrides: Any) -> SlaveConfig:
        values: dict[str, Any] = {
            "master": master,
            "name": "test-slave",
            "work_dir": tmp_path,
            "kill_grace": 1.0,
            "reconnect_base": 0.01,
            "reconnect_cap": 0.05,
            "flush_timeout": 0.3,
            "run_as": (current_user().name,),
        }
        values.update(overrides)
        return SlaveConfig(**values)

    return make
