"""JSON Schema for what the `forms` getters accept, one helper per getter, for `/openapi.json`.

A route declares its fields with these next to the code that reads them (`openapi.describe`),
passing the same limits the getters get (`MAX_TIMEOUT`, the word tables), so the document and the
checks share their numbers. The schemas describe the documented spelling (JSON numbers, arrays);
the getters also take the form-field spelling of each (decimal strings, comma lists, JSON text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway import forms

Schema = dict[str, Any]

# forms.time_bound, as a pattern: the years forms.MIN_YEAR (1000) to forms.MAX_YEAR (9998).
TIME_PATTERN = (
    r"^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
    r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$"
)
# A character Python's str.strip() keeps: JSON Schema's (ECMA) \s leaves out \x1c-\x1f and \x85.
VISIBLE = r"[^\s\x1c-\x1f\x85]"


def text(max_len: int = 0, *, required: bool = False, description: str = "") -> Schema:
    """`forms.text`: a string; a required one must not be blank."""
    schema: Schema = {"type": "string"}
    if required:
        schema["pattern"] = VISIBLE
    if max_len:
        schema["maxLength"] = max_len
    return _described(schema, description)


def choice(words: Iterable[str], *, description: str = "") -> Schema:
    """`forms.choice`: one of the words."""
    return _described({"type": "string", "enum": list(words)}, description)


def integer(low: int, high: int, *, description: str = "") -> Schema:
    """`forms.integer`: a whole number in [low, high]."""
    return _described({"type": "integer", "minimum": low, "maximum": high}, description)


def identifier(*, description: str = "") -> Schema:
    """`forms.identifier` and path ids: a positive id."""
    return integer(1, forms.INT64_MAX, description=description)


def token(*, description: str = "") -> Schema:
    """`forms.token`: a uuid-like identifier, 1-64 letters and digits."""
    return _described({"type": "string", "pattern": forms.TOKEN.pattern}, description)


def flag(*, description: str = "") -> Schema:
    """`forms.flag`: true or false."""
    return _described({"type": "boolean"}, description)


COMMA_LIST = r"[^,\s\x1c-\x1f\x85]"


def name_list(*, description: str = "") -> Schema:
    """`forms.name_list`: names, as a JSON array or one comma-separated string."""
    name = {"type": "string", "pattern": f"^[^,]*{VISIBLE}[^,]*$"}
    return _described(
        {
            "anyOf": [
                {"type": "array", "items": name, "minItems": 1},
                {"type": "string", "pattern": COMMA_LIST},
            ]
        },
        description,
    )


def query_name_list(*, description: str = "") -> Schema:
    """`forms.name_list` in a query string: one comma-separated string naming at least one (a
    repeated key is read as its last value only, so no array form)."""
    return _described({"type": "string", "pattern": COMMA_LIST}, description)


def argv(*, description: str = "") -> Schema:
    """`forms.argv`: arguments as a JSON array, or one string split like a shell would."""
    return _described(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "string", "pattern": r"^[^'\"\\]*$"},
            ]
        },
        description or "a shell-quoted string is split like a shell would",
    )


def string_map(*, description: str = "") -> Schema:
    """`forms.string_map`: an object of name -> string (numbers are taken as their text)."""
    return _described(
        {"type": "object", "additionalProperties": {"type": ["string", "number"]}}, description
    )


def time_bound(*, description: str = "") -> Schema:
    """`forms.time_bound`: a UTC date, or date and time."""
    return _described(
        {"type": "string", "pattern": TIME_PATTERN},
        description or "UTC `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, years 1000 to 9998",
    )


def obj(properties: Mapping[str, Schema], required: Iterable[str] = ()) -> Schema:
    """An object of these fields; other keys are ignored (OpenC3 clients send extra ones)."""
    schema: Schema = {"type": "object", "properties": dict(properties)}
    names = list(required)
    unknown = set(names) - set(properties)
    if unknown:
        raise ValueError(f"required fields without a schema: {sorted(unknown)}")
    if names:
        schema["required"] = names
    return schema


def array(items: Schema, *, min_items: int = 0, max_items: int = 0) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if min_items:
        schema["minItems"] = min_items
    if max_items:
        schema["maxItems"] = max_items
    return schema


def one_of(*schemas: Schema) -> Schema:
    return {"oneOf": list(schemas)}


def _described(schema: Schema, description: str) -> Schema:
    if description:
        schema["description"] = description
    return schema


def matching(pattern: str, *, description: str = "") -> Schema:
    """`forms.matching`: an optional string that, when given, matches `pattern` in full."""
    return _described({"type": "string", "pattern": f"^(?:{pattern})?$"}, description)
