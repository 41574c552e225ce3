"""Gateway configuration: one frozen dataclass, merged flags > environment > defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jobfleet.masters import parse_masters
from jobfleet.tls import ClientTls, TlsError, client_tls_from

MASTER_ENV = "JOBFLEET_MASTER"
LISTEN_ENV = "JOBFLEET_GATEWAY_LISTEN"
MAX_UPLOAD_ENV = "JOBFLEET_GATEWAY_MAX_UPLOAD_BYTES"
SESSION_COOKIE_ENV = "JOBFLEET_GATEWAY_SESSION_COOKIE"
WATCH_TOKEN_ENV = "JOBFLEET_GATEWAY_WATCH_TOKEN"
# RFC 6265's cookie-name: an RFC 2616 token, visible ASCII but separators.
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class ConfigError(ValueError):
    """A bad setting; the message names the key and where it came from."""


@dataclass(frozen=True)
class GatewayConfig:
    master: str = "127.0.0.1:7070"
    """host:port of the master's gRPC port, or a comma list of masters sharing one database
    (`masters`): each call goes to one that answers."""
    listen_host: str = "127.0.0.1"
    """Address the REST server binds."""
    listen_port: int = 8080
    """Port the REST server binds; 0 picks a free one (see ready_file)."""
    max_body_bytes: int = 1 << 20
    """Larger request bodies are refused with 413 (not file uploads: see max_upload_bytes)."""
    max_upload_bytes: int = 1 << 30
    """Each uploaded file larger than this is refused with 413 (the request body is not capped)."""
    ready_file: Path | None = None
    """Once listening, {"listen": "host:port"} (the real bound port) is written here."""
    rpc_timeout: float = 30.0
    """Deadline in seconds for each call on the master."""
    session_cookie: str = "sid"
    """The browser session cookie whose value is taken as a jobfleet token (OpenC3's pages send
    only their SSO cookie; a sign-on proxy or login page puts a token there)."""
    tls: ClientTls | None = None
    """TLS to the master (its CA, and the gateway's certificate for mutual TLS); None =
    plaintext."""
    watch_token: str = ""
    """The admin token, with which the gateway watches tasks change (gateway/taskreads.py) and
    so answers repeated reads of a task from memory; "" = every read goes to the master."""

    @property
    def masters(self) -> tuple[str, ...]:
        return tuple(self.master.split(","))

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


def parse_master_list(value: str, source: str) -> list[str]:
    """HOST:PORT or a comma list of them, each once; the error names `master` and its source."""
    try:
        entries = parse_masters(value)
    except ValueError as exc:
        raise ConfigError(f"master ({source}): {exc}") from None
    return [
        join_host_port(*parse_host_port(entry, "master", source, allow_zero=False))
        for entry in entries
    ]


def parse_byte_count(value: str, key: str, source: str) -> int:
    """A positive whole number of bytes; the error names the key and its source."""
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{key} ({source}): expected a positive number of bytes, got {value!r}")
    return int(text)


def parse_cookie_name(value: str, key: str, source: str) -> str:
    """A cookie's name as RFC 6265 has it (a token); the error names the key and its source."""
    if not _COOKIE_NAME.fullmatch(value):
        raise ConfigError(
            f"{key} ({source}): expected a cookie name (letters, digits and !#$%&'*+-.^_`|~), "
            f"got {value!r}"
        )
    return value


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
    max_upload_bytes: str | None = None,
    session_cookie: str | None = None,
    tls_flags: Mapping[str, str | None] | None = None,
) -> GatewayConfig:
    """Merge command-line values (None = not given) over the environment over the defaults;
    `tls_flags` are the client TLS flags (`tls_ca`, ...) as argparse left them."""
    defaults = GatewayConfig()
    master_value, master_source = _pick(master, env, MASTER_ENV, "master")
    listen_value, listen_source = _pick(listen, env, LISTEN_ENV, "listen")
    masters = parse_master_list(master_value or defaults.master, master_source)
    host, port = parse_host_port(
        listen_value or defaults.listen, "listen", listen_source, allow_zero=True
    )
    upload_value, upload_source = _pick(max_upload_bytes, env, MAX_UPLOAD_ENV, "max-upload-bytes")
    cookie_value, cookie_source = _pick(session_cookie, env, SESSION_COOKIE_ENV, "session-cookie")
    return GatewayConfig(
        master=",".join(masters),
        listen_host=host,
        listen_port=port,
        ready_file=Path(ready_file) if ready_file else None,
        max_upload_bytes=(
            parse_byte_count(upload_value, "max-upload-bytes", upload_source)
            if upload_value
            else defaults.max_upload_bytes
        ),
        session_cookie=(
            parse_cookie_name(cookie_value, "session-cookie", cookie_source)
            if cookie_value
            else defaults.session_cookie
        ),
        tls=_tls(tls_flags or {}, env),
        watch_token=env.get(WATCH_TOKEN_ENV, "").strip(),
    )


def _tls(flags: Mapping[str, str | None], env: Mapping[str, str]) -> ClientTls | None:
    try:
        return client_tls_from(flags, env)
    except TlsError as exc:
        raise ConfigError(str(exc)) from None
