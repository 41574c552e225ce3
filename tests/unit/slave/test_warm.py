"""A run started from a warm shell (slave/commands/warm.py) is the run an ordinary start gives:
same environment, stdin, argv and account, inside a cgroup of its own before it can fork, and
killed whole; and it starts without moving a process."""

from __future__ import annotations

import asyncio
import os
import pwd
from pathlib import Path

import pytest

from slave.commands.cgroups import Cgroup, CgroupRoot
from slave.commands.warm import Warm, WarmPool, WarmRoot, program
from slave.messages import ScriptType, Status
from tests.cgroups import unique_sleep
from tests.procs import kill_all, with_argument
from tests.unit.slave.slavetest import WAIT, MakeRun, poll

REPORT = (
    "import os, sys\n"
    "env = {k: v for k, v in os.environ.items() if k != 'JOBFLEET_RUN_MARK'}\n"
    "print(sorted(env.items()), repr(sys.stdin.read()), sys.argv[1:], os.getcwd())\n"
    "print(open('/proc/self/cgroup').read().splitlines()[-1])\n"
)


def test_a_warm_start_gives_the_run_an_ordinary_start_gives(
    make_run: MakeRun, cgroup_root: CgroupRoot
) -> None:
    args = ("two words", "it's", "$HOME", "line\nbreak")
    env = {"QUOTED": "a 'b' \"c\" $(d) `e`", "MULTI": "x\ny", "IFS": "-", "OLDPWD": "/o"}
    seen = []

    async def scenario() -> None:
        for warm in (False, True):
            root = await warm_root(cgroup_root) if warm else cgroup_root
            command, sink = make_run(REPORT, ScriptType.PYTHON, args=args, env=env, cgroups=root)
            with pytest.MonkeyPatch.context() as patch:
                moved = record_moves(patch)
                await command.start()
            assert sink.result.status is Status.SUCCESS, sink.output_bytes
            lines = sink.output_bytes.decode().splitlines()
            seen.append((lines, sink.started_[0].pid in moved))
        await root.warm.close()  # type: ignore[attr-defined]

    asyncio.run(scenario())
    (ordinary, ordinary_moves), (warm, warm_moves) = seen
    assert ordinary[0] == warm[0]
    assert f"/jobfleet-{os.getpid()}/exec-1-" in ordinary[1]
    assert f"/jobfleet-{os.getpid()}/run-" in warm[1]
    assert (ordinary_moves, warm_moves) == (True, False)
    assert [p for p in cgroup_root.path.iterdir() if p.is_dir()] == []  # all removed


def test_kill_ends_a_warm_started_run_whole(make_run: MakeRun, cgroup_root: CgroupRoot) -> None:
    tag = unique_sleep()
    script = f"env -i setsid sleep {tag} & env -i sh -c 'setsid sleep {tag} &'; echo ready; wait"

    async def scenario() -> None:
        root = await warm_root(cgroup_root)
        command, sink = make_run(script, cgroups=root)
        running = asyncio.create_task(command.start())
        await poll(lambda: sink.output_bytes == b"ready\n" and len(with_argument(tag)) >= 2)
        command.interrupt("stop")
        await asyncio.wait_for(running, WAIT)
        assert (sink.result.status, sink.result.reason) == (Status.KILLED, "stop")
        await root.warm.close()

    try:
        asyncio.run(scenario())
        assert with_argument(tag) == []
        assert [p for p in cgroup_root.path.iterdir() if p.is_dir()] == []
    finally:
        kill_all(with_argument(tag))


def test_a_program_that_cannot_be_said_falls_back() -> None:
    assert program([], ["bash", "x"], {"A": "nul\0byte"}, "/") is None
    assert program([], ["bash", "x"], {"A": "v" * 70_000}, "/") is None
    assert program([], ["bash", "x"], {"A": "v"}, "/") is not None


def test_a_name_sh_cannot_export_is_set_through_env() -> None:
    assert b"/env -i -- A-B=1 C=2 x " in (program([], ["x"], {"A-B": "1", "C": "2"}, "/") or b"")
    assert b"export A=1 C=2\n" in (program([], ["x"], {"A": "1", "C": "2"}, "/") or b"")


def record_moves(patch: pytest.MonkeyPatch) -> list[int]:
    """The pids Cgroup.adopt moves from now on."""
    moved: list[int] = []
    original = Cgroup.adopt

    def adopt(self: Cgroup, pid: int) -> None:
        moved.append(pid)
        original(self, pid)

    patch.setattr(Cgroup, "adopt", adopt)
    return moved


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_a_warm_run_as_another_user_finds_its_interpreter_as_that_user(
    make_run: MakeRun,
    cgroup_root: CgroupRoot,
    shared_work_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PATH directory the account may not enter is passed over, as the gated start does."""
    hidden = tmp_path / "private-bin"  # under a 0700 root directory
    hidden.mkdir()
    (hidden / "python3").write_text("#!/bin/sh\necho wrong python3\n")
    (hidden / "python3").chmod(0o755)
    monkeypatch.setenv("PATH", f"{hidden}:{os.environ['PATH']}")
    seen = []

    async def scenario() -> None:
        for warm in (False, True):
            root = await warm_root(cgroup_root) if warm else cgroup_root
            command, sink = make_run(
                "import os; print(os.getuid())",
                ScriptType.PYTHON,
                user="nobody",
                work_dir=shared_work_dir,
                cgroups=root,
            )
            await command.start()
            seen.append((sink.result.status, sink.output_bytes))
        await root.warm.close()  # type: ignore[attr-defined]

    asyncio.run(scenario())
    uid = str(pwd.getpwnam("nobody").pw_uid).encode()
    assert seen == [(Status.SUCCESS, uid + b"\n")] * 2


async def warm_root(root: CgroupRoot) -> WarmRoot:
    """The same part of the hierarchy as `root`, with a full pool of waiting shells."""
    warm = WarmRoot(root.path, root.kill_file)
    warm.warm = WarmPool(warm, delay=0)
    warm.warm.refill()
    await poll(lambda: len(warm.warm._ready) == 2)
    await poll(lambda: all(shell.cgroup.alive() for shell in warm.warm._ready))  # moved in
    return warm


class _NowhereRoot(CgroupRoot):
    """Hands out cgroups no shell can enter."""

    def create(self, label: str) -> Cgroup:
        return Cgroup(Path("/proc/self/no-such-cgroup"))

    def release(self, cgroup: Cgroup) -> None:
        pass


def test_shells_that_cannot_enter_their_cgroup_are_never_handed_out(tmp_path: Path) -> None:
    async def scenario() -> None:
        pool = WarmPool(_NowhereRoot(tmp_path), delay=0)
        pool.refill()
        handed: list[Warm | None] = []

        def taken_until_broken() -> bool:
            handed.append(pool.take())
            return pool._broken

        await poll(taken_until_broken)
        handed.append(pool.take())  # the runs start the ordinary way from now on
        assert handed == [None] * len(handed)
        await pool.close()

    asyncio.run(scenario())


class _PlainDirRoot(CgroupRoot):
    """Hands out "cgroups" that are plain directories: a shell's move writes a file there and
    the shell waits on, yet it is inside no cgroup."""

    def create(self, label: str) -> Cgroup:
        path = self.path / f"{label}-{len(list(self.path.iterdir()))}"
        path.mkdir()
        return Cgroup(path)

    def release(self, cgroup: Cgroup) -> None:
        pass


def test_a_shell_is_handed_out_only_once_inside_its_cgroup(tmp_path: Path) -> None:
    async def scenario() -> list[Warm | None]:
        pool = WarmPool(_PlainDirRoot(tmp_path), delay=0)
        pool.refill()
        await poll(lambda: len(list(tmp_path.glob("*/cgroup.procs"))) == 2)  # both "moved"
        handed = [pool.take() for _ in range(3)]
        await pool.close()
        return handed

    assert asyncio.run(scenario()) == [None, None, None]
