"""A launch's `variables`: a JSON object or its text, or a YAML mapping, each value as text; the
text kept as sent; YAML read as written, without aliases, nested no deeper than JSON bodies."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.opsgrat.variables import parse

TOMCAT = (
    "tomcat_version: 8.5.42\r\n\r\n# the installation\r\nhttp_port: 8080\r\n"
    "admin_username: admin\r\nsecure: yes\r\nempty:\r\nlevels: [1, 2]\r\n"
)


def test_yaml_as_opsgrat_templates_hold_it_keeps_every_scalar_as_written() -> None:
    values, text = parse(TOMCAT)

    assert text == TOMCAT
    assert values == {
        "tomcat_version": "8.5.42",
        "http_port": "8080",
        "admin_username": "admin",
        "secure": "yes",
        "empty": "",
        "levels": '["1", "2"]',
    }


@pytest.mark.parametrize(
    ("sent", "values"),
    [
        ({"a": "x", "n": 2, "t": True, "z": None, "l": [1]}, {"a": "x", "n": "2", "t": "true",
                                                             "z": "", "l": "[1]"}),
        ('{"a": "x", "n": 2.5}', {"a": "x", "n": "2.5"}),
        ("{a: x}", {"a": "x"}),  # YAML's flow mapping
        ("a: !!python/object/apply:os.system [id]", {"a": '["id"]'}),  # tags: never constructed
        ("# nothing yet\n", {}),
        ("", {}),
        (None, {}),
    ],
)  # fmt: skip
def test_json_objects_and_their_text(sent: Any, values: dict[str, str]) -> None:
    assert parse(sent)[0] == values


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        ("just text", "got a str"),
        ("[1, 2]", "got a list"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("a: 1\n---\nb: 2\n", "single document"),
        ("a: [" * 40 + "]" * 40, "nested deeper"),
        ("a: b: c", "a JSON object or a YAML mapping"),
        (12, "a JSON object or a YAML mapping"),
        ("{a;b: 1}", "not a variable name: 'a;b'"),
        ({"1st": "x"}, "not a variable name: '1st'"),
    ],
)
def test_anything_else_is_refused_naming_variables(sent: Any, says: str) -> None:
    with pytest.raises(FieldError) as err:
        parse(sent)
    assert err.value.field == "variables" and says in err.value.message, err.value.message
