"""GET /slave/:slave/tasklog/:uuid is streamed: a 64 MiB log comes back whole, alone or four at
once, while the gateway's peak memory grows by far less than one log; a master lost midway ends
the answer in valid JSON that says so."""

from __future__ import annotations

import hashlib
import json
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.integration.conftest import Cluster, Gateway
from tests.integration.rest import submit, wait_final

MiB = 1 << 20
# Lines "0000001€€é\n", 16 bytes each (multi-byte characters, so pages split some of them).
LINE_SUFFIX = "€€é\n"
SCRIPT = "seq -f %07.0f 1 {lines} | sed 's/$/€€é/'"
LINES_64_MIB = 64 * MiB // 16
# Before streaming, one read grew the gateway's peak by ~400 MiB and four at once by ~700 MiB.
PEAK_GROWTH_BOUND = 64 * MiB


def expected_log(lines: int) -> bytes:
    return "".join(f"{n:07d}{LINE_SUFFIX}" for n in range(1, lines + 1)).encode()


def log_task(cluster: Cluster, lines: int) -> str:
    uuid = submit(cluster.http, SCRIPT.format(lines=lines), timeout=600)
    task = wait_final(cluster.http, uuid, timeout=180)
    assert task["status"] == "success", task
    assert task["nodes"][0]["logbytes"] == lines * 16
    return uuid


def read_tasklog(gateway: Gateway, uuid: str) -> bytes:
    with gateway.client() as http:
        http.timeout = httpx.Timeout(300)
        reply = http.get(f"/slave/s1/tasklog/{uuid}")
    assert reply.status_code == 200, reply.text[:500]
    return reply.content


def log_digest(body: bytes) -> tuple[int, str]:
    answer: dict[str, Any] = json.loads(body)
    assert answer["stat"] is True, answer.get("info")
    [row] = answer["data"]
    assert (row["node"], row["status"]) == ("s1", "success")
    log = row["log"].encode()
    return len(log), hashlib.sha256(log).hexdigest()


def peak_growth(pid: int, action: Callable[[], Any]) -> tuple[int, Any]:
    """How far the process's peak resident memory rose above its resident memory before."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")  # the peak (VmHWM) starts again from now
    before = status_bytes(pid, "VmRSS")
    result = action()
    return status_bytes(pid, "VmHWM") - before, result


def status_bytes(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith(f"{key}:"))
    return int(line.split()[1]) * 1024


def test_a_64_mib_log_comes_back_whole_in_bounded_gateway_memory(cluster: Cluster) -> None:
    uuid = log_task(cluster, LINES_64_MIB)
    expected = expected_log(LINES_64_MIB)
    whole = (len(expected), hashlib.sha256(expected).hexdigest())
    del expected
    pid = cluster.gateway.proc.popen.pid

    one, body = peak_growth(pid, lambda: read_tasklog(cluster.gateway, uuid))
    assert log_digest(body) == whole
    del body
    with ThreadPoolExecutor(4) as pool:
        four, bodies = peak_growth(
            pid, lambda: list(pool.map(lambda _: read_tasklog(cluster.gateway, uuid), range(4)))
        )
    digests = []
    while bodies:
        digests.append(log_digest(bodies.pop()))

    assert digests == [whole] * 4
    assert one < PEAK_GROWTH_BOUND, f"one read: the gateway's peak grew {one / MiB:.0f} MiB"
    assert four < PEAK_GROWTH_BOUND, f"four reads: the gateway's peak grew {four / MiB:.0f} MiB"


def test_a_master_lost_midway_ends_the_answer_in_valid_json_saying_so(cluster: Cluster) -> None:
    lines = 32 * MiB // 16  # far more than the socket buffers hold between gateway and client
    uuid = log_task(cluster, lines)

    with cluster.gateway.client() as http:
        with http.stream("GET", f"/slave/s1/tasklog/{uuid}") as reply:
            chunks = reply.iter_raw()
            received = [next(chunks)]
            while sum(map(len, received)) < MiB:  # some of the log is through
                received.append(next(chunks))
            cluster.master.proc.popen.send_signal(signal.SIGKILL)
            cluster.master.proc.popen.wait(10)
            received += list(chunks)
            status = reply.status_code

    answer = json.loads(b"".join(received))
    assert status == 200
    assert answer["stat"] is False
    assert answer["info"].startswith("master unavailable: ")
    [row] = answer["data"]
    assert row["node"] == "s1"
    log = row["log"].encode()
    assert 0 < len(log) < lines * 16
    assert expected_log(lines).startswith(log.removesuffix("\ufffd".encode()))
