"""cloud-act2's paging: `pageNo` (from 1) and `pageSize`, answered as `{list, pageCount, pageNo,
pageSize, totalCount}` (`service/common/pagination.go`).

As cloud-act2's handler reads them, 0 means the default (page 1, 10 a page); absent or empty
does too (cloud-act2 refuses those as `pageNo is not int`, its document calls them optional).
Unlike cloud-act2, which passes any integer to its SQL (a negative one fails there), a value out
of bounds is a 400 naming the parameter. `pageSize` is at most 100: each record of a page costs
the gateway a call on the master, and its output is streamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from gateway import forms, schemas
from gateway.schemas import Schema

DEFAULT_SIZE = 10
MAX_SIZE = 100
MAX_PAGE = 2**31 - 1
INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows before the page, within what the master's list takes (a page past that is past
        the end of any list)."""
        return min((self.number - 1) * self.size, INT32_MAX)


def page_of(request: Request[Any]) -> Page:
    query = request.query_params
    number = forms.integer(query, "pageNo", default=0, low=0, high=MAX_PAGE)
    size = forms.integer(query, "pageSize", default=0, low=0, high=MAX_SIZE)
    return Page(number or 1, size or DEFAULT_SIZE)


def page_count(total: int, size: int) -> int:
    """Pages of `size` that hold `total` records (cloud-act2's GetPageCount)."""
    return -(-total // size)


def paging(page: Page, total: int) -> dict[str, int]:
    """The page's numbers, next to its `list`."""
    return {
        "pageCount": page_count(total, page.size),
        "pageNo": page.number,
        "pageSize": page.size,
        "totalCount": total,
    }


QUERY: dict[str, Schema] = {
    "pageNo": schemas.integer(0, MAX_PAGE, description="the page, from 1 (0 or absent: 1)"),
    "pageSize": schemas.integer(
        0, MAX_SIZE, description=f"records a page (0 or absent: {DEFAULT_SIZE})"
    ),
}
