"""A launch's `variables`: OpsGrat's extra variables, a JSON object (or its text) or a YAML
mapping (`tomcat_version: 8.5.42`, as OpsGrat's templates hold them), -> jobfleet's variables
(name -> text, substituted as `${name}`), and the text kept as sent.

YAML is read with PyYAML's BaseLoader: every scalar stays the text it was written as (`8.5.40`,
`yes`, `010` are not turned into numbers or booleans), one document, no anchors or aliases (a
few lines of them can expand to gigabytes), nested at most as deep as JSON bodies may be. A
JSON value that is not a string becomes its JSON text (`2` -> `"2"`, `true` -> `"true"`,
`null` -> `""`), and so does a list or a mapping, in JSON as in YAML.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from gateway import jsontext
from gateway.errors import FieldError

FIELD = "variables"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
"""A variable's name, as the master takes them (`${name}`)."""
WHAT = "a JSON object or a YAML mapping of name: value"


def parse(value: Any) -> tuple[dict[str, str], str]:
    """(name -> text, the text as sent); absent or empty is ({}, "")."""
    if value is None or value == "":
        return {}, ""
    if isinstance(value, dict):
        return _texts(value), json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        raise FieldError(FIELD, f"must be {WHAT}")
    return _texts(_mapping(value)), value


def _mapping(text: str) -> dict[Any, Any]:
    try:
        parsed = jsontext.loads(text, FIELD)
    except FieldError:
        parsed = _yaml(text)
    if parsed is None:  # a YAML document of comments only
        return {}
    if not isinstance(parsed, dict):
        raise FieldError(FIELD, f"must be {WHAT}, got a {type(parsed).__name__}")
    return parsed


def _yaml(text: str) -> Any:
    try:
        _check_events(text)
        return yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        said = " ".join(str(exc).split())
        raise FieldError(FIELD, f"must be {WHAT}: {said}") from exc


def _check_events(text: str) -> None:
    """No alias, nesting within jsontext.MAX_DEPTH: checked on the parser's events, before any
    value is built."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            raise FieldError(FIELD, "YAML anchors and aliases are not accepted")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > jsontext.MAX_DEPTH:
                raise FieldError(FIELD, jsontext.TOO_DEEP)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _texts(mapping: dict[Any, Any]) -> dict[str, str]:
    bad = [str(name) for name in mapping if not NAME.match(str(name))]
    if bad:
        raise FieldError(FIELD, f"not a variable name: {bad[0]!r} (letters, digits, `_.-`)")
    return {str(name): _text(value) for name, value in mapping.items()}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)
