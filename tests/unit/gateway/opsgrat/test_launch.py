"""A launch's body -> what the master is asked: a template, an ad-hoc command or copy, its hosts,
its options as sent; each bad field refused naming it, before anything is asked."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.opsgrat.launch import (
    CopyArguments,
    binary,
    command_request,
    copy_arguments,
    copy_request,
    job_request,
    launch,
)
from jobfleet.v1 import common_pb2


def refused(fields: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(FieldError) as err:
        launch(fields)
    return err.value.field, err.value.message


def test_a_template_run_keeps_every_launch_field_as_sent() -> None:
    fields = {
        "template": "28",
        "inventory": 15,
        "credential": "30",
        "job_type": "check",
        "forks": "5",
        "limit": "web*",
        "tags": "a,b",
        "skip_tags": "c",
        "verbosity": 3,
        "variables": "version: 8.5.42",
        "become_enabled": "1",
        "diff_mode": True,
        "force_handlers": 0,
        "start_at_task": "install",
        "cuser": 99,
        "template_name": "ignored",
        "state": "failed",
        "node": None,
    }

    ask = launch(fields)
    request = job_request(ask, "J1", "token3@token")

    assert (ask.template, ask.module, ask.hosts, ask.project_id) == (28, "", [], None)
    assert not request.HasField("project_id")  # the token's own
    assert (request.job_uuid, request.submitter, dict(request.variables)) == (
        "J1",
        "token3@token",
        {"version": "8.5.42"},
    )
    assert request.options == common_pb2.RunOptions(
        forks=5,
        check=True,
        nodegroup_id=15,
        limit="web*",
        account_id=30,
        verbosity=3,
        tags="a,b",
        skip_tags="c",
        diff_mode=True,
        become_enabled=True,
        start_at_task="install",
        variables_text="version: 8.5.42",
    )


def test_an_ad_hoc_command_runs_its_arguments_on_the_hosts_given() -> None:
    ask = launch(
        {
            "module": "shell",
            "arguments": "df -h /\nuptime",
            "inventory_str": "web1, web2\n10.0.0.3,web1",
            "project": "0",
            "kind": "adhoc",
        }
    )
    request = command_request(ask, "admin@token")

    assert (request.project_id, list(request.nodes), request.script) == (
        0,
        ["web1", "web2", "10.0.0.3"],
        "df -h /\nuptime",
    )
    assert (request.name, request.script_type) == ("shell: df -h /", common_pb2.SCRIPT_TYPE_SHELL)
    assert request.options.inventory_str == "web1, web2\n10.0.0.3,web1"  # as sent
    assert (request.options.module, request.options.job_kind) == ("shell", "adhoc")


def test_an_ad_hoc_copy_reads_src_and_dest_from_its_arguments() -> None:
    stored = launch(
        {"module": "copy", "arguments": "src=app.tgz dest=/opt/ mode=0644", "inventory": 4}
    )
    from_host = launch(
        {"module": "copy", "arguments": "src=db1:/etc/hosts dest=/tmp/h owner=app group=ops",
         "inventory_str": "web1"}
    )  # fmt: skip

    first, second = copy_request(stored, "me").scp, copy_request(from_host, "me").scp

    assert (first.src.type, first.src_path, first.dst.content, first.chmod) == (
        common_pb2.NODE_SELECTOR_TYPE_FILESERVER,
        "app.tgz",
        "",  # the group's nodes: the master's
        "0644",
    )
    assert (second.src.content, second.src_path, second.dst.content, second.chown) == (
        "db1",
        "/etc/hosts",
        "web1",
        "app:ops",
    )


@pytest.mark.parametrize(
    ("arguments", "parsed"),
    [
        ("src=a dest=/b", CopyArguments("", "a", "/b", "", "")),
        ("src='my file' dest=/b owner=app", CopyArguments("", "my file", "/b", "app", "")),
        ("src=h:/x dest=/y group=ops", CopyArguments("h", "/x", "/y", ":ops", "")),
        ("src=h:x dest=/y", CopyArguments("", "h:x", "/y", "", "")),  # no path: a stored name
    ],
)
def test_copy_arguments(arguments: str, parsed: CopyArguments) -> None:
    assert copy_arguments(arguments) == parsed


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("dest=/b", "needs src="),
        ("src=a", "needs dest="),
        ("src=a dest=/b content=x", "got 'content=x'"),
        ("src=a dest=/b src=c", "src= given twice"),
        ("src='a dest=/b", "cannot split"),
        ("a b", "got 'a'"),
    ],
)
def test_bad_copy_arguments_are_refused_naming_arguments(arguments: str, says: str) -> None:
    field, message = refused({"module": "copy", "arguments": arguments, "inventory": 1})
    assert field == "arguments" and says in message


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({}, "template", "required"),
        ({"template": 0}, "template", "between 1 and"),
        ({"template": "x"}, "template", "integer"),
        ({"module": "ping", "arguments": "x", "inventory": 1}, "module", "unsupported"),
        ({"template": 1, "module": "shell"}, "module", "takes no module"),
        ({"module": "shell", "arguments": "true"}, "inventory", "required"),
        ({"module": "shell", "inventory": 1}, "arguments", "required"),
        ({"template": 1, "inventory": 2, "inventory_str": "a"}, "inventory_str", "not both"),
        ({"template": 1, "inventory_str": 5}, "inventory_str", "names or IPs"),
        ({"template": 1, "job_type": "dry"}, "job_type", "unsupported"),
        ({"template": 1, "forks": -1}, "forks", "between 0 and"),
        ({"template": 1, "verbosity": 5}, "verbosity", "between 0 and 4"),
        ({"template": 1, "diff_mode": 2}, "diff_mode", "0 or 1"),
        ({"template": 1, "become_enabled": "yes"}, "become_enabled", "0 or 1"),
        ({"template": 1, "force_handlers": [1]}, "force_handlers", "0 or 1"),
        ({"template": 1, "variables": "[1, 2]"}, "variables", "mapping"),
        ({"template": 1, "variables": 3}, "variables", "mapping"),
        ({"template": 1, "project": -1}, "project", "between 0 and"),
        ({"template": 1, "credential": "a"}, "credential", "integer"),
        ({"template": 1, "node": 3}, "node", "workflow"),
        ({"template": 1, "kind": "adhoc"}, "kind", "a 'job' run"),
        ({"template": 1, "tags": "x" * 1025}, "tags", "at most 1024"),
    ],
)
def test_a_bad_field_is_refused_naming_it(fields: dict[str, Any], field: str, says: str) -> None:
    named, message = refused(fields)
    assert (named, says in message) == (field, True), message


def test_a_schedule_names_the_job_instead_of_a_template() -> None:
    ask = launch({"schedule": 4})
    assert (ask.template, ask.schedule) == (0, 4)


def test_binary_takes_0_1_and_booleans() -> None:
    fields = {"a": "1", "b": 0, "c": True, "d": "", "e": " 0 "}
    assert [binary(fields, k) for k in "abcdef"] == [True, False, True, False, False, False]
