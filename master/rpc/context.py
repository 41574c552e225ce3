"""What a servicer knows of the call it serves: its context's type, and who makes the call."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any, TypeAlias

import grpc

Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
"""A servicer method's context (grpcio ships no type information: to mypy it is Any)."""


@dataclass(frozen=True)
class Caller:
    """Who makes a call, once its credentials are checked (auth.py)."""

    project_id: int  # a project token's project (0 is the shared project); 0 otherwise
    token_id: int = 0
    slave: str = ""  # a slave's name: it presented its own credential (FileService only)
    admin: bool = False
    """The bootstrap admin token: every project. Said outright, never read from project_id
    (project 0 is a real project, whose tokens are no admins)."""


ADMIN = Caller(0, admin=True)


CALLER: contextvars.ContextVar[Caller] = contextvars.ContextVar("caller")
"""Who makes the call being served (set by the interceptor once its credentials are checked)."""
