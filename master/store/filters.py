"""The filters every catalogue list takes, applied the same way to every table."""

from __future__ import annotations

from typing import Any

from master.db.models import Audited
from master.domain import ListFilter


def audited(query: Any, model: type[Audited], f: ListFilter, name_field: Any) -> Any:
    """Apply name, user and time filters; the caller adds its own."""
    if f.name_contains:
        query = query.where(name_field.contains(f.name_contains))
    if f.create_user:
        query = query.where(model.create_user == f.create_user)
    if f.edit_user:
        query = query.where(model.edit_user == f.edit_user)
    for column, start, end in (
        (model.create_time, f.create_time_start, f.create_time_end),
        (model.edit_time, f.edit_time_start, f.edit_time_end),
    ):
        if start:
            query = query.where(column >= start)
        if end:
            query = query.where(column < end)
    return query


def page(query: Any, f: ListFilter, order: Any) -> tuple[list[Any], int]:
    total = query.count()
    query = query.order_by(order)
    if f.limit:
        query = query.limit(f.limit).offset(f.offset)
    return list(query), total
