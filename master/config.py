"""Master configuration: one frozen dataclass, merged flags > environment > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(ValueError):
    """A bad or missing setting; the message names the key and where it came from."""


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
    heartbeat_interval: float = 2.0
    """Seconds between slave heartbeats."""
    lease: float = 15.0
    """Seconds a slave may stay silent before its running executions are marked lost."""
    db_pool_size: int = 4
    """Database connections the master keeps (SQLite and PostgreSQL alike)."""
    time_zone: str = "UTC"
    """IANA time zone of crontabs created without one."""
    max_upload_bytes: int = 1 << 30
    """The largest file the file store takes (uploads and copies' fetches)."""

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


def positive(value: float, key: str, source: str) -> float:
    if value <= 0:
        raise ConfigError(f"{key} ({source}): must be > 0, got {value}")
    return value


def positive_int(value: str, key: str, source: str) -> int:
    """A whole number > 0, or ConfigError naming the key and where the value came from."""
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"{key} ({source}): must be a whole number > 0, got {value!r}")
    return int(value)
