"""bk-job's log answer from a task: which executions are on each asked host, a command step's
logs, a copy step's upload and download lines with their real figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from gateway.bkjob import words
from gateway.bkjob.asked import Host
from gateway.bkjob.views import files, hosts, scripts
from gateway.errors import FieldError
from jobfleet.v1 import common_pb2

E = common_pb2
START = dt.datetime(2021, 6, 28, 11, 32, 15, tzinfo=dt.UTC)


def at(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(START + dt.timedelta(seconds=seconds))
    return stamp


def run(node: str, ip: str, cloud_id: int = 0, **fields: Any) -> common_pb2.Execution:
    return common_pb2.Execution(node=node, ip=ip, cloud_id=cloud_id, subtask_uuid="S1", **fields)


def step(*nodes: str, scp: bool = False) -> common_pb2.Subtask:
    if scp:
        kind = common_pb2.Step(
            scp=common_pb2.ScpStep(src_path="/data/1.log", dst_path="/tmp/1.log")
        )
    else:
        kind = common_pb2.Step(cmd=common_pb2.CmdStep(script="uptime"))
    return common_pb2.Subtask(id=200, uuid="S1", nodes=list(nodes), step=kind, started_at=at(0))


# --- hosts


def test_a_step_not_in_the_instance_is_404_naming_step_instance_id() -> None:
    task = common_pb2.Task(id=100, subtasks=[step("web1")])

    assert hosts.step_of(task, 200).uuid == "S1"
    with pytest.raises(FieldError) as refused:
        hosts.step_of(task, 201)
    assert (refused.value.field, refused.value.status) == ("step_instance_id", 404)
    assert "job instance 100 has no step instance 201" in refused.value.message


def test_each_host_gets_the_executions_recorded_on_it() -> None:
    web1, db9 = run("web1", "127.0.0.1"), run("db9", "127.0.0.1", 7)
    asked = [Host(7, "127.0.0.1"), Host(0, "127.0.0.1")]

    found = hosts.on_hosts(asked, step("web1", "db9"), [web1, db9])

    assert found == {Host(7, "127.0.0.1"): [db9], Host(0, "127.0.0.1"): [web1]}


def test_a_host_the_step_did_not_run_on_is_404_naming_its_place_in_ip_list() -> None:
    executions = [run("web1", "10.0.0.1")]

    with pytest.raises(FieldError) as refused:
        hosts.on_hosts([Host(0, "10.0.0.1"), Host(3, "10.0.0.1")], step("web1"), executions)

    assert (refused.value.field, refused.value.status) == ("ip_list[1]", 404)
    assert "host 3:10.0.0.1 ran nothing in step instance 200" in refused.value.message


def test_while_a_copys_destinations_wait_for_its_source_an_unknown_host_has_no_log_yet() -> None:
    fetch = run("db1", "10.0.0.1", role="fetch")

    copying = step("web1", scp=True)

    found = hosts.on_hosts([Host(0, "10.0.0.2")], copying, [fetch])

    assert found == {Host(0, "10.0.0.2"): []}
    copying.status = E.SUBTASK_STATUS_FAIL  # the fetch failed: no destination will run
    with pytest.raises(FieldError) as refused:
        hosts.on_hosts([Host(0, "10.0.0.2")], copying, [fetch])
    assert refused.value.field == "ip_list[0]"


# --- command logs


def test_a_log_is_its_output_as_text_cut_with_a_line_saying_so() -> None:
    assert scripts.shown(b"hello\n", 6, 1024) == "hello\n"
    assert scripts.shown("é\n".encode(), 3, 1024) == "é\n"
    assert scripts.shown(b"0123456789", 10, 4) == "0123\n[jobfleet: log cut at 4 of 10 bytes]\n"
    assert scripts.read_cap(1) == 1 << 20
    assert scripts.read_cap(500) == (32 << 20) // 500
    entry = scripts.script_log(Host(7, "127.0.0.1"), ["a\n", "b\n"])
    assert entry == {"bk_cloud_id": 7, "ip": "127.0.0.1", "log_content": "a\nb\n"}


# --- copy logs


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0.0 Bytes"),
        (9, "9.0 Bytes"),
        (1023, "1023.0 Bytes"),
        (1536, "1.5 KB"),
        (1024 * 1024, "1.0 MB"),
        (1_234_567, "1.177 MB"),
        (3 * 1024**3, "3.0 GB"),
    ],
)
def test_sizes_read_as_bk_job_writes_them(size: int, shown: str) -> None:
    assert files.readable(size) == shown


def copy_step_executions() -> list[common_pb2.Execution]:
    done = {"started_at": at(0), "finished_at": at(1)}
    return [
        run("db1", "10.0.0.2", role="fetch", status=E.EXECUTION_STATUS_SUCCESS,
            copied_bytes=9, **done),
        run("web1", "10.0.0.1", role="place", status=E.EXECUTION_STATUS_SUCCESS,
            copied_bytes=2048, **done),
        run("web2", "10.0.0.3", role="place", status=E.EXECUTION_STATUS_RUNNING,
            started_at=at(0)),
        run("web3", "10.0.0.4", role="place", status=E.EXECUTION_STATUS_TIMEOUT, **done),
        run("web4", "10.0.0.5", role="place", status=E.EXECUTION_STATUS_FAIL,
            reason="no space left on device", **done),
        run("web5", "10.0.0.6", role="place", status=E.EXECUTION_STATUS_PENDING),
    ]  # fmt: skip


def test_the_source_host_shows_its_upload_with_the_real_figures() -> None:
    executions = copy_step_executions()
    copy = files.copy_of(step("web1", scp=True), executions)

    entry = files.file_task_log(copy, Host(0, "10.0.0.2"), executions[:1])

    assert entry == {
        "bk_cloud_id": 0,
        "ip": "10.0.0.2",
        "file_logs": [
            {
                "mode": 0,
                "src_ip": {"bk_cloud_id": 0, "ip": "10.0.0.2"},
                "src_path": "/data/1.log",
                "status": 4,
                "log_content": "[2021-06-28 11:32:16] FileName: /data/1.log FileSize: 9.0 Bytes "
                "State: source agent success upload file Speed: 1 KB/s Progress: 100% "
                "StatusDesc: source agent success upload file Detail: success upload",
                "size": "9.0 Bytes",
                "speed": "1 KB/s",
                "process": "100%",
            }
        ],
    }


def test_each_destination_shows_its_download_from_the_source() -> None:
    executions = copy_step_executions()
    copy = files.copy_of(step("web1", scp=True), executions)

    logs = [files.file_log(copy, e) for e in executions[1:]]

    assert [(log["mode"], log["status"]) for log in logs] == [
        (1, words.SUCCESS),
        (1, words.DOWNLOADING),
        (1, words.FAIL),
        (1, words.FAIL),
        (1, words.WAITING),
    ]
    assert logs[0]["src_ip"] == {"bk_cloud_id": 0, "ip": "10.0.0.2"}
    assert (logs[0]["dest_ip"], logs[0]["dest_path"]) == (
        {"bk_cloud_id": 0, "ip": "10.0.0.1"},
        "/tmp/1.log",
    )
    assert logs[0]["log_content"] == (
        "[2021-06-28 11:32:16] FileName: /tmp/1.log FileSize: 2.0 KB State: dest agent success "
        "download file Speed: 2 KB/s Progress: 100% StatusDesc: dest agent success download "
        "file Detail: success"
    )
    assert logs[1]["log_content"].startswith("[2021-06-28 11:32:15] FileName: /tmp/1.log ")
    assert (
        "FileSize: -- State: dest agent downloading file Speed: 0 KB/s Progress: 0%"
        in (logs[1]["log_content"])
    )
    assert logs[2]["log_content"].endswith("download file failed Detail: timeout")
    assert logs[3]["log_content"].endswith("Detail: no space left on device")
    assert logs[4]["log_content"].startswith("[2021-06-28 11:32:15] FileName: /tmp/1.log ")
    assert "State: waiting" in logs[4]["log_content"] and "Detail" not in logs[4]["log_content"]


def test_a_copy_from_the_file_server_has_no_upload_and_names_no_source_host() -> None:
    place = run("web1", "10.0.0.1", role="place", status=E.EXECUTION_STATUS_PENDING)
    copy = files.copy_of(step("web1", scp=True), [place])

    [log] = files.file_task_log(copy, Host(0, "10.0.0.1"), [place])["file_logs"]

    assert (log["mode"], log["src_ip"], log["src_path"]) == (
        1,
        {"bk_cloud_id": 0, "ip": ""},
        "/data/1.log",
    )
