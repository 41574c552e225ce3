"""TLS on the master's gRPC port, from PEM files: the master's side and its clients' side.

The master, the slaves, the gateway and the CLI all read the same kind of files with the same
rules, so the reading lives here, in the package every process already installs. Files are
read and checked once at start-up with the standard library's `ssl`: grpc only notices a bad
file when it binds ("Failed to bind") or dials (a handshake failure), and does not say which.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

CLIENT_SETTINGS = {
    "tls_ca": ("--tls-ca", "JOBFLEET_TLS_CA"),
    "tls_cert": ("--tls-cert", "JOBFLEET_TLS_CERT"),
    "tls_key": ("--tls-key", "JOBFLEET_TLS_KEY"),
    "tls_server_name": ("--tls-server-name", "JOBFLEET_TLS_SERVER_NAME"),
}
"""A client's settings: key -> (flag, environment variable); the same in every client."""


class TlsError(ValueError):
    """A TLS setting that cannot work; the message names the flag (or variable) and the file."""


@dataclass(frozen=True)
class Pem:
    """A PEM file as given: its path and where it came from (a flag or a variable)."""

    path: Path
    source: str


@dataclass(frozen=True)
class ServerTls:
    """The master's certificate chain and key; with `client_ca`, clients must present a
    certificate that CA signed (mutual TLS)."""

    cert_chain: bytes = field(repr=False)
    key: bytes = field(repr=False)
    client_ca: bytes | None = field(default=None, repr=False)

    def credentials(self) -> Any:
        return grpc.ssl_server_credentials(
            [(self.key, self.cert_chain)],
            root_certificates=self.client_ca,
            require_client_auth=self.client_ca is not None,
        )


@dataclass(frozen=True)
class ClientTls:
    """What a client checks the master's certificate against, and its own certificate for
    mutual TLS. `server_name` replaces the dialled host in that check (a certificate made for
    a DNS name, dialled by IP address)."""

    ca: bytes = field(repr=False)
    cert_chain: bytes | None = field(default=None, repr=False)
    key: bytes | None = field(default=None, repr=False)
    server_name: str = ""

    def credentials(self) -> Any:
        return grpc.ssl_channel_credentials(self.ca, self.key, self.cert_chain)

    def options(self) -> list[tuple[str, str]]:
        return [("grpc.ssl_target_name_override", self.server_name)] if self.server_name else []


def server_tls(cert: Pem, key: Pem, client_ca: Pem | None) -> ServerTls:
    """The master's TLS from its files; TlsError names the bad one."""
    return ServerTls(
        _certificates(cert), _key_for(cert, key), _certificates(client_ca) if client_ca else None
    )


def client_tls(
    ca: Pem | None, cert: Pem | None, key: Pem | None, server_name: str = ""
) -> ClientTls | None:
    """A client's TLS, or None (plaintext) when nothing is set; TlsError names what is wrong."""
    if cert is None and key is None and ca is None and not server_name:
        return None
    if cert is None and key is not None:
        raise TlsError(f"{key.source} needs {_named('tls_cert')} too (a client certificate)")
    if cert is not None and key is None:
        raise TlsError(f"{cert.source} needs {_named('tls_key')} too (a client certificate)")
    if ca is None:
        given = cert.source if cert else _named("tls_server_name")
        raise TlsError(
            f"{given} needs {_named('tls_ca')}: the CA file that signed the master's "
            "certificate (TLS is on only with it)"
        )
    return ClientTls(
        ca=_certificates(ca),
        cert_chain=_certificates(cert) if cert else None,
        key=_key_for(cert, key) if cert and key else None,
        server_name=server_name,
    )


def client_tls_from(flags: Mapping[str, Any], environ: Mapping[str, str]) -> ClientTls | None:
    """A client's TLS from its flags (`tls_ca`... as argparse leaves them, None = not given)
    over its environment (`JOBFLEET_TLS_CA`...)."""
    picked: dict[str, Pem] = {}
    for key, (flag, env) in CLIENT_SETTINGS.items():
        if flags.get(key):
            picked[key] = Pem(Path(str(flags[key])), flag)
        elif environ.get(env):
            picked[key] = Pem(Path(environ[env]), env)
    name = picked.pop("tls_server_name", None)
    return client_tls(
        picked.get("tls_ca"),
        picked.get("tls_cert"),
        picked.get("tls_key"),
        str(name.path) if name else "",
    )


def add_client_arguments(parser: Any) -> None:
    """The client flags, in `parser` (an ArgumentParser or an argument group)."""
    helps = {
        "tls_ca": "CA file (PEM) that signed the master's certificate; turns TLS on",
        "tls_cert": "this client's certificate (PEM), for a master that requires one",
        "tls_key": "the key of --tls-cert (PEM, unencrypted)",
        "tls_server_name": "name to check the master's certificate against instead of the "
        "dialled host",
    }
    for key, (flag, env) in CLIENT_SETTINGS.items():
        metavar = "NAME" if key == "tls_server_name" else "FILE"
        parser.add_argument(flag, metavar=metavar, help=f"{helps[key]} (env {env})")


def aio_channel(
    target: str,
    tls: ClientTls | None,
    options: Sequence[tuple[str, Any]] = (),
    interceptors: Sequence[Any] | None = None,
) -> Any:
    """A grpc.aio channel to `target`: plaintext without `tls`, else TLS."""
    if tls is None:
        return grpc.aio.insecure_channel(target, options=list(options), interceptors=interceptors)
    return grpc.aio.secure_channel(
        target, tls.credentials(), options=[*options, *tls.options()], interceptors=interceptors
    )


def blocking_channel(
    target: str, tls: ClientTls | None, options: Sequence[tuple[str, Any]] = ()
) -> Any:
    """A blocking grpc channel to `target`: plaintext without `tls`, else TLS."""
    if tls is None:
        return grpc.insecure_channel(target, options=list(options))
    return grpc.secure_channel(target, tls.credentials(), options=[*options, *tls.options()])


def _named(key: str) -> str:
    flag, env = CLIENT_SETTINGS[key]
    return f"{flag} (or {env})"


def _read(pem: Pem) -> bytes:
    try:
        return pem.path.read_bytes()
    except OSError as exc:
        raise TlsError(f"{pem.source}: cannot read {pem.path}: {exc.strerror}") from None


def _certificates(pem: Pem) -> bytes:
    data = _read(pem)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=data.decode())
    except (ssl.SSLError, UnicodeDecodeError):
        raise TlsError(f"{pem.source}: no PEM certificate in {pem.path}") from None
    return data


class _Encrypted(Exception):
    pass


def _key_for(cert: Pem, key: Pem) -> bytes:
    data = _read(key)

    def no_password() -> bytes:
        raise _Encrypted

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(os.fspath(cert.path), os.fspath(key.path), password=no_password)
    except _Encrypted:
        raise TlsError(
            f"{key.source}: {key.path} is encrypted; grpc needs an unencrypted key "
            "(`openssl pkey -in KEY -out KEY.plain`, readable by this user only)"
        ) from None
    except ssl.SSLError as exc:
        why = "is not the key of" if exc.reason == "KEY_VALUES_MISMATCH" else "holds no key for"
        raise TlsError(f"{key.source}: {key.path} {why} the certificate {cert.path}") from None
    return data
