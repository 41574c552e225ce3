"""Gateway configuration: one frozen dataclass, merged flags > environment > defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MASTER_ENV = "JOBFLEET_MASTER"
LISTEN_ENV = "JOBFLEET_GATEWAY_LISTEN"


class ConfigError(ValueError):
    """A bad setting; the message names the key and where it came from."""


@dataclass(frozen=True)
class GatewayConfig:
    master: str = "127.0.0.1:7070"
    """host:port of the master's gRPC port."""
    listen_host: str = "127.0.0.1"
    """Address the REST server binds."""
    listen_port: int = 8080
    """Port the REST server binds; 0 picks a free one (see ready_file)."""
    max_body_bytes: int = 1 << 20
    """Larger request bodies are refused with 413."""
    ready_file: Path | None = None
    """Once listening, {"listen": "host:port"} (the real bound port) is written here."""
    rpc_timeout: float = 30.0
    """Deadline in seconds for each call on the master."""

    @property
    def listen(self) -> str:
        return join_host_port(self.listen_host, self.listen_port)


def join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_host_port(value: str, key: str, source: str, *, allow_zero: bool) -> tuple[str, int]:
    """`host:port` or `[v6]:port`; the error names the key and its source."""
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    low = 0 if allow_zero else 1
    if not sep or not host or not port.isdigit() or not low <= int(port) <= 65535:
        raise ConfigError(
            f"{key} ({source}): expected HOST:PORT with port {low}-65535, got {value!r}"
        )
    return host, int(port)


def _pick(flag: str | None, env: Mapping[str, str], env_key: str, key: str) -> tuple[str, str]:
    """(value, source) by precedence; ("", "default") when neither is set."""
    if flag:
        return flag, f"--{key}"
    if env.get(env_key):
        return env[env_key], env_key
    return "", "default"


def load_config(
    env: Mapping[str, str],
    *,
    master: str | None = None,
    listen: str | None = None,
    ready_file: str | None = None,
) -> GatewayConfig:
    """Merge command-line values (None = not given) over the environment over the defaults."""
    defaults = GatewayConfig()
    master_value, master_source = _pick(master, env, MASTER_ENV, "master")
    listen_value, listen_source = _pick(listen, env, LISTEN_ENV, "listen")
    master_host, master_port = parse_host_port(
        master_value or defaults.master, "master", master_source, allow_zero=False
    )
    host, port = parse_host_port(
        listen_value or defaults.listen, "listen", listen_source, allow_zero=True
    )
    return GatewayConfig(
        master=join_host_port(master_host, master_port),
        listen_host=host,
        listen_port=port,
        ready_file=Path(ready_file) if ready_file else None,
    )
