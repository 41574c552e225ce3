"""The console's run form: what it asks for, and what it refuses before the master is asked."""

from __future__ import annotations

from gateway.ui import runform
from jobfleet.v1 import catalog_pb2


def variables() -> list[runform.FormVariable]:
    every = [
        catalog_pb2.Variable(name="greeting", value="hello", option="hello, hi"),
        catalog_pb2.Variable(name="target", value=""),
    ]
    empty = [catalog_pb2.Variable(name="target"), catalog_pb2.Variable(name="undefined")]
    return runform.form_variables(every, empty)


def test_every_variable_gets_an_input_and_those_without_a_value_are_required() -> None:
    found = variables()
    assert [(v.name, v.default, v.required) for v in found] == [
        ("greeting", "hello", False),
        ("target", "", True),
        ("undefined", "", True),
    ]
    assert found[0].options == ["hello", "hi"]
    assert runform.blank(found).values == {"greeting": "hello", "target": "", "undefined": ""}


def test_a_required_variable_left_empty_or_blank_is_named() -> None:
    sent = {"var.greeting": "", "var.target": "  ", "var.undefined": "x", "task_uuid": "abc"}
    form = runform.read(variables(), sent)
    assert form.errors == {"var.target": "variable target: required (it has no value)"}
    assert form.values == {"greeting": "", "target": "  ", "undefined": "x"}


def test_inputs_of_names_the_job_does_not_have_are_not_sent() -> None:
    sent = {"var.target": "t", "var.undefined": "u", "var.extra": "e", "task_uuid": "abc"}
    form = runform.read(variables(), sent)
    request = runform.submit_request(1, "job", form, "console:admin")
    assert dict(request.variables) == {"greeting": "", "target": "t", "undefined": "u"}
    assert (request.task_uuid, request.call_type, request.submitter) == (
        "abc",
        "page",
        "console:admin",
    )


def test_nodes_are_split_on_commas_and_spaces_and_bounded() -> None:
    base = {"var.target": "t", "var.undefined": "u", "task_uuid": "abc"}
    form = runform.read(variables(), {**base, "nodes": " s1, s2\n s3 ,"})
    assert form.nodes_list == ["s1", "s2", "s3"] and not form.errors
    many = runform.read(variables(), {**base, "nodes": ",".join(["n"] * 1001)})
    assert many.errors == {"nodes": "nodes: at most 1000"}
    long = runform.read(variables(), {**base, "nodes": "x" * 256})
    assert "nodes" in long.errors


def test_a_bad_task_uuid_is_refused_and_replaced() -> None:
    form = runform.read(variables(), {"var.target": "t", "var.undefined": "u", "task_uuid": "a b"})
    assert list(form.errors) == ["task_uuid"]
    assert runform.TASK_UUID.fullmatch(form.task_uuid)
