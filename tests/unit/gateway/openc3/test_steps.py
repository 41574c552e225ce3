"""steps: a job's `data` array -> proto Steps; every error names `data[i].<key>`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes.task import submit_command_request
from gateway.openc3.steps import parse_steps
from jobfleet.v1 import common_pb2

CMD: dict[str, Any] = {
    "plugin_type": "cmd",
    "name": "build",
    "user": "deploy",
    "node_type": "builtin",
    "node_cont": "n1, n2,n1",
    "scripts_type": "python",
    "scripts_cont": "print(1)\n",
    "scripts_argv": "-v 'a b'",
    "timeout": "30",
    "pause": "check the build",
}
SCP: dict[str, Any] = {
    "plugin_type": "scp",
    "name": "ship",
    "user": "deploy",
    "src_type": "group",
    "src": "builders",
    "dst_type": "variable",
    "dst": "targets",
    "sp": "/out/app.tgz",
    "dp": "/srv/",
    "chown": "app:app",
    "chmod": "0644",
    "timeout": 120,
}


def refused(data: Any) -> FieldError:
    with pytest.raises(FieldError) as caught:
        parse_steps({"data": data})
    return caught.value


def test_cmd_step_maps_each_key() -> None:
    [step] = parse_steps({"data": [CMD]})

    assert step.name == "build"
    assert step.pause == "check the build"
    assert step.WhichOneof("kind") == "cmd"
    assert step.cmd == common_pb2.CmdStep(
        user="deploy",
        nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n1,n2"),
        script_type=common_pb2.SCRIPT_TYPE_PYTHON,
        script="print(1)\n",
        args="-v 'a b'",
        timeout_seconds=30,
    )


def test_scp_step_maps_each_key() -> None:
    [step] = parse_steps({"data": [SCP]})

    assert step.scp == common_pb2.ScpStep(
        user="deploy",
        src=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_GROUP, content="builders"),
        src_path="/out/app.tgz",
        dst=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_VARIABLE, content="targets"),
        dst_path="/srv/",
        chown="app:app",
        chmod="0644",
        timeout_seconds=120,
    )


def test_defaults_and_a_form_posted_json_string() -> None:
    minimal = {"plugin_type": "cmd", "name": "x", "node_cont": "n1", "scripts_cont": "true"}

    [step] = parse_steps({"data": json.dumps([minimal])})

    assert step.cmd.script_type == common_pb2.SCRIPT_TYPE_SHELL
    assert step.cmd.timeout_seconds == 60
    assert step.cmd.nodes.type == common_pb2.NODE_SELECTOR_TYPE_BUILTIN
    assert step.pause == "" and step.uuid == ""


def test_a_step_uuid_posted_back_is_kept_and_argv_lists_are_joined() -> None:
    [step] = parse_steps({"data": [{**CMD, "uuid": "s1", "scripts_argv": ["a b", "c"]}]})

    assert step.uuid == "s1"
    assert step.cmd.args == "'a b' c"


def test_fileserver_source_needs_no_content() -> None:
    [step] = parse_steps({"data": [{**SCP, "src_type": "fileserver", "src": "", "sp": "a.tgz"}]})

    assert step.scp.src.type == common_pb2.NODE_SELECTOR_TYPE_FILESERVER


@pytest.mark.parametrize("cont", [7, "7"])
def test_a_cite_step_names_its_stored_script_by_id(cont: int | str) -> None:
    [step] = parse_steps({"data": [{**CMD, "scripts_type": "cite", "scripts_cont": cont}]})

    assert (step.cmd.script_id, step.cmd.script, step.cmd.script_type) == (7, "", 0)


def test_an_scp_step_may_copy_into_the_file_server() -> None:
    into = {**SCP, "src_type": "builtin", "src": "build1", "dst_type": "fileserver", "dst": ""}

    [step] = parse_steps({"data": [{**into, "dp": "app.tgz"}]})

    assert step.scp.dst == common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_FILESERVER)
    assert step.scp.dst_path == "app.tgz"


@pytest.mark.parametrize("sp", ["../etc/passwd", "dir/app.tgz", ".hidden", "a\\b"])
def test_a_fileserver_source_path_is_a_file_name(sp: str) -> None:
    step = {**SCP, "src_type": "fileserver", "src": "", "sp": sp}

    assert refused([step]).field == "data[0].sp"


def test_node_source_paths_are_paths() -> None:
    [step] = parse_steps({"data": [{**SCP, "sp": "../out/app.tgz"}]})

    assert step.scp.src_path == "../out/app.tgz"


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({**CMD, "plugin_type": "rollout"}, "data[1].plugin_type"),
        ({k: v for k, v in CMD.items() if k != "plugin_type"}, "data[1].plugin_type"),
        ({**CMD, "name": " "}, "data[1].name"),
        ({**CMD, "node_cont": ""}, "data[1].node_cont"),
        ({**CMD, "node_cont": " , "}, "data[1].node_cont"),
        ({**CMD, "node_type": "group", "node_cont": ""}, "data[1].node_cont"),
        ({**CMD, "node_type": "fileserver"}, "data[1].node_type"),
        ({**CMD, "scripts_type": "php"}, "data[1].scripts_type"),
        ({**CMD, "scripts_type": "cite"}, "data[1].scripts_cont"),
        ({**CMD, "scripts_type": "cite", "scripts_cont": 0}, "data[1].scripts_cont"),
        ({**CMD, "scripts_type": "cite", "scripts_cont": "7 or 1"}, "data[1].scripts_cont"),
        ({**CMD, "scripts_cont": ""}, "data[1].scripts_cont"),
        ({**CMD, "scripts_argv": "'open"}, "data[1].scripts_argv"),
        ({**CMD, "timeout": "soon"}, "data[1].timeout"),
        ({**CMD, "timeout": 0}, "data[1].timeout"),
        ({**CMD, "timeout": 1.5}, "data[1].timeout"),
        ({**CMD, "user": "root; rm"}, "data[1].user"),
        ({**CMD, "pause": True}, "data[1].pause"),
        ({**CMD, "uuid": "a/b"}, "data[1].uuid"),
        ({**SCP, "src": ""}, "data[1].src"),
        ({**SCP, "dst_type": "ftp"}, "data[1].dst_type"),
        ({**SCP, "dst_type": "fileserver", "dp": "/srv/app.tgz"}, "data[1].dp"),
        ({**SCP, "sp": ""}, "data[1].sp"),
        ({**SCP, "dp": ""}, "data[1].dp"),
        ({**SCP, "chmod": "rwx"}, "data[1].chmod"),
        ({**SCP, "chown": "a b"}, "data[1].chown"),
    ],
)
def test_each_bad_key_is_named_with_its_step(step: dict[str, Any], field: str) -> None:
    assert refused([SCP, step]).field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (None, "data"),
        ("", "data"),
        ("[not json", "data"),
        ({"plugin_type": "cmd"}, "data"),
        ([], "data"),
        ([CMD, "cmd"], "data[1]"),
    ],
)
def test_data_itself_must_be_an_array_of_step_hashes(data: Any, field: str) -> None:
    assert refused(data).field == field


def test_plugin_cmd_may_cite_a_stored_script() -> None:
    form = {"name": "n", "node_cont": "n1", "scripts_type": "cite", "scripts_cont": 9}

    ask = submit_command_request(1, form, "api")

    assert (ask.script_id, ask.script) == (9, "")
    with pytest.raises(FieldError) as caught:
        submit_command_request(1, {**form, "scripts_cont": "echo hi"}, "api")
    assert caught.value.field == "scripts_cont"
