"""Reading request fields: a JSON object or form fields in, plain values out.

OpenC3 clients post JSON as often as form fields, so a body becomes one `dict` either way; a
nested field (a hash like `variable`) is an object in JSON or a JSON string in a form. The typed
getters treat a missing field and an empty string alike and raise `FieldError` naming the field.
"""

from __future__ import annotations

import calendar
import json
import re
import shlex
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from gateway import jsontext
from gateway.errors import FieldError

Fields = Mapping[str, Any]

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
INT64_MAX = 2**63 - 1
_DIGITS = re.compile(r"^[0-9]+$")
# uuids clients pass around (job, task, step uuids): OpenC3's `^[a-zA-Z0-9]+$`, at most 64.
TOKEN = re.compile(r"^[A-Za-z0-9]{1,64}$")
FALSE_WORDS = ("0", "false", "no", "off")
# Time bounds: an end one day past 9999-12-31 is past what the master's datetimes can hold.
MIN_YEAR, MAX_YEAR = 1000, 9998
_MAX_DIGITS = 40


async def read_fields(request: Request[Any]) -> dict[str, Any]:
    """The body's fields, from JSON or a form; an empty body is no fields."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in FORM_TYPES:
        return await _read_form(request)
    body = await request.body()
    if not body.strip():
        return {}
    if media_type == "application/json" or media_type.endswith("+json"):
        return jsontext.loads_fields(body)
    raise FieldError("content-type", f"unsupported {media_type or 'missing'!r}", status=415)


async def _read_form(request: Request[Any]) -> dict[str, Any]:
    try:
        async with request.form() as form:
            return _text_fields(form)
    except HTTPException as exc:  # a malformed multipart body
        raise FieldError("body", str(exc.detail)) from exc


def _text_fields(form: FormData) -> dict[str, Any]:
    """Form fields as text; a multipart `_charset_` can decode to lone surrogates, refused."""
    fields: dict[str, Any] = {}
    for key, value in form.multi_items():
        jsontext.check_text(key, "body", "a field name")
        if not isinstance(value, str):
            raise FieldError(key, "a file upload is not accepted here")
        jsontext.check_text(value, key)
        fields[key] = value
    return fields


def submitter(request: Request[Any]) -> str:
    """Who asks: the OpenC3 `appname` header, else "api"."""
    return request.headers.get("appname", "").strip() or "api"


def _given(fields: Fields, name: str) -> Any:
    """The field's value, or None when it is missing or an empty string."""
    value = fields.get(name)
    return None if value is None or value == "" else value


def text(
    fields: Fields,
    name: str,
    *,
    required: bool = False,
    max_len: int = 0,
    strip: bool = True,
    present: bool = False,
) -> str:
    """A string field; `required` also refuses a blank one, `present` only a missing one (where
    "" says something, e.g. "remove")."""
    if present and fields.get(name) is None:
        raise FieldError(name, "is required")
    value = _given(fields, name)
    if value is None:
        if required:
            raise FieldError(name, "is required")
        return ""
    if not isinstance(value, str):
        raise FieldError(name, "must be a string")
    if required and not value.strip():
        raise FieldError(name, "must not be blank")
    if max_len and len(value) > max_len:
        raise FieldError(name, f"must be at most {max_len} characters")
    return value.strip() if strip else value


def choice(fields: Fields, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
    """One word out of `choices`; without a default the field is required."""
    value = text(fields, name, required=default is None) or default
    if value not in choices:
        raise FieldError(
            name, f"unsupported value {value!r}, expected one of: {', '.join(choices)}"
        )
    return value


def integer(fields: Fields, name: str, *, default: int, low: int, high: int) -> int:
    """A whole number in [low, high], from a JSON number or a decimal string.

    As in JSON Schema, a number with no fraction (`60.0`) is an integer.
    """
    value = _given(fields, name)
    if value is None:
        return default
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        if len(value.strip()) > _MAX_DIGITS:  # past any int64 (and past what int() reads)
            raise FieldError(name, f"must be between {low} and {high}, got {value.strip()[:24]}...")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(name, f"must be an integer, got {value!r}")
    if not low <= value <= high:
        raise FieldError(name, f"must be between {low} and {high}, got {value}")
    return value


def matching(fields: Fields, name: str, pattern: re.Pattern[str], what: str) -> str:
    """An optional string field that, when given, must match `pattern` (described by `what`)."""
    value = text(fields, name)
    if value and not pattern.fullmatch(value):
        raise FieldError(name, f"must be {what}, got {value!r}")
    return value


def token(fields: Fields, name: str, *, required: bool = False) -> str:
    """An identifier such as a uuid: 1-64 letters and digits."""
    value = text(fields, name, required=required)
    if value and not TOKEN.fullmatch(value):
        raise FieldError(name, f"must be 1-64 letters and digits, got {value!r}")
    return value


def flag(fields: Fields, name: str) -> bool:
    """Present and truthy. Absent or empty is false, and so are 0/false/no/off."""
    value = _given(fields, name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() not in FALSE_WORDS
    raise FieldError(name, "must be a boolean")


def identifier(fields: Fields, name: str, *, required: bool = True) -> int:
    """A body field naming a row by its positive id; 0 when absent and not required."""
    value = integer(fields, name, default=0, low=1, high=INT64_MAX)
    if required and not value:
        raise FieldError(name, "is required")
    return value


def name_list(fields: Fields, name: str, *, required: bool = True) -> list[str]:
    """A comma list (or JSON list) of names: trimmed, empties dropped, duplicates dropped."""
    value = _given(fields, name)
    if value is None and not required:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if value is None or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(name, "is required: a comma-separated list of names")
    names = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if not names:
        raise FieldError(name, "must name at least one")
    return names


def argv(fields: Fields, name: str) -> list[str]:
    """Arguments split like a shell would (shlex), or a JSON list of strings."""
    value = _given(fields, name)
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    if not isinstance(value, str):
        raise FieldError(name, "must be a string")
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise FieldError(name, f"cannot split: {exc}") from exc


def _nested(fields: Fields, name: str) -> Any:
    """A nested field's value: as sent in JSON, or decoded from its JSON text in a form."""
    value = _given(fields, name)
    if not isinstance(value, str):
        return value
    return jsontext.loads(value, name)


def mapping(fields: Fields, name: str, *, required: bool = False) -> dict[str, Any]:
    """An object (a hash): a JSON object, or its JSON text in a form field."""
    value = _nested(fields, name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise FieldError(name, "is required: an object" if value is None else "must be an object")
    return value


def hash_list(fields: Fields, name: str) -> list[dict[str, Any]]:
    """A required array of objects (JSON, or its JSON text in a form field); a bad element is
    named by its index, `data[2]`."""
    value = _nested(fields, name)
    if not isinstance(value, list):
        what = "is required" if value is None else "must be"
        raise FieldError(name, f"{what}: an array of objects")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise FieldError(f"{name}[{index}]", "must be an object")
    return value


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Getters on a nested hash: their errors name `prefix.field` (`data[1].timeout`)."""
    try:
        yield
    except FieldError as exc:
        raise FieldError(f"{prefix}.{exc.field}", exc.message, exc.status) from exc


def string_map(fields: Fields, name: str) -> dict[str, str]:
    """An object of name -> string: a JSON object, or its JSON text in a form field."""
    value = _nested(fields, name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError(name, "must be an object of name -> string")
    return {str(k): _scalar_text(name, str(k), v) for k, v in value.items()}


def _scalar_text(name: str, key: str, value: Any) -> str:
    """A map value as text; numbers are accepted as their JSON spelling."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    raise FieldError(name, f"value of {key!r} must be a string")


def positive_id(value: str, name: str) -> int:
    """A path id such as `projectid`: a positive decimal integer."""
    if not _DIGITS.match(value) or not 0 < int(value) <= INT64_MAX:
        raise FieldError(name, f"must be a positive integer, got {value!r}")
    return int(value)


PROJECT_PARAM = "projectid"
_PROJECT_ID = re.compile(r"0|[1-9][0-9]*")


def project_id(value: str, name: str = PROJECT_PARAM) -> int:
    """A project id: 0 (the shared project, OpenC3's tree 0) or a positive decimal integer,
    spelt without leading zeros (`00` and `01` are no project ids)."""
    if not _PROJECT_ID.fullmatch(value) or int(value) > INT64_MAX:
        raise FieldError(name, f"must be 0 or a positive integer, got {value!r}")
    return int(value)


def path_id(request: Request[Any], name: str) -> int:
    """The path parameter `name` as a positive id; `projectid` as a project id (0 too)."""
    value = str(request.path_params[name])
    return project_id(value) if name == PROJECT_PARAM else positive_id(value, name)


def path_token(request: Request[Any], name: str) -> str:
    """The path parameter `name` as an identifier (see `token`)."""
    return token(request.path_params, name, required=True)


def time_bound(fields: Fields, name: str, *, end: bool = False) -> int:
    """Unix seconds of a UTC `YYYY-MM-DD[ HH:MM:SS]`; 0 when absent.

    An end bound is exclusive one unit past what was given, so that `time_end=2024-05-01`
    includes that whole day and `... 12:00:00` includes that second.
    """
    value = text(fields, name)
    if not value:
        return 0
    for pattern, unit in (("%Y-%m-%d %H:%M:%S", 1), ("%Y-%m-%d", 86400)):
        try:
            parsed = time.strptime(value, pattern)
        except ValueError:
            continue
        if not MIN_YEAR <= parsed.tm_year <= MAX_YEAR:
            raise FieldError(name, f"must be in the years {MIN_YEAR} to {MAX_YEAR}, got {value!r}")
        seconds = calendar.timegm(parsed)
        return seconds + unit if end else seconds
    raise FieldError(name, f"expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got {value!r}")
