"""Fleet mode's naming and settings, and its flag's refusals (the run itself: integration)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from slave.cli import main
from slave.config import SlaveConfig
from slave.fleet import Fleet, fleet_configs, fleet_names
from slave.fleetprocs import fleet_parts
from tests.waiting import wait_until


def test_names_are_the_prefix_and_a_number_padded_to_the_count() -> None:
    assert fleet_names("s", 3) == ["s1", "s2", "s3"]
    assert fleet_names("s", 12)[:2] == ["s01", "s02"]
    assert fleet_names("f", 1000)[-1] == "f1000"


def test_each_identity_works_in_its_own_dir_without_cgroups(tmp_path: Path) -> None:
    base = SlaveConfig(master="h:1", name="s", cgroups="auto", kill_grace=3.0)

    configs = fleet_configs(base, 2, tmp_path)

    assert [(c.name, c.work_dir, c.cgroups) for c in configs] == [
        ("s1", tmp_path / "s1", "off"),
        ("s2", tmp_path / "s2", "off"),
    ]
    assert all(c.kill_grace == 3.0 and c.master == "h:1" for c in configs)


def test_processes_share_the_names_in_contiguous_near_equal_parts() -> None:
    assert fleet_parts(1000, 2) == [range(0, 500), range(500, 1000)]
    assert fleet_parts(5, 3) == [range(0, 1), range(1, 3), range(3, 5)]
    assert fleet_parts(2, 4) == [range(0, 1), range(1, 2)]  # never a process with none


def test_a_fleet_process_runs_its_part_of_the_names(tmp_path: Path) -> None:
    base = SlaveConfig(master="h:1", name="f", work_dir=tmp_path)

    fleet = Fleet(base, 1000, range(500, 1000))

    names = [s.config.name for s in fleet.slaves]
    assert (len(names), names[0], names[-1]) == (500, "f0501", "f1000")


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--fleet-procs", "2"], "--fleet"),
        (["--fleet", "4", "--fleet-procs", "0"], "--fleet-procs"),
        (["--fleet", "4", "--fleet-procs", "65"], "--fleet-procs"),
    ],
)
def test_bad_fleet_processes_exit_2_naming_the_flag(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--master", "h:1", *argv]) == 2
    assert flag in capsys.readouterr().err


@pytest.mark.parametrize("count", ["0", "x", "10001"])
def test_a_bad_fleet_size_exits_2_naming_the_flag(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--master", "h:1", "--fleet", count]) == 2
    assert "--fleet" in capsys.readouterr().err


def test_help_says_fleet_mode_is_for_benchmarks_and_tests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    assert "benchmarks and tests" in capsys.readouterr().out


SERVE_PARTS = """
import os, signal, sys, time
from pathlib import Path
from slave.fleetprocs import run_processes

def serve(part):
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
    Path(sys.argv[1], str(part.start)).write_text(str(os.getpid()))
    while not stopped:
        time.sleep(0.01)
    return 3 + part.start

sys.exit(run_processes([range(0, 1), range(1, 2)], serve))
"""


def test_the_first_process_passes_sigterm_on_and_exits_with_the_worst_code(
    tmp_path: Path,
) -> None:
    parent = subprocess.Popen([sys.executable, "-c", SERVE_PARTS, str(tmp_path)])
    try:
        wait_until(lambda: len(list(tmp_path.iterdir())) == 2, 30, what="both parts serving")
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 4  # the parts stopped with 3 and 4
    finally:
        parent.kill()
        parent.wait()
