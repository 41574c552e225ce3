"""SlaveConfig: every knob of the slave, merged once from flags > environment > defaults.

Parsing happens here and only here, so a bad value is reported with the key and the source it
came from (`--kill-grace (flag): ...`, `JOBFLEET_MASTER (environment): ...`).
"""

from __future__ import annotations

import math
import os
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jobfleet.masters import parse_masters
from jobfleet.tls import ClientTls, TlsError, client_tls_from
from slave.messages import HostKeyPolicy, Secret

__all__ = ["ConfigError", "HostKeyPolicy", "Secret", "SlaveConfig", "load_config"]


class ConfigError(ValueError):
    """A missing or bad setting; the message names the key and where the value came from."""


@dataclass(frozen=True)
class SlaveConfig:
    master: str
    """Masters to dial, HOST:PORT or a comma list of them (masters sharing one database): the
    slave attaches to one and moves to the next when its stream fails (`masters`)."""
    name: str = field(default_factory=socket.gethostname)
    """Name this slave attaches as; the master routes a node's executions by it."""
    kill_grace: float = 5.0
    """Seconds between SIGTERM and SIGKILL when a process group is ended."""
    max_unacked_bytes: int = 64 << 20
    """Output the master has not acked yet; past it, commands wait on their pipes."""
    work_dir: Path | None = None
    """Where scripts are written; None = a fresh temp dir under /tmp, removed at exit."""
    heartbeat_interval: float = 10.0
    """Heartbeat period when the master's Welcome does not set one."""
    flush_bytes: int = 1 << 20
    """An output chunk is sent once it holds this many bytes (fast output: few big chunks,
    the master's cost is per chunk)..."""
    flush_interval: float = 0.05
    """...or this many seconds after its first byte, whichever comes first."""
    drain_timeout: float = 2.0
    """After the main process exits, read its pipe this long at most (background children)."""
    shutdown_grace: float = 60.0
    """Warm shutdown: wait this long for running executions before killing them."""
    flush_timeout: float = 5.0
    """Warm shutdown: wait this long for the master to ack what is still unacked."""
    welcome_timeout: float = 30.0
    """A master that accepts the stream but says nothing this long is treated as gone."""
    reconnect_base: float = 0.2
    """First reconnect delay ceiling (seconds); doubles per failure, with full jitter."""
    reconnect_cap: float = 10.0
    """Longest reconnect delay ceiling (seconds)."""
    stable_after: float = 30.0
    """An attached stream that lived this long resets the reconnect backoff."""
    join_token: Secret | None = None
    """Token sent in Hello, for a master that requires one."""
    max_ssh_sessions: int = 64
    """SSH executions running at once; more wait their turn (connects included)."""
    ssh_host_key_policy: HostKeyPolicy = HostKeyPolicy.ACCEPT_NEW
    """Unknown host keys: refuse (strict) or record (accept-new); changed keys are refused."""
    ssh_known_hosts: Path | None = None
    """The known_hosts file SSH connects check and record; None = ~/.ssh/known_hosts."""
    ssh_idle_timeout: float = 60.0
    """A pooled SSH connection unused this long is closed."""
    tls: ClientTls | None = None
    """TLS to the master (its CA, and this slave's certificate for mutual TLS); None =
    plaintext."""
    cgroups: Literal["auto", "off"] = "auto"
    """auto: each run in a cgroup v2 of its own when the slave may (so kill reaches processes
    that cleared their environment too); off: process groups and the run mark only."""
    run_as: tuple[str, ...] = ()
    """Accounts local commands and copies may run as (a step's `user`); the first is the
    default for steps naming none. Empty = the slave's own account when it is not root, and
    `nobody` when it is: root is never used unless listed."""
    projects: tuple[int, ...] = ()
    """Projects whose work this slave takes; empty = every project its enrolment allows."""
    state_dir: Path | None = None
    """Where the slave keeps its credential (a private directory); None = the default,
    ~/.local/state/jobfleet-slave."""
    connect_timeout: float = 5.0
    """With several masters: one that has not taken the connection this long is skipped for
    the next (a host that vanished answers nothing; a stopped one refuses at once)."""

    @property
    def masters(self) -> tuple[str, ...]:
        """The masters to dial, in the order given."""
        return tuple(self.master.split(","))


def parse_master_list(raw: str) -> str:
    """HOST:PORT[,HOST:PORT...], normalised (each entry once, in the order given)."""
    return ",".join(parse_masters(raw))


def parse_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > 255 or re.search(r"\s", name):
        raise ValueError(f"{raw!r} is not a name (1-255 characters, no spaces)")
    return name


def parse_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{raw!r} must be a finite number of seconds >= 0")
    return value


_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(raw: str) -> int:
    """Bytes, with an optional K/M/G (binary) suffix: 65536, 64M, 64MiB."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(?:i?b)?\s*", raw, re.IGNORECASE)
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{raw!r} is not a positive size (e.g. 67108864 or 64M)")
    return int(match[1]) * _UNITS[match[2].lower()]


def parse_count(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{raw!r} must be at least 1")
    return value


def parse_policy(raw: str) -> HostKeyPolicy:
    try:
        return HostKeyPolicy(raw.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in HostKeyPolicy)
        raise ValueError(f"{raw!r} is not a host key policy ({known})") from None


def parse_cgroups(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("auto", "off"):
        raise ValueError(f"{raw!r} is not auto or off")
    return value


ACCOUNT = re.compile(r"[a-z_][a-z0-9_.-]{0,31}\$?", re.IGNORECASE)


def parse_accounts(raw: str) -> tuple[str, ...]:
    """A comma list of account names: root,deploy,nobody."""
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    bad = [n for n in names if not ACCOUNT.fullmatch(n)]
    if not names or bad:
        raise ValueError(f"{raw!r} is not a comma list of account names")
    return names


def parse_projects(raw: str) -> tuple[int, ...]:
    """A comma list of project ids (0,2,7; 0 is the shared project), or `all` (= every
    project: empty)."""
    if raw.strip().lower() in ("all", "*"):
        return ()
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and int(p) < 2**63 for p in parts):
        raise ValueError(f"{raw!r} is not a comma list of project ids (or all)")
    return tuple(dict.fromkeys(int(p) for p in parts))


def read_secret_file(raw: str) -> Secret:
    """The file's text; refused, like ssh refuses a key, when others may read or write it."""
    try:
        with open(raw) as file:
            mode = os.fstat(file.fileno()).st_mode & 0o777
            text = file.read()
    except OSError as exc:
        raise ValueError(f"cannot read {raw}: {exc.strerror}") from None
    if mode & 0o077:
        raise ValueError(f"{raw} is open to other accounts (mode {mode:04o}): chmod 600 {raw}")
    return Secret(text.strip())


@dataclass(frozen=True)
class _Setting:
    key: str
    flag: str | None
    env: str | None
    parse: Callable[[str], object]
    parse_flag: Callable[[str], object] | None = None


SETTINGS = (
    _Setting("master", "--master", "JOBFLEET_MASTER", parse_master_list),
    _Setting("name", "--name", "JOBFLEET_SLAVE_NAME", parse_name),
    _Setting("kill_grace", "--kill-grace", "JOBFLEET_SLAVE_KILL_GRACE", parse_seconds),
    _Setting(
        "max_unacked_bytes", "--max-unacked-bytes", "JOBFLEET_SLAVE_MAX_UNACKED_BYTES", parse_size
    ),
    _Setting("work_dir", "--work-dir", "JOBFLEET_SLAVE_WORK_DIR", Path),
    _Setting("shutdown_grace", "--shutdown-grace", "JOBFLEET_SLAVE_SHUTDOWN_GRACE", parse_seconds),
    _Setting("join_token", "--join-token-file", "JOBFLEET_JOIN_TOKEN", Secret, read_secret_file),
    _Setting(
        "max_ssh_sessions", "--max-ssh-sessions", "JOBFLEET_SLAVE_MAX_SSH_SESSIONS", parse_count
    ),
    _Setting(
        "ssh_host_key_policy",
        "--ssh-host-key-policy",
        "JOBFLEET_SLAVE_SSH_HOST_KEY_POLICY",
        parse_policy,
    ),
    _Setting("ssh_known_hosts", "--ssh-known-hosts", "JOBFLEET_SLAVE_SSH_KNOWN_HOSTS", Path),
    _Setting(
        "ssh_idle_timeout", "--ssh-idle-timeout", "JOBFLEET_SLAVE_SSH_IDLE_TIMEOUT", parse_seconds
    ),
    _Setting("cgroups", "--cgroups", "JOBFLEET_SLAVE_CGROUPS", parse_cgroups),
    _Setting("run_as", "--run-as", "JOBFLEET_SLAVE_RUN_AS", parse_accounts),
    _Setting("projects", "--projects", "JOBFLEET_SLAVE_PROJECTS", parse_projects),
    _Setting("state_dir", "--state-dir", "JOBFLEET_SLAVE_STATE_DIR", Path),
)


def _flag_key(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def load_config(flags: Mapping[str, Any], environ: Mapping[str, str]) -> SlaveConfig:
    """Merge flags (raw strings as argparse left them, None = not given) over the environment."""
    values: dict[str, object] = {}
    for setting in SETTINGS:
        flag_value = flags.get(_flag_key(setting.flag)) if setting.flag else None
        if flag_value is not None:
            source, raw = f"{setting.flag} (flag)", str(flag_value)
            parse = setting.parse_flag or setting.parse
        elif setting.env and environ.get(setting.env):
            source, raw, parse = f"{setting.env} (environment)", environ[setting.env], setting.parse
        else:
            continue
        try:
            values[setting.key] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
    try:
        values["tls"] = client_tls_from(flags, environ)
    except TlsError as exc:
        raise ConfigError(str(exc)) from None
    if "master" not in values:
        raise ConfigError(
            "master: missing; pass --master HOST:PORT[,HOST:PORT...] or set JOBFLEET_MASTER"
        )
    return SlaveConfig(**values)  # type: ignore[arg-type]
