"""A copy step's logs: one `file_task_logs` entry per asked host, with a `file_logs` entry per
half of the copy that ran there.

The fetch (the source machine's half) is bk-job's upload, `mode` 0, on the source host; each
place is a download, `mode` 1, on its destination, naming the source as `src_ip`. A copy from
the file server has no upload: the file was uploaded once, before any copy, and no host ran it;
its downloads name the source `{"bk_cloud_id": 0, "ip": ""}` (no host) and `src_path` the stored
file's name. A copy into the file server is its fetch alone.

`log_content` is one line in bk-job's shape, from the copy's own figures:
`[time] FileName: <path> FileSize: <size> State: <state> Speed: <n> KB/s Progress: <p>%
StatusDesc: <state> Detail: <why>`; the time is when the half ended (else started, else when
the step started; UTC), the size what it copied (bk-job's `9.0 Bytes`, `1.5 KB`, ...; `--`
until it succeeded), the speed that size over its run time, rounded up to a whole KB/s.
bk-job's `size`, `speed` and `process` fields say the same beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.bkjob import words
from gateway.bkjob.asked import Host
from gateway.bkjob.views.hosts import host_of
from jobfleet.v1 import common_pb2

FILE_SERVER = Host(0, "")
"""A copy from the file server names this as its source: no host ran the upload."""
UNIT = 1024
UNKNOWN_SIZE = "--"


@dataclass(frozen=True)
class Copy:
    """What every file log of one copy step shares."""

    src_path: str
    dst_path: str
    source: Host
    step_started: Timestamp


def copy_of(step: common_pb2.Subtask, executions: list[common_pb2.Execution]) -> Copy:
    fetch = next((e for e in executions if e.role == "fetch"), None)
    scp = step.step.scp
    source = host_of(fetch) if fetch is not None else FILE_SERVER
    return Copy(scp.src_path, scp.dst_path, source, step.started_at)


def file_task_log(copy: Copy, host: Host, executions: list[common_pb2.Execution]) -> dict[str, Any]:
    logs = [file_log(copy, e) for e in executions if e.role in ("fetch", "place")]
    return {**host.row(), "file_logs": logs}


def file_log(copy: Copy, execution: common_pb2.Execution) -> dict[str, Any]:
    """The upload (a fetch) or download (a place) `execution` is."""
    mode = words.UPLOAD if execution.role == "fetch" else words.DOWNLOAD
    status = words.file_status(mode, execution.status)
    size, speed, progress = figures(execution, status)
    log: dict[str, Any] = {"mode": mode, "src_ip": copy.source.row(), "src_path": copy.src_path}
    if mode == words.DOWNLOAD:
        log.update(dest_ip=host_of(execution).row(), dest_path=copy.dst_path)
    path = copy.src_path if mode == words.UPLOAD else copy.dst_path
    parts = [
        f"FileName: {path}",
        f"FileSize: {size}",
        f"State: {words.STATE[mode, status]}",
        f"Speed: {speed}",
        f"Progress: {progress}",
        f"StatusDesc: {words.STATE[mode, status]}",
    ]
    detail = detail_of(mode, status, execution)
    if detail:
        parts.append(f"Detail: {detail}")
    when = stamp(execution.finished_at, execution.started_at, copy.step_started)
    line = " ".join(parts)
    log.update(status=status, log_content=f"[{when}] {line}" if when else line)
    log.update(size=size, speed=speed, process=progress)
    return log


def figures(execution: common_pb2.Execution, status: int) -> tuple[str, str, str]:
    """(FileSize, Speed, Progress) as bk-job writes them; only a success has moved its bytes."""
    if status != words.SUCCESS:
        return UNKNOWN_SIZE, "0 KB/s", "0%"
    took = seconds(execution.started_at, execution.finished_at)
    kb_per_s = math.ceil(execution.copied_bytes / UNIT / max(took, 0.001))
    return readable(execution.copied_bytes), f"{kb_per_s:,} KB/s", "100%"


def detail_of(mode: int, status: int, execution: common_pb2.Execution) -> str:
    if status == words.SUCCESS:
        return words.SUCCESS_DETAIL[mode]
    if status == words.FAIL:
        return execution.reason or words.ENDED_WORD.get(execution.status, "fail")
    return ""


def readable(size: int) -> str:
    """bk-job's `GseUtils.tranByteReadable`: `9.0 Bytes`, `1.5 KB`, `2.0 MB`, `1.001 GB`
    (each unit rounded to three decimals before the next)."""
    value = float(size)
    for unit in ("Bytes", "KB", "MB"):
        if value < UNIT:
            return f"{value!r} {unit}"
        value = _next_unit(value)
    return f"{value!r} GB"


def _next_unit(value: float) -> float:
    """Java's `Math.round(size / 1024 * 1000) / 1000`: half up, not half to even."""
    return math.floor(value / UNIT * 1000 + 0.5) / 1000


def is_set(ts: Timestamp) -> bool:
    return bool(ts.seconds or ts.nanos)


def seconds(start: Timestamp, end: Timestamp) -> float:
    if not (is_set(start) and is_set(end)):
        return 0.0
    nanoseconds: int = end.ToNanoseconds() - start.ToNanoseconds()
    return nanoseconds / 1e9


def stamp(*times: Timestamp) -> str:
    """The first set of `times` as bk-job writes a log time (`2021-06-28 11:32:16`, UTC)."""
    for ts in times:
        if is_set(ts):
            when: dt.datetime = ts.ToDatetime(tzinfo=dt.UTC)
            return when.strftime("%Y-%m-%d %H:%M:%S")
    return ""
