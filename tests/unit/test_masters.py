"""The masters list (`--master a:7070,b:7070`) as the slaves and the gateway read it."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import grpc
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


def test_an_unavailable_read_is_retried_and_a_submit_is_not() -> None:
    """grpc takes the policy: a read cut by UNAVAILABLE is tried again (on the channel's next
    pick), a submit is not (it may have been done: doing it again would run a command twice)."""
    calls: Counter[str] = Counter()

    def unavailable(name: str) -> grpc.RpcMethodHandler:
        async def handle(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
            calls[name] += 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "master going away")
            return b""

        return grpc.unary_unary_rpc_method_handler(handle)

    async def scenario() -> None:
        server = grpc.aio.server()
        methods = {name: unavailable(name) for name in ("GetTask", "SubmitCommand")}
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("jobfleet.v1.TaskService", methods),)
        )
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            masters = [f"127.0.0.1:{port}", f"localhost:{port}"]
            options = failover_options(masters)
            async with grpc.aio.insecure_channel(channel_target(masters), options) as channel:
                for name in methods:
                    call = channel.unary_unary(f"/jobfleet.v1.TaskService/{name}")
                    with pytest.raises(grpc.aio.AioRpcError) as caught:
                        await call(b"", timeout=10)
                    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        finally:
            await server.stop(0)

    asyncio.run(scenario())
    assert calls == {"GetTask": 4, "SubmitCommand": 1}


def test_a_name_that_does_not_resolve_is_left_out_unless_it_is_all_there_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    masters = ["nosuch.invalid:7070", "127.0.0.1:7071"]
    assert channel_target(masters) == "ipv4:127.0.0.1:7071"
    assert "master nosuch.invalid:7070 left out" in caplog.text
    with pytest.raises(OSError, match="none of"):
        channel_target(["nosuch.invalid:7070", "nosuch2.invalid:7070"])
