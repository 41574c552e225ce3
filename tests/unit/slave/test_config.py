from __future__ import annotations

import socket
from pathlib import Path

import pytest

from slave.config import (
    ConfigError,
    Secret,
    SlaveConfig,
    load_config,
    parse_projects,
    parse_size,
)


def test_flags_win_over_environment_over_defaults() -> None:
    env = {"JOBFLEET_MASTER": "env-host:7000", "JOBFLEET_SLAVE_NAME": "env-name"}
    config = load_config({"master": "flag-host:7001", "name": None}, env)
    assert config.master == "flag-host:7001"
    assert config.name == "env-name"
    assert config.kill_grace == 5.0
    assert config.max_unacked_bytes == 64 << 20


def test_every_flag_is_parsed() -> None:
    flags = {
        "master": "[::1]:50051",
        "name": "web1",
        "kill_grace": "2.5",
        "max_unacked_bytes": "8M",
        "work_dir": "/var/tmp/jf",
        "shutdown_grace": "0",
    }
    config = load_config(flags, {})
    assert config == SlaveConfig(
        master="[::1]:50051",
        name="web1",
        kill_grace=2.5,
        max_unacked_bytes=8 << 20,
        work_dir=Path("/var/tmp/jf"),
        shutdown_grace=0.0,
    )


def test_several_masters_are_one_list_in_the_order_given() -> None:
    config = load_config({"master": None}, {"JOBFLEET_MASTER": "a:7070, b:7070,a:7070"})
    assert config.master == "a:7070,b:7070"
    assert config.masters == ("a:7070", "b:7070")


def test_name_defaults_to_the_host_name() -> None:
    assert load_config({"master": "m:1"}, {}).name == socket.gethostname()


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        ({}, {}, "master: missing"),
        ({"master": "no-port"}, {}, "--master (flag): 'no-port' is not HOST:PORT"),
        ({"master": "a:1,b"}, {}, "--master (flag): 'b' is not HOST:PORT"),
        ({"master": "a:1,,b:2"}, {}, "--master (flag): 'a:1,,b:2' has an empty entry"),
        ({}, {"JOBFLEET_MASTER": "h:99999"}, "JOBFLEET_MASTER (environment): 'h:99999'"),
        ({"master": "h:1", "kill_grace": "soon"}, {}, "--kill-grace (flag): 'soon' is not"),
        ({"master": "h:1", "kill_grace": "-1"}, {}, "--kill-grace (flag): '-1' must be"),
        ({"master": "h:1", "max_unacked_bytes": "lots"}, {}, "--max-unacked-bytes (flag)"),
        ({"master": "h:1"}, {"JOBFLEET_SLAVE_NAME": "two words"}, "JOBFLEET_SLAVE_NAME (env"),
    ],
)
def test_bad_values_name_the_key_and_the_source(
    flags: dict[str, str], env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(flags, env)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "size"), [("65536", 65536), ("64k", 65536), ("64MiB", 64 << 20), ("1G", 1 << 30)]
)
def test_sizes_take_binary_suffixes(raw: str, size: int) -> None:
    assert parse_size(raw) == size


def test_join_token_from_env_or_file_never_shows_in_repr(tmp_path: Path) -> None:
    from_env = load_config({"master": "h:1"}, {"JOBFLEET_JOIN_TOKEN": "tok-env"})
    token_file = tmp_path / "token"
    token_file.write_text("tok-file\n")
    token_file.chmod(0o600)
    from_file = load_config({"master": "h:1", "join_token_file": str(token_file)}, {})
    assert from_env.join_token == Secret("tok-env")
    assert from_file.join_token == Secret("tok-file")
    assert "tok-" not in repr(from_env) + repr(from_file) + str(from_env.join_token)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620])
def test_a_token_file_open_to_other_accounts_is_refused_saying_how_to_fix_it(
    tmp_path: Path, mode: int
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("tok-open\n")
    token_file.chmod(mode)
    with pytest.raises(ConfigError) as refused:
        load_config({"master": "h:1", "join_token_file": str(token_file)}, {})
    assert str(refused.value) == (
        f"--join-token-file (flag): {token_file} is open to other accounts "
        f"(mode 0{mode:o}): chmod 600 {token_file}"
    )


def test_unreadable_token_file_is_reported_with_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--join-token-file \\(flag\\): cannot read"):
        load_config({"master": "h:1", "join_token_file": str(tmp_path / "none")}, {})


def test_cgroups_default_to_auto_and_take_off_from_the_flag_or_environment() -> None:
    assert load_config({"master": "h:1"}, {}).cgroups == "auto"
    assert load_config({"master": "h:1", "cgroups": "off"}, {}).cgroups == "off"
    assert load_config({"master": "h:1"}, {"JOBFLEET_SLAVE_CGROUPS": "OFF"}).cgroups == "off"
    with pytest.raises(ConfigError, match="JOBFLEET_SLAVE_CGROUPS \\(environment\\): 'v1'"):
        load_config({"master": "h:1"}, {"JOBFLEET_SLAVE_CGROUPS": "v1"})


def test_config_is_frozen() -> None:
    config = SlaveConfig(master="h:1", name="n")
    with pytest.raises(AttributeError):
        setattr(config, "name", "other")  # mypy refuses writing a frozen field


def test_projects_are_ids_the_shared_project_0_among_them() -> None:
    assert parse_projects("0, 2,7,2") == (0, 2, 7)
    assert parse_projects("all") == ()
    for bad in ("", "-1", "1,x", str(2**63), "١"):
        with pytest.raises(ValueError, match="not a comma list of project ids"):
            parse_projects(bad)
