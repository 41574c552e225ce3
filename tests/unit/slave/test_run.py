"""RunProcess with real processes and a list-collecting sink."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import time
from pathlib import Path

import pytest

from slave.commands.cgroups import CgroupRoot
from slave.commands.output import MAX_CHUNK
from slave.commands.runas import RunAs
from slave.messages import Chunk, ScriptType, Status
from tests.cgroups import unique_sleep
from tests.procs import kill_all, with_argument
from tests.unit.slave.slavetest import WAIT, MakeRun, group_gone, poll


def test_output_and_exit_code_are_reported(make_run: MakeRun, tmp_path: Path) -> None:
    command, sink = make_run("echo hello; echo oops >&2; exit 0")
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS
    assert (sink.result.exit_code, sink.result.reason) == (0, "")
    assert sink.pieces == [(False, b"hello\n"), (True, b"oops\n")]
    assert sink.started_[0].pid > 0
    assert sink.result.chunk_count == len(sink.chunks)
    assert sink.result.started_at is not None
    assert sink.result.started_at <= sink.result.finished_at
    assert list(tmp_path.iterdir()) == []  # the script file is gone


def test_nonzero_exit_is_a_failure(make_run: MakeRun) -> None:
    command, sink = make_run("echo partial; exit 3")
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, 3)
    assert sink.result.reason == "exit code 3"
    assert sink.output_bytes == b"partial\n"


def test_death_by_signal_is_a_failure_naming_the_signal(make_run: MakeRun) -> None:
    command, sink = make_run("kill -9 $$")
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, -9)
    assert sink.result.reason == "killed by signal 9"


def test_script_is_a_private_file_and_stdin_is_empty(make_run: MakeRun) -> None:
    command, sink = make_run('stat -c %a "$0"; cat; echo end')
    asyncio.run(command.start())
    assert sink.output_bytes == b"700\nend\n"


def test_the_environment_is_the_allow_list_the_account_and_the_steps_own(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing else of the slave's environment: not its secrets, not what its operator set."""
    for name, value in {
        "JOBFLEET_JOIN_TOKEN": "join-s3cret",
        "JOBFLEET_ADMIN_TOKEN": "admin-s3cret",
        "AWS_SECRET_ACCESS_KEY": "aws-s3cret",
        "SSH_AUTH_SOCK": "/tmp/agent.sock",
        "LD_PRELOAD": "/tmp/evil.so",
        "LANG": "C.UTF-8",
        "LC_TIME": "C",
        "TZ": "Europe/Paris",
    }.items():
        monkeypatch.setenv(name, value)
    script = 'print "$_ $ENV{$_}\\n" for sort keys %ENV;'  # perl adds nothing of its own
    command, sink = make_run(script, ScriptType.PERL, execution_id=77, env={"FOO": "bar baz"})

    asyncio.run(command.start())

    env = dict(line.split(" ", 1) for line in sink.output_bytes.decode().splitlines())
    me = pwd.getpwuid(os.geteuid())
    assert env.pop("JOBFLEET_RUN_MARK")
    assert env == {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "LC_TIME": "C",
        "TZ": "Europe/Paris",
        "HOME": me.pw_dir,
        "USER": me.pw_name,
        "LOGNAME": me.pw_name,
        "SHELL": me.pw_shell,
        "FOO": "bar baz",
        "JOBFLEET_EXECUTION_ID": "77",
    }


def test_python_script_gets_its_arguments(make_run: MakeRun) -> None:
    command, sink = make_run(
        "import sys\nprint(sys.argv[1:])", ScriptType.PYTHON, args=("a b", "c")
    )
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS
    assert sink.output_bytes == b"['a b', 'c']\n"


def test_perl_script_gets_its_arguments(make_run: MakeRun) -> None:
    command, sink = make_run('print join("|", @ARGV), "\\n";', ScriptType.PERL, args=("x", "y z"))
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS
    assert sink.output_bytes == b"x|y z\n"


def test_timeout_ends_the_whole_tree(make_run: MakeRun) -> None:
    command, sink = make_run("sleep 1000 & sleep 1000 & wait", timeout=0.5)
    began = time.monotonic()
    asyncio.run(command.start())
    assert time.monotonic() - began < 5
    assert (sink.result.status, sink.result.reason) == (Status.TIMEOUT, "timed out after 0.5 s")
    pgid = sink.started_[0].pid
    asyncio.run(poll(lambda: group_gone(pgid)))


def test_kill_ends_every_process_of_the_group(make_run: MakeRun) -> None:
    command, sink = make_run("sleep 1000 & sleep 1000 & wait")

    async def scenario() -> None:
        running = asyncio.create_task(command.start())
        await poll(lambda: bool(sink.started_))
        await asyncio.sleep(0.2)  # let bash start both sleeps
        command.interrupt("operator said so")
        await asyncio.wait_for(running, WAIT)
        await poll(lambda: group_gone(sink.started_[0].pid))

    asyncio.run(scenario())
    assert (sink.result.status, sink.result.reason) == (Status.KILLED, "operator said so")
    assert sink.result.exit_code == -signal.SIGTERM


def test_kill_escalates_to_sigkill_when_sigterm_is_ignored(make_run: MakeRun) -> None:
    command, sink = make_run("trap '' TERM; echo ready; sleep 1000 & wait", kill_grace=0.5)

    async def scenario() -> float:
        running = asyncio.create_task(command.start())
        await poll(lambda: sink.output_bytes == b"ready\n")
        began = time.monotonic()
        command.interrupt("stop")
        await asyncio.wait_for(running, WAIT)
        await poll(lambda: group_gone(sink.started_[0].pid))
        return time.monotonic() - began

    took = asyncio.run(scenario())
    assert 0.5 <= took < 5
    assert (sink.result.status, sink.result.exit_code) == (Status.KILLED, -signal.SIGKILL)


def test_kill_before_start_reports_killed_without_running(
    make_run: MakeRun, tmp_path: Path
) -> None:
    command, sink = make_run("touch should-not-exist")
    command.interrupt("too late")
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.exit_code) == (Status.KILLED, -1)
    assert sink.started_ == []
    assert sink.result.started_at is None


def test_five_megabytes_arrive_byte_exact_in_bounded_gapless_chunks(make_run: MakeRun) -> None:
    script = "import sys\nsys.stdout.buffer.write(bytes(range(256)) * (5 * 4096))"
    command, sink = make_run(script, ScriptType.PYTHON)
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS
    assert sink.output_bytes == bytes(range(256)) * (5 * 4096)
    assert [c.seq for c in sink.chunks] == list(range(len(sink.chunks)))
    assert max(len(c.data) for c in sink.chunks) <= MAX_CHUNK
    assert len(sink.chunks) < 5 * 16 * 2  # 64 KiB chunks or bigger
    assert sink.result.chunk_count == len(sink.chunks)


def test_many_lines_are_batched_not_sent_one_per_line(make_run: MakeRun) -> None:
    command, sink = make_run("for i in range(50000): print(i)", ScriptType.PYTHON)
    asyncio.run(command.start())
    assert sink.output_bytes == "".join(f"{i}\n" for i in range(50000)).encode()
    assert len(sink.chunks) <= 20


def test_a_quiet_line_is_flushed_while_the_command_still_runs(make_run: MakeRun) -> None:
    command, sink = make_run("echo first; sleep 1; echo second")

    async def scenario() -> None:
        running = asyncio.create_task(command.start())
        await poll(lambda: bool(sink.chunks), timeout=0.8)
        assert not sink.results
        await asyncio.wait_for(running, WAIT)

    asyncio.run(scenario())
    assert [c.data for c in sink.chunks] == [b"first\n", b"second\n"]


def test_background_child_holding_the_pipe_does_not_hold_the_result(make_run: MakeRun) -> None:
    command, sink = make_run("echo before; sleep 30 & echo after", drain_timeout=1.0)
    began = time.monotonic()
    asyncio.run(command.start())
    try:
        assert time.monotonic() - began < 4
        assert sink.result.status is Status.SUCCESS
        assert sink.output_bytes == b"before\nafter\n"
    finally:
        os.killpg(sink.started_[0].pid, signal.SIGKILL)  # the test's own leftover sleep


def test_stdout_and_stderr_arrive_apart_in_the_order_written(make_run: MakeRun) -> None:
    command, sink = make_run("echo out1; echo err1 >&2; sleep 0.3; echo out2; echo err2 >&2")
    asyncio.run(command.start())
    assert sink.pieces == [
        (False, b"out1\n"),
        (True, b"err1\n"),
        (False, b"out2\n"),
        (True, b"err2\n"),
    ]
    assert [c.seq for c in sink.chunks] == [0, 1, 2, 3]
    assert sink.result.chunk_count == 4


def test_a_flood_on_both_streams_arrives_whole_in_bounded_gapless_chunks(
    make_run: MakeRun,
) -> None:
    script = "import os\nfor i in range(48):\n    os.write(1 + i % 2, bytes([i]) * 65536)\n"
    command, sink = make_run(script, ScriptType.PYTHON)
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS
    assert sink.stream_bytes(False) == b"".join(bytes([i]) * 65536 for i in range(0, 48, 2))
    assert sink.stream_bytes(True) == b"".join(bytes([i]) * 65536 for i in range(1, 48, 2))
    assert [c.seq for c in sink.chunks] == list(range(len(sink.chunks)))
    assert max(len(c.data) for c in sink.chunks) <= MAX_CHUNK


def test_a_sink_that_takes_nothing_pauses_the_command(make_run: MakeRun, tmp_path: Path) -> None:
    """Backpressure: while the sink waits, neither pipe is read on without bound."""
    size = 24 << 20
    marker = tmp_path / "done"
    command, sink = make_run(
        f'head -c {size} /dev/zero >&2; echo out; touch "$1"', args=(str(marker),)
    )

    async def scenario() -> None:
        gate = asyncio.Event()
        taken = sink.output

        async def slow_output(chunk: Chunk) -> None:
            await gate.wait()
            await taken(chunk)

        setattr(sink, "output", slow_output)  # a method: mypy refuses a plain assignment
        running = asyncio.create_task(command.start())
        with pytest.raises(AssertionError):
            await poll(marker.exists, timeout=1.0)
        gate.set()
        await asyncio.wait_for(running, WAIT)

    asyncio.run(scenario())
    assert sink.result.status is Status.SUCCESS
    assert (len(sink.stream_bytes(True)), sink.stream_bytes(False)) == (size, b"out\n")


def test_a_background_child_holding_stderr_only_does_not_hold_the_result(
    make_run: MakeRun,
) -> None:
    command, sink = make_run("echo before; sleep 30 >/dev/null & echo after >&2", drain_timeout=1.0)
    began = time.monotonic()
    asyncio.run(command.start())
    try:
        assert time.monotonic() - began < 4
        assert sink.result.status is Status.SUCCESS
        assert sink.pieces == [(False, b"before\n"), (True, b"after\n")]
    finally:
        os.killpg(sink.started_[0].pid, signal.SIGKILL)  # the test's own leftover sleep


def test_missing_interpreter_fails_at_once_with_a_clear_reason(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    command, sink = make_run("print(1)", ScriptType.PYTHON)
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, -1)
    assert sink.result.reason.startswith("cannot start python3: No such file or directory")
    assert sink.started_ == []
    assert [p.name for p in tmp_path.iterdir()] == ["empty-bin"]  # script removed


def test_unknown_script_type_fails(make_run: MakeRun) -> None:
    command, sink = make_run("echo hi", None)
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.reason) == (
        Status.FAIL,
        "cannot start: unknown script type",
    )


def test_unknown_user_fails_naming_it(make_run: MakeRun) -> None:
    command, sink = make_run("id", user="no-such-user-here")
    asyncio.run(command.start())
    assert (sink.result.status, sink.result.exit_code) == (Status.FAIL, -1)
    assert sink.result.reason == "cannot run as no-such-user-here: no such user"


def test_other_user_without_root_fails_saying_why(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setenv("USER", "worker")
    command, sink = make_run("id", user="nobody")
    asyncio.run(command.start())
    assert sink.result.status is Status.FAIL
    assert sink.result.reason == "cannot run as nobody: slave runs as worker without root"


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_root_runs_the_command_as_the_requested_user(
    make_run: MakeRun, shared_work_dir: Path
) -> None:
    command, sink = make_run(
        'id -un; echo "$HOME $USER $LOGNAME"; pwd', user="nobody", work_dir=shared_work_dir
    )
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS, sink.output_bytes
    assert sink.output_bytes == b"nobody\n/nonexistent nobody nobody\n/\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_a_run_as_another_account_is_that_account_whole_in_a_directory_of_its_own(
    make_run: MakeRun, shared_work_dir: Path
) -> None:
    """Every id, its groups, no capability; its script in a 0700 directory of its own, which
    is gone afterwards with what the run left in it."""
    script = (
        "grep -E '^(Uid|Gid|Groups|CapEff):' /proc/self/status | tr -s '\\t ' ' '\n"
        'stat -c "%U %a" "$(dirname "$0")" "$0"\n'
        'echo left >"$(dirname "$0")/work-file"'
    )
    command, sink = make_run(script, user="nobody", work_dir=shared_work_dir)

    asyncio.run(command.start())

    assert sink.result.status is Status.SUCCESS, sink.output_bytes
    assert sink.output_bytes.decode().splitlines() == [
        "Uid: 65534 65534 65534 65534",
        "Gid: 65534 65534 65534 65534",
        "Groups: 65534 ",
        "CapEff: 0000000000000000",
        "nobody 700",
        "nobody 700",
    ]
    assert list(shared_work_dir.iterdir()) == []


def test_the_launcher_switches_by_exec() -> None:
    """setpriv in front of the command: nothing runs between fork and exec, so CPython can
    vfork (gRPC's fork handlers never run)."""
    assert RunAs("app", "/home/app", uid=1001, gid=1002, groups=(1002, 27)).launcher() == [
        shutil.which("setpriv"),
        "--reuid=1001",
        "--regid=1002",
        "--groups=1002,27",
        "--",
    ]
    assert RunAs("app", "/", uid=1001, gid=1001).launcher()[3] == "--clear-groups"
    assert RunAs("me", "/home/me").launcher() == []


def test_kill_ends_processes_that_cleared_their_environment_and_left_the_group(
    make_run: MakeRun, cgroup_root: CgroupRoot
) -> None:
    tag = unique_sleep()
    script = f"env -i setsid sleep {tag} & env -i sh -c 'setsid sleep {tag} &'; echo ready; wait"
    command, sink = make_run(script, cgroups=cgroup_root)

    async def scenario() -> None:
        running = asyncio.create_task(command.start())
        await poll(lambda: sink.output_bytes == b"ready\n" and len(with_argument(tag)) >= 2)
        command.interrupt("stop")
        await asyncio.wait_for(running, WAIT)

    try:
        asyncio.run(scenario())
        assert (sink.result.status, sink.result.reason) == (Status.KILLED, "stop")
        assert with_argument(tag) == []
        assert [p for p in cgroup_root.path.iterdir() if p.is_dir()] == []  # removed
    finally:
        kill_all(with_argument(tag))


@pytest.mark.parametrize("pwd", ["/somewhere", None], ids=["PWD", "no-PWD"])
def test_a_run_in_a_cgroup_sees_the_same_environment_and_stdin(
    make_run: MakeRun, cgroup_root: CgroupRoot, monkeypatch: pytest.MonkeyPatch, pwd: str | None
) -> None:
    """The gate in front of the interpreter is /bin/sh, which sets PWD; the run never sees it."""
    if pwd is None:
        monkeypatch.delenv("PWD", raising=False)
    else:
        monkeypatch.setenv("PWD", pwd)
    script = (
        "import os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k != 'JOBFLEET_RUN_MARK'}\n"
        "print(sorted(env.items()), repr(sys.stdin.read()))\n"
        "print(open('/proc/self/cgroup').read().splitlines()[-1])\n"
    )
    seen = []
    for cgroups in (None, cgroup_root):
        command, sink = make_run(script, ScriptType.PYTHON, cgroups=cgroups)
        asyncio.run(command.start())
        assert sink.result.status is Status.SUCCESS, sink.output_bytes
        seen.append(sink.output_bytes.decode().splitlines())

    assert seen[0][0] == seen[1][0]
    assert f"/jobfleet-{os.getpid()}/exec-1-" not in seen[0][1]
    assert f"/jobfleet-{os.getpid()}/exec-1-" in seen[1][1]


def test_a_missing_interpreter_fails_the_same_way_with_cgroups(
    make_run: MakeRun, cgroup_root: CgroupRoot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    command, sink = make_run("print(1)", ScriptType.PYTHON, cgroups=cgroup_root)
    asyncio.run(command.start())
    assert sink.result.reason.startswith("cannot start python3: No such file or directory")
    assert [p for p in cgroup_root.path.iterdir() if p.is_dir()] == []


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_a_run_as_another_user_is_inside_its_cgroup(
    make_run: MakeRun, cgroup_root: CgroupRoot, shared_work_dir: Path
) -> None:
    command, sink = make_run(
        "id -un; cat /proc/self/cgroup",
        user="nobody",
        work_dir=shared_work_dir,
        cgroups=cgroup_root,
    )
    asyncio.run(command.start())
    assert sink.result.status is Status.SUCCESS, sink.output_bytes
    assert sink.output_bytes.startswith(b"nobody\n")
    assert f"/jobfleet-{os.getpid()}/exec-1-".encode() in sink.output_bytes
