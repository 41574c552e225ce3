"""cloudact2.paging and its dialect: cloud-act2's page arithmetic and defaults; refusals in its
envelope with their true status, naming the parameter."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request

from gateway.cloudact2 import names, paging
from gateway.errors import Failure, FieldError


def request(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode(), "headers": []})


@pytest.mark.parametrize(
    ("query", "number", "size"),
    [("", 1, 10), ("pageNo=0&pageSize=0", 1, 10), ("pageNo=3&pageSize=100", 3, 100)],
)
def test_defaults_as_cloud_act2_reads_them(query: str, number: int, size: int) -> None:
    assert paging.page_of(request(query)) == paging.Page(number, size)


@pytest.mark.parametrize(
    ("query", "name"),
    [("pageNo=x", "pageNo"), ("pageNo=-1", "pageNo"), ("pageSize=101", "pageSize")],
)
def test_a_bad_value_names_the_parameter(query: str, name: str) -> None:
    with pytest.raises(FieldError) as refused:
        paging.page_of(request(query))

    assert refused.value.field == name


def test_page_count_and_offset() -> None:
    assert [paging.page_count(total, 2) for total in (0, 1, 2, 5)] == [0, 1, 1, 3]
    assert paging.Page(3, 2).offset == 4
    assert paging.Page(2**31 - 1, 100).offset == 2**31 - 1  # past any list's end


def test_a_refusal_is_cloud_act2s_error_body_with_its_true_status() -> None:
    answer = names.render_failure(Failure(404, "task x not found", names.field_name("uuid")))

    assert answer.status_code == 404
    assert answer.headers["X-Jobfleet-Status"] == "404"
    body = json.loads(bytes(answer.body))
    assert body == {"status": "error", "message": "id: task x not found", "content": None}
