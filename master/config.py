"""Master configuration: one frozen dataclass, merged flags > environment > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jobfleet.tls import ServerTls


class ConfigError(ValueError):
    """A bad or missing setting; the message names the key and where it came from."""


@dataclass(frozen=True)
class Secret:
    """A value that must never reach a log line, an error or a repr."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class TerminalLimits:
    """What terminal sessions may take (master/terminal/admission.py)."""

    max_per_project: int = 20
    """Sessions open at once in one project; one more is RESOURCE_EXHAUSTED."""
    max_per_user: int = 5
    """Sessions open at once for one caller (its token and actor)."""
    idle_timeout: float = 900.0
    """Seconds without input before a session ends (a line running is not idle)."""
    ticket_ttl: float = 60.0
    """Seconds a ticket (IssueTerminalTicket) stays good for its one open."""


@dataclass(frozen=True)
class NotifySettings:
    """The outbox's channels (each off when unset) and its retry schedule."""

    smtp_url: Secret | None = None
    """smtp[s]://user:pass@host:port or smtp+starttls://...; holds a password."""
    smtp_from: str = "jobfleet@localhost"
    mail_domain: str = ""
    """A user name without `@` is mailed at `<name>@<mail_domain>`."""
    sms_url: str = ""
    sms_command: str = ""
    retry_base: float = 5.0
    max_attempts: int = 8
    poll: float = 0.25
    """Seconds between the worker's looks for new notices and due deliveries."""
    deliver: bool = True
    """False: this master writes notices but sends nothing (another master on the same
    database delivers them)."""


@dataclass(frozen=True)
class MasterConfig:
    listen: str = "127.0.0.1:7070"
    """host:port of the gRPC server; port 0 picks a free one (see ready_file)."""
    data_dir: Path = Path(".jobfleet")
    """Where the embedded database and the file store live."""
    db: str = ""
    """A path, sqlite:///path or postgresql://user:pass@host:port/db.

    Empty means data_dir/jobfleet.db."""
    ready_file: Path | None = None
    """Once serving, {"listen": "host:port"} is written here (for launchers and tests)."""
    heartbeat_interval: float = 5.0
    """Seconds between slave heartbeats (and between the master's sweeps of silent slaves).
    Each costs the master a message per attached slave: 5 s keeps a thousand idle slaves
    under 5 % of a core."""
    lease: float = 15.0
    """Seconds a slave may stay silent before its running executions are marked lost
    (the CLI's default: 3 heartbeats, at least 15 s)."""
    db_pool_size: int = 4
    """Database connections the master keeps (SQLite and PostgreSQL alike)."""
    time_zone: str = "UTC"
    """IANA time zone of crontabs created without one."""
    max_upload_bytes: int = 1 << 30
    """The largest file the file store takes (uploads and copies' fetches)."""
    max_log_bytes: int = 64 << 20
    """Output stored per execution; past it, output is acked but dropped, and a marker line
    at the end of the log says how many bytes were dropped."""
    admin_token: Secret | None = None
    """The bootstrap admin token (acts on every project); kept in memory as its sha256 only.
    Without it only project tokens made earlier get in: auth is never off."""
    join_token: Secret | None = None
    """When set, a slave's Hello must carry it, else the link is refused."""
    tls: ServerTls | None = None
    """TLS on the gRPC port (and, with a client CA, mutual TLS); None = plaintext."""
    max_script_bytes: int = 1 << 20
    """The largest script, argument list or path of a step once `${var}` are substituted;
    larger is refused before anything is written. A task renders at most 8 times this in all
    (master/catalogue/variables.py)."""
    max_running_tasks: int = 200
    """Tasks of one project not ended at once; more are refused (RESOURCE_EXHAUSTED, 429)."""
    max_submissions_per_second: float = 20.0
    """Tasks one project may start per second, sustained (bursts of up to 5 s worth)."""
    max_crontabs: int = 200
    """Crontabs one project may have."""
    terminal: TerminalLimits = field(default_factory=lambda: TerminalLimits())
    """Terminal sessions' caps, idle timeout and tickets' life (docs/terminal.md)."""
    key_file: Path | None = None
    """The key that encrypts secrets at rest (SSH keys, passwords); made 0600 at first start.
    None = data_dir/secrets.key."""

    public_url: str = "http://127.0.0.1:8080"
    """The gateway's base URL as approvers reach it: an approval's link is
    `<public_url>/approval/answer?token=...` (default: the gateway's default address)."""

    blob_dir: Path | None = None
    """The file store's blobs. None = data_dir/blobs. Several masters: one directory every
    master mounts (docs/ha.md, "Relays and wake-ups")."""

    blob_grace: float = 3600.0
    """Seconds a blob nobody references is kept before the file store sweep removes it (an
    upload not yet named by a file or a copy is unreferenced meanwhile); stale temp files too."""

    notify: NotifySettings = field(default_factory=lambda: NotifySettings())
    """Where notifications go and how failed ones are retried (docs/notifications.md)."""

    advertise: str = ""
    """HOST:PORT other parts reach this master at; set, it turns on multi-master mode
    (PostgreSQL only) and is the master's name in the `master` table (docs/ha.md). Empty: the
    only master, nothing of the cluster runs."""

    @property
    def silent_after(self) -> float:
        """Seconds without a word after which a slave's stream is dropped (it re-attaches when
        it can): half the lease, and never less than two heartbeats."""
        return max(self.lease / 2, 2 * self.heartbeat_interval)

    @property
    def secrets_key_file(self) -> Path:
        return self.key_file or self.data_dir / "secrets.key"

    @property
    def blobs(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def db_url(self) -> str:
        return self.db or str(self.data_dir / "jobfleet.db")

    @property
    def db_threads(self) -> int:
        """Threads that run database work off the event loop: one per pooled connection, so a
        store call never waits for a connection."""
        return self.db_pool_size


def parse_host_port(value: str, key: str, source: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{key} ({source}): expected HOST:PORT, got {value!r}")
    return host, int(port)


def env_default(key: str, default: str) -> str:
    """The JOBFLEET_* environment value for a setting, else its default."""
    return os.environ.get(f"JOBFLEET_{key.upper()}", default)


def lease_for(heartbeat: float) -> float:
    """The default lease: three heartbeats, and at least 15 s."""
    return max(15.0, 3 * heartbeat)


def positive(value: float, key: str, source: str) -> float:
    if value <= 0:
        raise ConfigError(f"{key} ({source}): must be > 0, got {value}")
    return value


def positive_int(value: str, key: str, source: str) -> int:
    """A whole number > 0, or ConfigError naming the key and where the value came from."""
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"{key} ({source}): must be a whole number > 0, got {value!r}")
    return int(value)


def positive_number(value: str, key: str, source: str) -> float:
    """A finite number > 0, or ConfigError naming the key and where the value came from."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise ConfigError(f"{key} ({source}): must be a number > 0, got {value!r}")
    return number


def secret_setting(flag_file: Path | None, key: str, min_length: int) -> Secret | None:
    """A secret from a file (its flag) or the environment (`JOBFLEET_<KEY>`), else None."""
    env_key = f"JOBFLEET_{key.upper()}"
    source = f"--{key.replace('_', '-')}-file" if flag_file else env_key
    if flag_file is not None:
        try:
            value = flag_file.read_text().strip()
        except OSError as exc:
            why = exc.strerror
            raise ConfigError(f"{key} ({source}): cannot read {flag_file}: {why}") from None
    else:
        value = os.environ.get(env_key, "").strip()
        if not value:
            return None
    if len(value) < min_length or any(c.isspace() or not c.isprintable() for c in value):
        raise ConfigError(
            f"{key} ({source}): must be at least {min_length} printable characters, no spaces"
        )
    return Secret(value)
