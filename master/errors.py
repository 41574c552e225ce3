"""Domain errors. Each carries its gRPC status code (as HTTPException carries a status code) and
the request field it is about, so one decorator maps them at the boundary (master/rpc/errors.py:
@unary and @streaming wrap every servicer method)."""

from __future__ import annotations

import grpc


class JobfleetError(Exception):
    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class InvalidArgument(JobfleetError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(JobfleetError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(JobfleetError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(JobfleetError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDenied(JobfleetError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(JobfleetError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(JobfleetError):
    code = grpc.StatusCode.UNAVAILABLE


class Unauthenticated(JobfleetError):
    code = grpc.StatusCode.UNAUTHENTICATED
