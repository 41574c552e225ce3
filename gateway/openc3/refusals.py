"""The master's refusals as a handler that makes several calls reads them: which field a refusal
names, and a call's failures under the names this route gives the proto fields.

A route that copies a job asks the master about two jobs, and both calls name a proto field
`name`: a client must read `fromname` for the one and `toname` for the other, which the route's
dialect (`names.ROUTE_FIELD_NAMES`, one name per field) cannot say.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import grpc

from gateway.errors import FIELD_METADATA, FieldError, rpc_failure
from gateway.openc3 import names


def names_missing(exc: grpc.aio.AioRpcError, field: str) -> bool:
    """The refusal is NOT_FOUND about the proto field `field`."""
    if exc.code() != grpc.StatusCode.NOT_FOUND:
        return False
    return any(k == FIELD_METADATA and v == field for k, v in exc.trailing_metadata() or ())


@contextmanager
def renamed(route: str, **keys: str) -> Iterator[None]:
    """Master refusals inside become FieldErrors naming `keys[field]` (else the route's name)."""
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        failure = rpc_failure(exc, lambda f: keys.get(f) or names.field_name(f, route))
        raise FieldError(failure.field, failure.message, failure.status) from exc
