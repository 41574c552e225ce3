"""bk-job's numbers and words for what its log answer shows: the log type, a file log's mode,
its status 1-5 (the agreed words: 1 waiting, 2 uploading, 3 downloading, 4 success, 5 fail) and
the `State` text of its log line, by the execution's status.

A fetch (a copy's source) is bk-job's upload, a place (a destination) its download. An execution
not started (pending, queued) is waiting; a running one uploads or downloads; every end but
success (fail, timeout, killed, lost) is fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from jobfleet.v1 import common_pb2

E = common_pb2

SCRIPT_LOG, FILE_LOG = 1, 2
"""`log_type`: a command step's logs, a copy step's."""
UPLOAD, DOWNLOAD = 0, 1
"""A file log's `mode`."""
WAITING, UPLOADING, DOWNLOADING, SUCCESS, FAIL = 1, 2, 3, 4, 5
"""A file log's `status`."""

_ENDED = {
    E.EXECUTION_STATUS_SUCCESS: SUCCESS,
    E.EXECUTION_STATUS_FAIL: FAIL,
    E.EXECUTION_STATUS_TIMEOUT: FAIL,
    E.EXECUTION_STATUS_KILLED: FAIL,
    E.EXECUTION_STATUS_LOST: FAIL,
}
FILE_STATUS: Mapping[int, Mapping[common_pb2.ExecutionStatus, int]] = {
    UPLOAD: {E.EXECUTION_STATUS_RUNNING: UPLOADING, **_ENDED},
    DOWNLOAD: {E.EXECUTION_STATUS_RUNNING: DOWNLOADING, **_ENDED},
}
"""mode -> execution status -> file status; any other status (pending, queued) is WAITING."""

STATE: Mapping[tuple[int, int], str] = {
    (UPLOAD, WAITING): "waiting",
    (UPLOAD, UPLOADING): "source agent uploading file",
    (UPLOAD, SUCCESS): "source agent success upload file",
    (UPLOAD, FAIL): "source agent upload file failed",
    (DOWNLOAD, WAITING): "waiting",
    (DOWNLOAD, DOWNLOADING): "dest agent downloading file",
    (DOWNLOAD, SUCCESS): "dest agent success download file",
    (DOWNLOAD, FAIL): "dest agent download file failed",
}
"""(mode, file status) -> the `State` and `StatusDesc` of its log line, in bk-job's words."""

SUCCESS_DETAIL: Mapping[int, str] = {UPLOAD: "success upload", DOWNLOAD: "success"}

ENDED_WORD: Mapping[common_pb2.ExecutionStatus, str] = {
    E.EXECUTION_STATUS_FAIL: "fail",
    E.EXECUTION_STATUS_TIMEOUT: "timeout",
    E.EXECUTION_STATUS_KILLED: "killed",
    E.EXECUTION_STATUS_LOST: "lost",
}
"""A failed half's `Detail` when it has no reason of its own."""


def file_status(mode: int, status: common_pb2.ExecutionStatus) -> int:
    return FILE_STATUS[mode].get(status, WAITING)
