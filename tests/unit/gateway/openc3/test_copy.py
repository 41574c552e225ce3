"""openc3.routes.task plugin_scp: form fields -> SubmitCopyRequest, errors naming the form key."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes.task import submit_copy_request
from jobfleet.v1 import common_pb2, task_pb2

FORM: dict[str, Any] = {
    "name": "ship",
    "user": "deploy",
    "src_type": "builtin",
    "src": "build1",
    "dst_type": "group",
    "dst": "web",
    "sp": "/out/app.tgz",
    "dp": "/srv/",
    "chown": "app:app",
    "chmod": "0644",
    "timeout": "120",
    "variable": '{"version": "1.2"}',
}


def refused(change: dict[str, Any]) -> FieldError:
    with pytest.raises(FieldError) as caught:
        submit_copy_request(1, {**FORM, **change}, "api")
    return caught.value


def test_each_field_is_mapped() -> None:
    assert submit_copy_request(3, FORM, "flow") == task_pb2.SubmitCopyRequest(
        project_id=3,
        name="ship",
        submitter="flow",
        scp=common_pb2.ScpStep(
            user="deploy",
            src=common_pb2.NodeSelector(
                type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="build1"
            ),
            src_path="/out/app.tgz",
            dst=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_GROUP, content="web"),
            dst_path="/srv/",
            chown="app:app",
            chmod="0644",
            timeout_seconds=120,
        ),
        variables={"version": "1.2"},
        call_type="api",
    )


def test_defaults_builtin_nodes_and_60_seconds() -> None:
    form = {"name": "n", "src": "a, b,a", "dst": "c", "sp": "/x", "dp": "/y"}

    ask = submit_copy_request(1, form, "api")

    assert ask.scp.src == common_pb2.NodeSelector(
        type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="a,b"
    )
    assert ask.scp.timeout_seconds == 60
    assert (ask.scp.chown, ask.scp.chmod, ask.scp.user) == ("", "", "")


def test_from_the_file_server_sp_is_the_file_and_src_may_be_empty() -> None:
    ask = submit_copy_request(
        1, {**FORM, "src_type": "fileserver", "src": "", "sp": "app.tgz"}, "api"
    )

    assert ask.scp.src == common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_FILESERVER)
    assert ask.scp.src_path == "app.tgz"


def test_into_the_file_server_as_the_send_file_page_asks() -> None:
    """quickentry/sendfile: `dst` is the machine again and `dp` a directory (the name is sp's)."""
    page = {
        "chmod": "644",
        "chown": "deploy",
        "dp": "/tmp/abc/",
        "dst": "10.0.0.7",
        "dst_type": "fileserver",
        "name": "sendfile_download_/var/log/app.log",
        "sp": "/var/log/app.log",
        "src": "10.0.0.7",
        "src_type": "builtin",
        "timeout": 300,
        "user": "deploy",
    }

    ask = submit_copy_request(1, page, "api")

    assert ask.scp.dst.type == common_pb2.NODE_SELECTOR_TYPE_FILESERVER
    assert (ask.scp.src.content, ask.scp.src_path, ask.scp.dst_path) == (
        "10.0.0.7",
        "/var/log/app.log",
        "/tmp/abc/",
    )


def test_into_the_file_server_dst_may_be_left_out_and_dp_names_the_file() -> None:
    form = {**FORM, "dst_type": "fileserver", "dst": "", "dp": "app-${version}.tgz"}

    ask = submit_copy_request(1, form, "api")

    assert (ask.scp.dst.content, ask.scp.dst_path) == ("", "app-${version}.tgz")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"src": ""}, "src"),
        ({"src_type": "variable", "src": ""}, "src"),
        ({"src_type": "ftp"}, "src_type"),
        ({"dst_type": "builtin", "dst": " , "}, "dst"),
        ({"dst_type": "group", "dst": ""}, "dst"),
        ({"dst_type": "nowhere"}, "dst_type"),
        ({"dst_type": "fileserver", "src_type": "fileserver", "sp": "a"}, "src_type"),
        ({"dst_type": "fileserver", "dp": "dir/app.tgz"}, "dp"),
        ({"dst_type": "fileserver", "dp": "..app"}, "dp"),
        ({"dst_type": "fileserver", "dp": "/tmp/abc/", "sp": "/out/.app"}, "sp"),
        ({"sp": ""}, "sp"),
        ({"dp": ""}, "dp"),
        ({"src_type": "fileserver", "src": "", "sp": "../app.tgz"}, "sp"),
        ({"src_type": "fileserver", "src": "", "sp": "dir/app.tgz"}, "sp"),
        ({"chmod": "rwx"}, "chmod"),
        ({"chmod": "64"}, "chmod"),
        ({"chmod": "06440"}, "chmod"),
        ({"chmod": "0648"}, "chmod"),
        ({"chmod": "777 /etc"}, "chmod"),
        ({"chown": "a b"}, "chown"),
        ({"chown": "-R"}, "chown"),
        ({"chown": "app:-R"}, "chown"),
        ({"chown": ":"}, "chown"),
        ({"chown": "app:app:app"}, "chown"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": "0"}, "timeout"),
        ({"timeout": "86401"}, "timeout"),
        ({"user": "root; rm -rf /"}, "user"),
        ({"variable": "[1]"}, "variable"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    error = refused(change)

    assert error.field == field
    assert error.status == 400


@pytest.mark.parametrize("owner", ["nobody", "app:www", "app:", ":www", "host$:www", "1000:1000"])
def test_chown_takes_what_the_slave_takes(owner: str) -> None:
    assert submit_copy_request(1, {**FORM, "chown": owner}, "api").scp.chown == owner
