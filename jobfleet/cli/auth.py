"""A blocking channel (plaintext or TLS) whose every call carries a token (`authorization:
Token <t>` metadata), for the Control services of a master (TaskService, CatalogService,
CrontabService, TokenService)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import grpc

from jobfleet.tls import ClientTls, blocking_channel

TOKEN_ENV = "JOBFLEET_TOKEN"


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Token {token}"),)


class _WithToken(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    def __init__(self, token: str) -> None:
        self._metadata = metadata(token)

    def _details(self, details: Any) -> Any:
        return details._replace(metadata=(*(details.metadata or ()), *self._metadata))

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)


def token_channel(
    target: str,
    token: str | None = None,
    tls: ClientTls | None = None,
    options: Sequence[tuple[str, str]] = (),
) -> grpc.Channel:
    """A channel to `target` (plaintext, or TLS with `tls`; with `options`, e.g. several
    masters' failover) sending `token` (default: $JOBFLEET_TOKEN) on every call. The token is
    metadata added by an interceptor, not call credentials, which grpc sends over TLS channels
    only: it works on both."""
    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    channel = blocking_channel(target, tls, options)
    return grpc.intercept_channel(channel, _WithToken(token)) if token else channel


def local_admin_token() -> str:
    """For scripts that start their own master: $JOBFLEET_ADMIN_TOKEN (made if unset), which
    masters they spawn inherit; it also becomes $JOBFLEET_TOKEN (`token_channel`'s default) and
    the `Authorization` header of every urllib request of this process."""
    import secrets
    import urllib.request

    token = os.environ.get("JOBFLEET_ADMIN_TOKEN", "").strip() or secrets.token_urlsafe(32)
    os.environ["JOBFLEET_ADMIN_TOKEN"] = os.environ[TOKEN_ENV] = token
    opener = urllib.request.build_opener()
    opener.addheaders = [("Authorization", f"Token {token}")]
    urllib.request.install_opener(opener)
    return token
