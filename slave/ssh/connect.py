"""Open one authenticated SSH connection. Blocking: the pool runs it in its threads.

Every failure becomes an SshError with a fixed, secret-free cause; paramiko's and
cryptography's own messages are never passed on (a key parser's message could quote its input).
"""

from __future__ import annotations

import errno
import io
import socket
import time
from collections.abc import Callable
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from paramiko.kex_curve25519 import KexCurve25519

from slave.messages import HostKeyPolicy, Secret, SshTarget
from slave.ssh.errors import SshError
from slave.ssh.hostkeys import HostKeyError, KnownHosts

_FAST_KEX = ("curve25519-sha256", "curve25519-sha256@libssh.org")
"""Offered first: sntrup761 (OpenSSH's default) costs 50-65 ms per connect (MEASURED.md)."""
_FAST_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")
"""Offered first: SFTP moves 350-430 MB/s with AES-GCM, ~214 MB/s with aes128-ctr."""
_TRANSIENT_ERRNOS = frozenset(
    {errno.ECONNRESET, errno.ECONNABORTED, errno.EAGAIN, errno.EADDRNOTAVAIL, errno.EINTR}
)
_SLACK = 0.05  # a wait that ended this close to the deadline ended because of it


def connect(
    target: SshTarget, policy: HostKeyPolicy, known_hosts: KnownHosts, deadline: float
) -> paramiko.Transport:
    """An authenticated transport to target, or SshError; `deadline` is a time.monotonic()."""
    sock = _dial(target, deadline)
    transport = paramiko.Transport(sock)
    try:
        _negotiate(transport, target, known_hosts, deadline)
        _check_host_key(transport, target, policy, known_hosts)
        _authenticate(transport, target, deadline)
    except BaseException:
        transport.close()
        raise
    return transport


def _left(deadline: float) -> float:
    return max(0.001, deadline - time.monotonic())


def _timed_out(target: SshTarget) -> SshError:
    return SshError(target, f"timed out after {target.connect_timeout:g} s")


def _dial(target: SshTarget, deadline: float) -> socket.socket:
    try:
        sock = socket.create_connection((target.host, target.port), timeout=_left(deadline))
    except ConnectionRefusedError:
        raise SshError(target, "connection refused") from None
    except TimeoutError:
        raise _timed_out(target) from None
    except socket.gaierror as exc:
        raise SshError(target, f"cannot resolve {target.host}: {exc.strerror}") from None
    except OSError as exc:
        transient = exc.errno in _TRANSIENT_ERRNOS
        raise SshError(target, f"cannot connect: {exc.strerror}", transient=transient) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # 88 ms -> 2 ms per exec
    return sock


def _negotiate(
    transport: paramiko.Transport, target: SshTarget, known_hosts: KnownHosts, deadline: float
) -> None:
    left = _left(deadline)
    transport.banner_timeout = transport.handshake_timeout = transport.auth_timeout = left
    _prefer(transport, known_hosts.key_types(target.host, target.port))
    try:
        transport.start_client(timeout=left)
    except (paramiko.SSHException, EOFError, OSError) as exc:
        if time.monotonic() >= deadline - _SLACK:
            raise _timed_out(target) from None
        if isinstance(exc, paramiko.IncompatiblePeer):
            raise SshError(target, "no key exchange, cipher or host key algorithm in common")
        raise SshError(
            target, "connection closed during the SSH handshake (server busy?)", transient=True
        ) from None
    if not transport.initial_kex_done:
        raise _timed_out(target)


def _prefer(transport: paramiko.Transport, known_key_types: list[str]) -> None:
    # paramiko knows curve25519 only by its libssh.org name; RFC 8731's name is the same
    # algorithm, and some servers offer only that one.
    kex_info = dict(transport._kex_info)
    kex_info.setdefault("curve25519-sha256", KexCurve25519)
    transport._kex_info = kex_info
    options = transport.get_security_options()
    fast = [k for k in _FAST_KEX if KexCurve25519.is_available()]
    options.kex = fast + [k for k in options.kex if k not in fast]
    gcm = [c for c in _FAST_CIPHERS if c in options.ciphers]
    options.ciphers = gcm + [c for c in options.ciphers if c not in gcm]
    if known_key_types:
        known = [k for k in known_key_types if k in options.key_types]
        options.key_types = known + [k for k in options.key_types if k not in known]


def _check_host_key(
    transport: paramiko.Transport,
    target: SshTarget,
    policy: HostKeyPolicy,
    known_hosts: KnownHosts,
) -> None:
    try:
        known_hosts.check(target.host, target.port, transport.get_remote_server_key(), policy)
    except HostKeyError as exc:
        raise SshError(target, str(exc)) from None


def _authenticate(transport: paramiko.Transport, target: SshTarget, deadline: float) -> None:
    """Key first, then password; a refusal of both names the user (and what the server takes)."""
    if target.private_key is None and target.password is None:
        raise SshError(target, f"no private key or password to log in as {target.user}")
    allowed: list[str] = []
    user = target.user
    if target.private_key is not None:
        key = load_private_key(target, target.private_key, target.passphrase)
        if _attempt(target, deadline, allowed, lambda: transport.auth_publickey(user, key)):
            return
    if target.password is not None:
        password = target.password.value
        if _attempt(target, deadline, allowed, lambda: transport.auth_password(user, password)):
            return
    accepts = f" (the server accepts: {', '.join(allowed)})" if allowed else ""
    raise SshError(target, f"authentication failed for user {user}{accepts}")


def _attempt(
    target: SshTarget, deadline: float, allowed: list[str], auth: Callable[[], object]
) -> bool:
    """Run one auth call: True on success, False on a refusal (noting the methods allowed)."""
    try:
        auth()
    except paramiko.BadAuthenticationType as exc:
        allowed[:] = list(exc.allowed_types)
        return False
    except paramiko.AuthenticationException:
        if time.monotonic() >= deadline - _SLACK:
            raise _timed_out(target) from None
        return False
    except (paramiko.SSHException, EOFError, OSError):
        raise SshError(target, "connection lost while logging in", transient=True) from None
    return True


def load_private_key(target: SshTarget, text: Secret, passphrase: Secret | None) -> paramiko.PKey:
    """Any private key paramiko supports: OpenSSH or PEM format; RSA, ECDSA or Ed25519.
    A passphrase given for an unencrypted key is ignored."""
    password = passphrase.value if passphrase else None
    try:
        loaded, password = _load(text.value.encode(), password)
    except TypeError:  # cryptography: encrypted but no passphrase
        raise SshError(target, "private key is encrypted and no passphrase was given") from None
    except Exception:  # cryptography raises ValueError, UnsupportedAlgorithm, ...
        what = "wrong passphrase, or " if password else ""
        raise SshError(target, f"cannot read the private key ({what}not a private key)") from None
    key_class = _key_class(loaded)
    if key_class is None:
        raise SshError(target, "private key type is not supported (use RSA, ECDSA or Ed25519)")
    try:
        return key_class.from_private_key(io.StringIO(text.value), password=password)
    except Exception:
        raise SshError(target, "cannot read the private key") from None


def _load(data: bytes, password: str | None) -> tuple[object, str | None]:
    """The cryptography key object, and the password it needed (None for a plain key)."""
    try:
        return _load_either(data, password.encode() if password else None), password
    except TypeError:
        if password is None:
            raise
        return _load_either(data, None), None  # not encrypted after all


def _load_either(data: bytes, password: bytes | None) -> object:
    try:
        return serialization.load_ssh_private_key(data, password)
    except ValueError:
        return serialization.load_pem_private_key(data, password)


def _key_class(loaded: object) -> Any:
    """The paramiko class for a loaded private key, or None."""
    for crypto_class, key_class in _KEY_CLASSES:
        if isinstance(loaded, crypto_class):
            return key_class
    return None


_KEY_CLASSES: tuple[tuple[type, Any], ...] = (
    (rsa.RSAPrivateKey, paramiko.RSAKey),
    (ec.EllipticCurvePrivateKey, paramiko.ECDSAKey),
    (ed25519.Ed25519PrivateKey, paramiko.Ed25519Key),
)
