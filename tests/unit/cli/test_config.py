"""Where `jobfleet`'s settings come from: flag > environment > config file > default; a file
holding a token others may read is refused, as ssh refuses such a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfleet.cli.config import ConfigError, resolve

NOT_GIVEN: dict[str, object] = {"master": None, "token_file": None, "project": None, "config": None}


def home_with(tmp_path: Path, text: str, mode: int = 0o600) -> dict[str, str]:
    path = tmp_path / "cfg" / "jobfleet" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    path.chmod(mode)
    return {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}


def test_without_flags_environment_or_file_the_defaults_hold(tmp_path: Path) -> None:
    got = resolve(NOT_GIVEN, {"HOME": str(tmp_path)})

    assert (got.master, got.token, got.project, dict(got.tls)) == ("127.0.0.1:7070", "", 1, {})


def test_the_file_under_xdg_config_home_is_read(tmp_path: Path) -> None:
    env = home_with(
        tmp_path, 'master = "m1:7070,m2:7070"\ntoken = "s3cret"\nproject = 4\ntls_ca = "/ca.pem"\n'
    )

    got = resolve(NOT_GIVEN, env)

    assert (got.master, got.token, got.project) == ("m1:7070,m2:7070", "s3cret", 4)
    assert dict(got.tls) == {"tls_ca": "/ca.pem"}


def test_the_file_defaults_to_home_dot_config(tmp_path: Path) -> None:
    path = tmp_path / ".config" / "jobfleet" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('master = "h:1"\n')

    assert resolve(NOT_GIVEN, {"HOME": str(tmp_path)}).master == "h:1"


def test_environment_beats_the_file_and_flags_beat_both(tmp_path: Path) -> None:
    env = home_with(tmp_path, 'master = "file:1"\ntoken = "from-file"\nproject = 4\n')
    token_file = tmp_path / "token"
    token_file.write_text("from-flag-file\n")
    environ = {**env, "JOBFLEET_MASTER": "env:1", "JOBFLEET_TOKEN": "from-env"}
    environ["JOBFLEET_PROJECT"] = "5"
    flags = {**NOT_GIVEN, "master": "flag:1", "token_file": str(token_file), "project": 6}

    from_env = resolve(NOT_GIVEN, environ)
    from_flags = resolve(flags, environ)

    assert (from_env.master, from_env.token, from_env.project) == ("env:1", "from-env", 5)
    assert (from_flags.master, from_flags.token, from_flags.project) == (
        "flag:1",
        "from-flag-file",
        6,
    )


def test_a_token_file_in_the_environment_beats_a_token_there(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("in-the-file\n")
    environ = {"HOME": str(tmp_path), "JOBFLEET_TOKEN": "t", "JOBFLEET_TOKEN_FILE": str(token_file)}

    assert resolve(NOT_GIVEN, environ).token == "in-the-file"


def test_config_names_another_file_and_one_that_is_missing_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('master = "other:1"\n')

    named = resolve({**NOT_GIVEN, "config": str(other)}, {"HOME": str(tmp_path)})
    by_env = resolve(NOT_GIVEN, {"HOME": str(tmp_path), "JOBFLEET_CONFIG": str(other)})
    with pytest.raises(ConfigError, match="--config: .*gone.toml does not exist"):
        resolve({**NOT_GIVEN, "config": str(tmp_path / "gone.toml")}, {})

    assert named.master == by_env.master == "other:1"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_token_others_may_read_is_refused(tmp_path: Path, mode: int) -> None:
    env = home_with(tmp_path, 'token = "s3cret"\n', mode)

    with pytest.raises(ConfigError, match=f"others may read it \\(mode {mode:04o}\\); chmod 600"):
        resolve(NOT_GIVEN, env)


def test_a_readable_file_without_a_token_is_fine(tmp_path: Path) -> None:
    env = home_with(tmp_path, 'master = "h:1"\n', 0o644)

    assert resolve(NOT_GIVEN, env).master == "h:1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mastr = "h:1"\n', "unknown key 'mastr'"),
        ('project = "4"\n', "project must be an integer"),
        ("project = true\n", "project must be an integer"),
        ("master = 7070\n", "master must be a string"),
        ("master = h:1\n", "not TOML"),
    ],
)
def test_bad_files_are_refused_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    env = home_with(tmp_path, text)

    with pytest.raises(ConfigError, match=message):
        resolve(NOT_GIVEN, env)


def test_a_project_in_the_environment_must_be_a_number(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JOBFLEET_PROJECT: 'x' is not a number"):
        resolve(NOT_GIVEN, {"HOME": str(tmp_path), "JOBFLEET_PROJECT": "x"})
