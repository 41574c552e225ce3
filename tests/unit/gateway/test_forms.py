"""forms: one dict from JSON or form bodies; typed getters whose errors name the field."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway import forms, schemas
from gateway.errors import FieldError


async def echo(request: Request) -> JSONResponse:
    try:
        return JSONResponse(await forms.read_fields(request))
    except FieldError as exc:
        return JSONResponse({"field": exc.field, "status": exc.status}, status_code=exc.status)


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=[Route("/", echo, methods=["POST"])]))


def test_json_body_keeps_nested_objects(client: TestClient) -> None:
    body = {"name": "x", "variable": {"a": "1"}, "timeout": 5}

    reply = client.post("/", json=body)

    assert reply.json() == body


def test_urlencoded_body(client: TestClient) -> None:
    reply = client.post("/", data={"name": "x", "variable": '{"a": "1"}'})

    assert reply.json() == {"name": "x", "variable": '{"a": "1"}'}


def test_multipart_body(client: TestClient) -> None:
    reply = client.post("/", files={"name": (None, "x"), "node_cont": (None, "a,b")})

    assert reply.json() == {"name": "x", "node_cont": "a,b"}


def test_multipart_file_is_refused_naming_it(client: TestClient) -> None:
    reply = client.post("/", files={"script": ("s.sh", b"ls")})

    assert reply.json() == {"field": "script", "status": 400}


def test_empty_body_is_no_fields(client: TestClient) -> None:
    assert client.post("/").json() == {}


@pytest.mark.parametrize("body", [b"{nope", b"[1, 2]"])
def test_bad_json_names_body(client: TestClient, body: bytes) -> None:
    reply = client.post("/", content=body, headers={"content-type": "application/json"})

    assert reply.json() == {"field": "body", "status": 400}


def test_unknown_content_type_is_415(client: TestClient) -> None:
    reply = client.post("/", content=b"x", headers={"content-type": "text/plain"})

    assert reply.json() == {"field": "content-type", "status": 415}


def raises_naming(field: str, call: Any, *args: Any, **kwargs: Any) -> FieldError:
    with pytest.raises(FieldError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field
    return caught.value


def test_text_required_blank_and_length() -> None:
    raises_naming("name", forms.text, {}, "name", required=True)
    raises_naming("name", forms.text, {"name": "   "}, "name", required=True)
    raises_naming("name", forms.text, {"name": "x" * 256}, "name", max_len=255)
    raises_naming("name", forms.text, {"name": 5}, "name")
    assert forms.text({"name": " x "}, "name") == "x"
    assert forms.text({"s": " x\n"}, "s", strip=False) == " x\n"
    assert forms.text({}, "user") == ""


def test_integer_accepts_numbers_and_digit_strings() -> None:
    assert forms.integer({"t": "30"}, "t", default=60, low=1, high=100) == 30
    assert forms.integer({"t": 30}, "t", default=60, low=1, high=100) == 30
    assert forms.integer({"t": ""}, "t", default=60, low=1, high=100) == 60
    for bad in ("abc", "1.5", 1.5, True, "0", "101"):
        raises_naming("t", forms.integer, {"t": bad}, "t", default=60, low=1, high=100)


def test_name_list_trims_drops_empties_and_duplicates() -> None:
    assert forms.name_list({"n": " a, ,b,a,"}, "n") == ["a", "b"]
    assert forms.name_list({"n": ["a", " b "]}, "n") == ["a", "b"]
    for bad in ({}, {"n": " , "}, {"n": [1]}):
        raises_naming("n", forms.name_list, bad, "n")


def test_argv_splits_like_a_shell() -> None:
    assert forms.argv({"a": "x \"y z\" 'w'"}, "a") == ["x", "y z", "w"]
    assert forms.argv({"a": ["x y"]}, "a") == ["x y"]
    assert forms.argv({}, "a") == []
    error = raises_naming("scripts_argv", forms.argv, {"scripts_argv": 'a "b'}, "scripts_argv")
    assert "quotation" in error.message


def test_string_map_from_object_or_json_text() -> None:
    assert forms.string_map({"v": {"a": "1", "b": 2}}, "v") == {"a": "1", "b": "2"}
    assert forms.string_map({"v": json.dumps({"a": "1"})}, "v") == {"a": "1"}
    assert forms.string_map({}, "v") == {}
    for bad in ("{nope", "[1]", {"a": None}, {"a": {"b": "c"}}, {"a": True}):
        raises_naming("v", forms.string_map, {"v": bad}, "v")


def test_choice() -> None:
    assert forms.choice({}, "k", ("a", "b"), "a") == "a"
    assert forms.choice({"k": "b"}, "k", ("a", "b"), "a") == "b"
    raises_naming("k", forms.choice, {"k": "c"}, "k", ("a", "b"), "a")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.0", "", str(2**63)])
def test_positive_id_refuses(value: str) -> None:
    raises_naming("projectid", forms.positive_id, value, "projectid")


def test_positive_id_accepts() -> None:
    assert forms.positive_id("12", "projectid") == 12


def test_time_bound_formats_and_inclusive_end() -> None:
    day = {"t": "2024-01-02"}
    second = {"t": "2024-01-02 03:04:05"}
    assert forms.time_bound(day, "t") == 1704153600
    assert forms.time_bound(day, "t", end=True) == 1704153600 + 86400
    assert forms.time_bound(second, "t") == 1704164645
    assert forms.time_bound(second, "t", end=True) == 1704164646
    assert forms.time_bound({}, "t") == 0
    for bad in ("2024-1-2x", "02/01/2024", "2024-01-02T03:04:05"):
        raises_naming("t", forms.time_bound, {"t": bad}, "t")


@pytest.mark.parametrize("value", ["9999-12-31 23:59:59", "9999-12-31", "0999-12-31", "0001-01-01"])
def test_time_bound_outside_the_years_the_master_holds_is_refused(value: str) -> None:
    for end in (False, True):
        error = raises_naming("t", forms.time_bound, {"t": value}, "t", end=end)
        assert error.message.startswith("must be in the years 1000 to 9998")


def test_time_bound_at_the_edges_of_its_years() -> None:
    assert forms.time_bound({"t": "9998-12-31 23:59:59"}, "t", end=True) == 253370764800
    assert forms.time_bound({"t": "1000-01-01"}, "t") == -30610224000


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("1000-01-01", True),
        ("9998-12-31 23:59:59", True),
        ("2024-02-29", True),
        ("9999-01-01", False),
        ("0999-12-31", False),
        ("0000-01-01", False),
    ],
)
def test_the_documented_time_pattern_has_the_same_years(value: str, matches: bool) -> None:
    assert bool(re.fullmatch(schemas.TIME_PATTERN, value)) is matches


def test_choice_without_default_is_required() -> None:
    error = raises_naming("k", forms.choice, {}, "k", ("a", "b"))
    assert error.message == "is required"


def test_flag_present_and_truthy() -> None:
    for true in ("1", "true", "on", "permanent", 1, True, "yes"):
        assert forms.flag({"p": true}, "p") is True
    for false in ("0", "false", "No", "off", 0, False, "", None):
        assert forms.flag({"p": false}, "p") is False
    assert forms.flag({}, "p") is False
    raises_naming("p", forms.flag, {"p": [1]}, "p")


def test_token_and_identifier() -> None:
    assert forms.token({"u": "abC1"}, "u") == "abC1"
    assert forms.token({}, "u") == ""
    raises_naming("u", forms.token, {}, "u", required=True)
    for bad in ("a b", "a/b", "a-b", "a_b", "x" * 65, "é"):
        raises_naming("u", forms.token, {"u": bad}, "u")
    assert forms.identifier({"id": "7"}, "id") == 7
    assert forms.identifier({}, "id", required=False) == 0
    raises_naming("id", forms.identifier, {}, "id")
    raises_naming("id", forms.identifier, {"id": "0"}, "id")


def test_name_list_may_be_optional() -> None:
    assert forms.name_list({}, "n", required=False) == []
    assert forms.name_list({"n": "a,b"}, "n", required=False) == ["a", "b"]


def test_mapping_from_object_or_json_text() -> None:
    assert forms.mapping({"p": {"a": [1]}}, "p") == {"a": [1]}
    assert forms.mapping({"p": '{"a": 1}'}, "p") == {"a": 1}
    assert forms.mapping({}, "p") == {}
    raises_naming("p", forms.mapping, {}, "p", required=True)
    for bad in ("{nope", "[1]", [1], 3):
        raises_naming("p", forms.mapping, {"p": bad}, "p")


def test_hash_list_names_the_bad_element() -> None:
    assert forms.hash_list({"d": [{"a": 1}]}, "d") == [{"a": 1}]
    assert forms.hash_list({"d": '[{"a": 1}]'}, "d") == [{"a": 1}]
    assert forms.hash_list({"d": []}, "d") == []
    for bad in ({}, {"d": "{}"}, {"d": {"a": 1}}, {"d": "[nope"}):
        raises_naming("d", forms.hash_list, bad, "d")
    raises_naming("d[1]", forms.hash_list, {"d": [{}, "x"]}, "d")


def test_within_prefixes_the_field_and_keeps_the_status() -> None:
    with pytest.raises(FieldError) as caught, forms.within("data[2]"):
        raise FieldError("timeout", "bad", status=413)

    assert (caught.value.field, caught.value.message, caught.value.status) == (
        "data[2].timeout",
        "bad",
        413,
    )


def test_a_form_decoded_to_a_lone_surrogate_is_refused(client: TestClient) -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="name"\r\n\r\n\\ud800\r\n--B--\r\n'
    content_type = "multipart/form-data; boundary=B; charset=unicode_escape"

    reply = client.post("/", content=body, headers={"content-type": content_type})

    assert reply.json() == {"field": "name", "status": 400}


def test_json_text_in_a_form_field_is_checked(client: TestClient) -> None:
    reply = client.post("/", data={"variable": '{"a": "\\ud800"}'})

    assert reply.status_code == 200  # read_fields keeps it as text; the getter parses it
    with pytest.raises(FieldError) as caught:
        forms.mapping(reply.json(), "variable")
    assert caught.value.field == "variable"
