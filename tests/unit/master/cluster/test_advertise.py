"""`--advertise` turns on multi-master mode, on PostgreSQL only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from master.cli import config_from, parser
from master.config import ConfigError


def master_cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "master", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
    )


@pytest.mark.parametrize("db", ["", "jobfleet.db", "sqlite:///jobfleet.db"])
def test_advertise_on_sqlite_refuses_to_start_naming_both_flags(db: str, tmp_path: Path) -> None:
    argv = ["--data-dir", str(tmp_path), "--listen", "127.0.0.1:0", "--advertise", "a:7070"]
    result = master_cli(
        *argv, *(["--db", str(tmp_path / db) if "://" not in db else db] if db else [])
    )

    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--advertise" in lines[0] and "--db" in lines[0], lines
    assert not list(tmp_path.iterdir()), "nothing is created"


def test_the_environment_sets_advertise_and_postgresql_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOBFLEET_MASTER_ADVERTISE", "10.0.0.5:7070")
    args = parser().parse_args(["--db", "postgresql://jf@127.0.0.1:1/jobfleet"])

    assert config_from(args).advertise == "10.0.0.5:7070"


def test_without_advertise_the_master_is_single() -> None:
    args = parser().parse_args([])

    assert config_from(args).advertise == ""


def test_an_advertise_that_is_not_host_port_is_refused_naming_it() -> None:
    args = parser().parse_args(["--db", "postgresql://jf@h/db", "--advertise", "nohost"])

    with pytest.raises(ConfigError, match="advertise"):
        config_from(args)
