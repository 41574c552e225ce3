"""The masters list (`--master a:7070,b:7070`) as the slaves and the gateway read it."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from jobfleet.masters import (
    FAILOVER_SERVICE_CONFIG,
    Rotation,
    channel_target,
    failover_options,
    parse_masters,
    start_index,
)


def test_a_list_keeps_its_order_and_each_master_once() -> None:
    raw = " a:7070, b:7071 ,a:7070,[::1]:7072"
    assert parse_masters(raw) == ("a:7070", "b:7071", "[::1]:7072")
    assert parse_masters("m:1") == ("m:1",)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("", "is not HOST:PORT"),
        ("a:7070,", "has an empty entry"),
        ("a:7070,,b:7070", "has an empty entry"),
        ("a:7070,b", "'b' is not HOST:PORT"),
        ("a:7070,b:0", "'b:0' is not HOST:PORT"),
        ("a:99999", "'a:99999' is not HOST:PORT"),
        ("::1:7070", "[brackets]"),
    ],
)
def test_a_bad_entry_is_named(raw: str, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_masters(raw)


def test_a_fleet_spreads_over_the_masters_and_each_slave_starts_where_it_started() -> None:
    starts = Counter(start_index(f"web{i:03d}", 3) for i in range(300))
    assert set(starts) == {0, 1, 2}
    assert min(starts.values()) > 60  # about 100 each
    assert start_index("web001", 3) == start_index("web001", 3)


def test_rotation_moves_on_at_each_failure_and_says_when_all_failed() -> None:
    rotation = Rotation(("a:1", "b:1", "c:1"), "web1")
    first = rotation.current
    order = [first]
    rounds = []
    for _ in range(6):
        rounds.append(rotation.failed())
        order.append(rotation.current)
    assert rounds == [False, False, True, False, False, True]
    assert sorted(order[:3]) == ["a:1", "b:1", "c:1"]
    assert order[3] == first
    rotation.failed()
    rotation.succeeded()  # attached: a new round starts
    assert [rotation.failed(), rotation.failed(), rotation.failed()] == [False, False, True]


def test_a_single_master_backs_off_after_every_failure() -> None:
    rotation = Rotation(("a:1",), "web1")
    assert [rotation.failed(), rotation.failed()] == [True, True]
    assert rotation.current == "a:1"


def test_one_master_is_dialled_as_given_several_as_one_address_list() -> None:
    assert channel_target(["m.example:7070"]) == "m.example:7070"
    assert failover_options(["m.example:7070"]) == []
    assert channel_target(["127.0.0.1:7071", "localhost:7072"]) == (
        "ipv4:127.0.0.1:7071,127.0.0.1:7072"
    )
    assert channel_target(["[::1]:7071", "[::1]:7072"]) == "ipv6:[::1]:7071,[::1]:7072"
    options = dict(failover_options(["a:1", "b:2"]))
    assert options["grpc.default_authority"] == "a:1"
    policy = json.loads(FAILOVER_SERVICE_CONFIG)["methodConfig"][0]["retryPolicy"]
    assert policy["retryableStatusCodes"] == ["UNAVAILABLE"]
