"""The runs list's filters, read from the page's query string (so a filtered page can be
bookmarked) into a ListTasksRequest; a bad value is a `BadFilter` naming its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from gateway.ui.words import TASK_STATUS
from jobfleet.v1 import common_pb2, task_pb2

PAGE_SIZE = 50
FIELDS = ("project", "name", "submitter", "status", "from", "to", "page")
STATUS_WORDS = {word: value for value, word in TASK_STATUS.items() if value}
"""The words a status filter may hold (every task status but `unspecified`)."""
TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


class BadFilter(ValueError):
    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}")
        self.field = field


@dataclass(frozen=True)
class RunFilters:
    """The filters as typed (for the form and the links) and as the master takes them."""

    shown: dict[str, str]
    request: task_pb2.ListTasksRequest
    page: int

    def query(self, **changed: str) -> str:
        """The query string of these filters with `changed` ones replaced (empty ones left out)."""
        merged = {**self.shown, **changed}
        return urlencode({k: v for k, v in merged.items() if v})


def _int(params: QueryParams, field: str, least: int) -> int | None:
    text = params.get(field, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < least:
        raise BadFilter(field, f"{text!r} is not a whole number of at least {least}")
    return int(text)


def _time(params: QueryParams, field: str) -> int:
    """Unix seconds of a UTC date or date-and-time; 0 when empty."""
    text = params.get(field, "").strip()
    if not text:
        return 0
    for layout in TIME_FORMATS:
        try:
            return int(datetime.strptime(text, layout).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    raise BadFilter(field, f"{text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)")


def read_filters(params: QueryParams) -> RunFilters:
    """The filters of a runs page's query; BadFilter naming the first bad one."""
    shown = {field: params.get(field, "").strip() for field in FIELDS}
    status = shown["status"]
    if status and status not in STATUS_WORDS:
        raise BadFilter("status", f"unknown {status!r}, expected one of: {', '.join(STATUS_WORDS)}")
    project = _int(params, "project", 0)
    page = _int(params, "page", 1) or 1
    after, before = _time(params, "from"), _time(params, "to")
    if after and before and before < after:
        raise BadFilter("to", "is before `from`")
    ask = task_pb2.ListTasksRequest(
        name_contains=shown["name"],
        submitter=shown["submitter"],
        status=STATUS_WORDS.get(status, common_pb2.TASK_STATUS_UNSPECIFIED),
        started_after_unix=after,
        started_before_unix=before,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    if project is not None:
        ask.project_id = project
    shown["page"] = str(page) if page > 1 else ""
    return RunFilters(shown, ask, page)
