"""DRF's list conventions: `offset`/`limit` paging (LimitOffsetPagination) and `ordering`
(OrderingFilter), answered as `{count, next, previous, results}` with absolute URLs.

Unlike DRF, which quietly ignores a bad `limit` or an unknown `ordering` field, a bad value is a
400 naming the parameter: a client learns its page is not the one it asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway import schemas
from gateway.errors import FieldError
from gateway.schemas import Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int
    order_by: list[str]
    """The master's sort keys (`-id`, `created_at`, ...), first first."""


def page_of(request: Request[Any], orderable: Mapping[str, str]) -> Page:
    """The request's page; `orderable` maps an `ordering` field to the master's sort key."""
    query = request.query_params
    limit = _count(query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _count(query.get("offset"), "offset", 0, 0, MAX_OFFSET)
    return Page(offset, limit, _ordering(query.get("ordering", ""), orderable))


def _count(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise FieldError(name, f"must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _ordering(value: str, orderable: Mapping[str, str]) -> list[str]:
    keys: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.removeprefix("-")
        if name not in orderable:
            known = ", ".join(sorted(orderable))
            raise FieldError("ordering", f"unknown field {name!r}; one of: {known}")
        keys.append(("-" if descending else "") + orderable[name])
    return keys


def paged(request: Request[Any], page: Page, count: int, results: Sequence[Any]) -> JSONResponse:
    """`{count, next, previous, results}`; `next`/`previous` are absolute URLs, null at the ends
    (the first page's `previous` drops `offset`, as DRF writes it)."""
    url = request.url
    following = None
    if page.offset + page.limit < count:
        following = str(url.include_query_params(limit=page.limit, offset=page.offset + page.limit))
    before = None
    if page.offset > 0:
        if page.offset - page.limit <= 0:
            before = str(_without(url, "offset").include_query_params(limit=page.limit))
        else:
            before = str(
                url.include_query_params(limit=page.limit, offset=page.offset - page.limit)
            )
    body = {"count": count, "next": following, "previous": before, "results": list(results)}
    return JSONResponse(body)


def _without(url: URL, key: str) -> URL:
    return url.remove_query_params(key)


def list_query(orderable: Mapping[str, str], **filters: Schema) -> dict[str, Schema]:
    """The query a list route describes: paging, ordering, and its filters."""
    fields = ", ".join(sorted(orderable))
    return {
        "offset": schemas.integer(0, MAX_OFFSET, description="rows to skip"),
        "limit": schemas.integer(
            1, MAX_LIMIT, description=f"rows per page (default {DEFAULT_LIMIT})"
        ),
        "ordering": schemas.text(
            description=f"comma list of fields, `-` before one for descending: {fields}"
        ),
        **filters,
    }


def page_schema(row: Schema) -> Schema:
    """The list answer around `row`."""
    nullable_url = {"type": ["string", "null"]}
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": nullable_url,
            "previous": nullable_url,
            "results": {"type": "array", "items": row},
        },
        "required": ["count", "next", "previous", "results"],
    }
