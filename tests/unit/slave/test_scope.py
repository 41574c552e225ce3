"""Which accounts a slave's local work runs as and which projects it serves: the defaults, the
refusals (naming the slave, what was asked and what it allows), and that a refused order
starts nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from pathlib import Path
from typing import cast

import pytest

from slave.commands import scope as scope_module
from slave.commands.base import CommandSettings
from slave.commands.runas import RunAs
from slave.commands.scope import Scope, default_accounts
from slave.executions import Executions
from slave.messages import (
    Blob,
    FetchRequest,
    KillRequest,
    PlaceRequest,
    Result,
    RunRequest,
    ScriptType,
    SshTarget,
    Status,
)
from slave.outbox import Outbox
from tests.unit.slave.slavetest import poll

SSH = SshTarget("web1", "10.0.0.1", user="deploy")


def run(user: str = "", project: int = 1, ssh: SshTarget | None = None) -> RunRequest:
    return RunRequest(5, ScriptType.SHELL, "true", user=user, ssh=ssh, project_id=project)


def test_root_runs_work_as_nobody_unless_told_and_others_as_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert default_accounts(("deploy", "root")) == ("deploy", "root")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert default_accounts() == ("nobody",)
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(scope_module, "current_user", lambda: RunAs("worker", "/home/worker"))
    assert default_accounts() == ("worker",)


def test_an_account_not_listed_is_refused_naming_the_slave_and_what_it_allows() -> None:
    scope = Scope(("app", "deploy"))
    blob = Blob("0" * 64, 1)

    assert scope.refusal(run("root"), "s1") == (
        "slave s1 does not run work as root (it runs as app, deploy only)"
    )
    assert scope.refusal(FetchRequest(6, "/etc/x", user="root"), "s1").startswith(
        "slave s1 does not run work as root"
    )
    assert scope.refusal(PlaceRequest(7, blob, "/opt/x", user="nobody"), "s1").startswith(
        "slave s1 does not run work as nobody"
    )
    assert scope.refusal(run(""), "s1") == ""  # the default account: app
    assert scope.refusal(run("deploy"), "s1") == ""
    assert scope.refusal(run("root", ssh=SSH), "s1") == ""  # the node's login decides there
    assert scope.account_for("") == "app"


def test_a_project_not_served_is_refused_before_the_account_is_looked_at() -> None:
    scope = Scope(("app",), projects=(1, 2))

    assert scope.refusal(run("root", project=3), "s1") == (
        "slave s1 does not serve project 3 (it serves 1, 2)"
    )
    assert scope.refusal(run(ssh=SSH, project=3), "s1").startswith("slave s1 does not serve")
    assert scope.refusal(run(project=2), "s1") == ""
    assert scope.refusal(KillRequest(5), "s1") == ""
    assert Scope(("app",)).refusal(run(project=99), "s1") == ""  # empty = every project


def test_the_start_up_line_says_both() -> None:
    assert Scope(("nobody", "app"), (1, 7)).describe() == (
        "runs work as nobody (default), app; serves 1, 7"
    )
    assert Scope(("nobody",)).describe() == "runs work as nobody (default); serves every project"


def test_a_slave_without_root_cannot_list_other_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(scope_module, "current_user", lambda: RunAs("worker", "/home/worker"))

    assert Scope(("worker",)).problems() == []
    assert Scope(("worker", "root")).problems() == [
        "--run-as: the slave runs as worker without root: it cannot run as root"
    ]


def test_without_setpriv_a_root_slave_cannot_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(scope_module, "current_user", lambda: RunAs("root", "/root"))
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)

    assert Scope(("root",)).problems() == []
    assert Scope(("nobody",)).problems() == [
        "--run-as: running work as nobody needs setpriv (util-linux): missing"
    ]


def test_a_refused_order_fails_with_its_reason_and_starts_nothing(
    settings: CommandSettings, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    settings = dataclasses.replace(settings, scope=Scope(("app",), projects=(1,)))
    outbox = Outbox(1 << 20)
    requests = [
        RunRequest(11, ScriptType.SHELL, f"touch {marker}", user="root", project_id=1),
        RunRequest(12, ScriptType.SHELL, f"touch {marker}", user="app", project_id=2),
    ]

    async def scenario() -> None:
        executions = Executions(outbox, settings, "s1")
        for request in requests:
            executions.handle(request)
        await poll(lambda: outbox.has_result(11) and outbox.has_result(12))
        assert executions.running_ids() == []

    asyncio.run(scenario())

    results = {item.execution_id: cast(Result, item) for item in outbox.resume()}  # nothing ran
    assert {eid: (r.status, r.reason) for eid, r in results.items()} == {
        11: (Status.FAIL, "slave s1 does not run work as root (it runs as app only)"),
        12: (Status.FAIL, "slave s1 does not serve project 2 (it serves 1)"),
    }
    assert not marker.exists() and list(tmp_path.iterdir()) == []
