"""The console's runs filters (read from the URL's query) and the run page's stream events."""

from __future__ import annotations

import json

import pytest
from starlette.datastructures import QueryParams

from gateway.ui.durations import spoken
from gateway.ui.pages.runevents import Decoders, sse, task_event
from gateway.ui.pages.runfilters import PAGE_SIZE, BadFilter, read_filters
from jobfleet.v1 import common_pb2


def test_filters_become_the_list_request_and_links_keep_them() -> None:
    query = (
        "project=2&name=web&submitter=ann&status=fail&from=2026-12-01&to=2026-12-02T10:30&page=3"
    )
    filters = read_filters(QueryParams(query))

    ask = filters.request
    assert (ask.project_id, ask.name_contains, ask.submitter) == (2, "web", "ann")
    assert ask.status == common_pb2.TASK_STATUS_FAIL
    assert (ask.started_after_unix, ask.started_before_unix) == (1796083200, 1796207400)
    assert (ask.limit, ask.offset) == (PAGE_SIZE, 2 * PAGE_SIZE)
    assert filters.query(page="4") == query.replace("page=3", "page=4").replace(":", "%3A")


def test_no_filters_ask_for_the_first_page_of_every_run() -> None:
    filters = read_filters(QueryParams(""))
    assert not filters.request.HasField("project_id")
    assert (filters.request.offset, filters.query()) == (0, "")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=sideways", "status"),
        ("status=unspecified", "status"),
        ("project=-1", "project"),
        ("project=x", "project"),
        ("page=0", "page"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(query: str, field: str) -> None:
    with pytest.raises(BadFilter) as bad:
        read_filters(QueryParams(query))
    assert bad.value.field == field
    assert str(bad.value).startswith(f"{field}: ")


def test_output_split_inside_a_character_comes_out_whole_per_stream() -> None:
    decoders = Decoders()
    snow = "☃".encode()
    assert decoders.text(1, False, b"a" + snow[:1]) == "a"
    assert decoders.text(1, True, b"err") == "err"  # the other stream keeps its own state
    assert decoders.text(1, False, snow[1:]) == "☃"
    assert decoders.text(2, False, b"\xff") == "\ufffd"


def test_a_task_event_says_its_steps_and_whether_it_is_final() -> None:
    task = common_pb2.Task(status=common_pb2.TASK_STATUS_DECISION, reason="s1: exit 3")
    task.subtasks.add(uuid="a", status=common_pb2.SUBTASK_STATUS_DECISION)
    event = task_event(task)
    assert event == {
        "status": "decision",
        "reason": "s1: exit 3",
        "final": False,
        "steps": {"a": "decision"},
        "finished": "",
        "started": "",
        "duration": "",
    }
    frame = sse("task", event).decode()
    assert frame.startswith("event: task\ndata: ") and frame.endswith("\n\n")
    assert json.loads(frame.split("data: ", 1)[1]) == event


def test_a_finished_task_event_says_how_long_it_ran() -> None:
    task = common_pb2.Task(status=common_pb2.TASK_STATUS_SUCCESS)
    task.started_at.FromSeconds(1_800_000_000)
    task.finished_at.FromSeconds(1_800_000_000 + 3 * 60 + 5)
    event = task_event(task)
    assert (event["started"], event["duration"]) == ("1800000000", "3 min 05 s")


def test_durations_are_spoken_in_their_two_largest_units() -> None:
    assert [spoken(s) for s in (0, 42.9, 65, 3600 * 2 + 185)] == [
        "0 s",
        "42 s",
        "1 min 05 s",
        "2 h 03 min",
    ]
