"""Where a command's connection settings come from: a flag, else the environment, else the
config file, else the default.

The file is TOML (`$XDG_CONFIG_HOME/jobfleet/config.toml`, default
`~/.config/jobfleet/config.toml`, or `--config PATH` / `$JOBFLEET_CONFIG`), read with tomllib.
A file holding a `token` that others may read is refused, as ssh refuses such a key: the token
is the caller's credential.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobfleet.cli.auth import TOKEN_ENV

DEFAULT_MASTER = "127.0.0.1:7070"
DEFAULT_PROJECT = 1
CONFIG_ENV = "JOBFLEET_CONFIG"
TOKEN_FILE_ENV = "JOBFLEET_TOKEN_FILE"
MASTER_ENV = "JOBFLEET_MASTER"
PROJECT_ENV = "JOBFLEET_PROJECT"

FILE_KEYS: dict[str, type] = {
    "master": str,
    "token": str,
    "token_file": str,
    "project": int,
    "tls_ca": str,
    "tls_cert": str,
    "tls_key": str,
    "tls_server_name": str,
}
"""What the file may set, and the type each key must have."""


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the flag, variable or file key."""


@dataclass(frozen=True)
class Settings:
    """A command's connection: the masters' list as given, the token ("" = none), the project
    and the TLS files (tls_* keys, as the TLS flags name them)."""

    master: str
    token: str
    project: int
    tls: Mapping[str, str]


def default_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "jobfleet" / "config.toml"


def read_file(path: Path, named: bool) -> dict[str, Any]:
    """The file's settings ({} when the default file does not exist; a file named by --config
    or $JOBFLEET_CONFIG must exist). Unknown keys, wrong types and a token readable by others
    are refused."""
    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        if named:
            raise ConfigError(f"--config: {path} does not exist") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"config {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {path}: not TOML: {exc}") from None
    for key, value in data.items():
        want = FILE_KEYS.get(key)
        if want is None:
            known = ", ".join(FILE_KEYS)
            raise ConfigError(f"config {path}: unknown key {key!r} (known: {known})")
        if not isinstance(value, want) or isinstance(value, bool):
            kind = "an integer" if want is int else "a string"
            raise ConfigError(f"config {path}: {key} must be {kind}")
    if "token" in data and stat.S_IMODE(mode) & 0o077:
        raise ConfigError(
            f"config {path}: holds a token but others may read it (mode "
            f"{stat.S_IMODE(mode):04o}); chmod 600 {path}"
        )
    return data


def read_token_file(path: str, source: str) -> str:
    try:
        with open(os.path.expanduser(path)) as f:
            return f.read().strip()
    except OSError as exc:
        raise ConfigError(f"{source}: {path}: {exc.strerror}") from None


def resolve(flags: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """The settings from `flags` (argparse's, None = not given: master, token_file, project,
    config, tls_*) over `environ` over the file over the defaults."""
    named = flags.get("config") or environ.get(CONFIG_ENV)
    path = Path(named).expanduser() if named else default_path(environ)
    file = read_file(path, bool(named))

    master = flags.get("master") or environ.get(MASTER_ENV) or file.get("master") or DEFAULT_MASTER

    if flags.get("token_file"):
        token = read_token_file(flags["token_file"], "--token-file")
    elif environ.get(TOKEN_FILE_ENV):
        token = read_token_file(environ[TOKEN_FILE_ENV], TOKEN_FILE_ENV)
    elif environ.get(TOKEN_ENV):
        token = environ[TOKEN_ENV].strip()
    elif "token" in file:
        token = str(file["token"]).strip()
    elif "token_file" in file:
        token = read_token_file(file["token_file"], f"config {path}: token_file")
    else:
        token = ""

    project = flags.get("project")
    if project is None and environ.get(PROJECT_ENV):
        try:
            project = int(environ[PROJECT_ENV])
        except ValueError:
            raise ConfigError(f"{PROJECT_ENV}: {environ[PROJECT_ENV]!r} is not a number") from None
    if project is None:
        project = int(file.get("project", DEFAULT_PROJECT))

    tls = {key: str(file[key]) for key in FILE_KEYS if key.startswith("tls_") and key in file}
    return Settings(str(master), token, int(project), tls)
