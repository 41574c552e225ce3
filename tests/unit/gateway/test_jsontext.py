"""jsontext: bodies nested too deep, lone surrogates and bytes that are not UTF-8 are refused
400 naming the field they are in, never passed on to fail later."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway import jsontext
from gateway.errors import FieldError
from gateway.jsontext import MAX_DEPTH


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def refusal(body: bytes | str) -> FieldError:
    raw = body.encode() if isinstance(body, str) else body
    with pytest.raises(FieldError) as caught:
        jsontext.loads_fields(raw)
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize("depth", [MAX_DEPTH, 1_000, 100_000])
def test_a_value_nested_too_deep_names_its_field(depth: int) -> None:
    error = refusal('{"name": "n", "variable": ' + nested(depth) + "}")

    assert (error.field, error.message) == ("variable", f"nested deeper than {MAX_DEPTH} levels")


def test_nesting_up_to_the_limit_is_taken() -> None:
    value = json.loads(nested(MAX_DEPTH - 1))

    assert jsontext.loads_fields(json.dumps({"a": value}).encode()) == {"a": value}


@pytest.mark.parametrize("body", [nested(1_000), nested(100_000), '{"\\ud800": ' + nested(999)])
def test_too_deep_without_a_nameable_field_names_body(body: str) -> None:
    assert refusal(body).field == "body"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "\\ud800"}', "name"),
        ('{"name": "ok \\udfff ok"}', "name"),
        ('{"variable": {"\\ud800": "x"}}', "variable"),
        ('{"data": [{"name": ["a", "\\udbff"]}]}', "data"),
        ('{"\\ud800": "x"}', "body"),
    ],
)
def test_a_lone_surrogate_anywhere_names_its_field(body: str, field: str) -> None:
    error = refusal(body)

    assert error.field == field
    assert "lone surrogate (U+D" in error.message
    json.dumps(error.message).encode()  # the refusal itself can be sent


@pytest.mark.parametrize(
    ("body", "at"),
    [(b'{"name": "\xed\xa0\x80"}', 10), (b'{"name": "\xff"}', 10), (b'{"n\xc3": 1}', 3)],
)
def test_bytes_that_are_not_utf8_are_refused(body: bytes, at: int) -> None:
    error = refusal(body)

    assert (error.field, error.message) == ("body", f"not valid UTF-8 at byte {at}")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    error = refusal('{"timeout": ' + constant + "}")

    assert error.field == "body"
    assert error.message.startswith("not valid JSON: ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"name": "\\ud83d\\ude00 \u00e9"}', {"name": "\U0001f600 \u00e9"}),
        ("\ufeff{}", {}),
    ],
)
def test_unicode_and_a_leading_bom_are_fine(body: str, expected: dict[str, Any]) -> None:
    assert jsontext.loads_fields(body.encode()) == expected


def test_nested_json_text_is_checked_naming_its_field() -> None:
    with pytest.raises(FieldError) as deep:
        jsontext.loads(nested(5_000), "variable")
    with pytest.raises(FieldError) as lone:
        jsontext.loads('{"a": "\\ud800"}', "variable")

    assert (deep.value.field, lone.value.field) == ("variable", "variable")


def test_odd_keys_are_named_body() -> None:
    assert jsontext.field_name("data") == "data"
    assert jsontext.field_name("a b") == "body"
    assert jsontext.field_name("x" * 65) == "body"
