"""Project tokens, kept as their sha256; the plain token exists only in the create answer."""

from __future__ import annotations

import re
import secrets
import string

import peewee as pw

from master.db.connection import write_transaction
from master.db.models import Token, utcnow
from master.domain import ListFilter
from master.errors import AlreadyExists, InvalidArgument, NotFound
from master.secrets import digest
from master.store.filters import audited, page

TOKEN_FORMAT = re.compile(r"[A-Za-z0-9]{32}")
ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 32  # OpenC3's project tokens: 32 letters and digits (~190 bits when made here)
MAX_DESCRIBE = 1000


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def create(
    project_id: int, token: str, describe: str, actor: str, job_name: str = ""
) -> tuple[Token, str]:
    """(row, plain token); a given token must be 32 letters and digits, else one is made.
    `job_name` set: an upload with the token then runs that job (the caller checked it)."""
    token = token.strip() or new_token()
    if not TOKEN_FORMAT.fullmatch(token):
        raise InvalidArgument("must be 32 letters and digits", "token")
    if len(describe) > MAX_DESCRIBE:
        raise InvalidArgument(f"at most {MAX_DESCRIBE} characters", "describe")
    now = utcnow()
    try:
        with write_transaction():
            row: Token = Token.create(
                project=project_id,
                digest=digest(token),
                describe=describe,
                run_job=bool(job_name),
                job_name=job_name,
                create_user=actor,
                edit_user=actor,
                create_time=now,
                edit_time=now,
            )
    except pw.IntegrityError as exc:
        raise AlreadyExists("this token exists already", "token") from exc
    return row, token


def search(project_id: int, f: ListFilter, token: str = "") -> tuple[list[Token], int]:
    query = Token.select().where(Token.project == project_id)
    if token:
        query = query.where(Token.digest == digest(token.strip()))
    return page(audited(query, Token, f, Token.describe), f, Token.id)


def by_digest(hashed: str) -> Token | None:
    """The row of a presented token, by its digest, if any."""
    row: Token | None = Token.get_or_none(Token.digest == hashed)
    return row


def delete(project_id: int, token_id: int) -> None:
    deleted = Token.delete().where((Token.project == project_id) & (Token.id == token_id)).execute()
    if not deleted:
        raise NotFound(f"token {token_id} not found in project {project_id}", "id")
