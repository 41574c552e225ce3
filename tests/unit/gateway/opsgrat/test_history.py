"""PUT and PATCH on a run: its own values come back unchanged; a new value of what ran is refused
naming the field; what the run became and the names shown are read-only and ignored."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.opsgrat.history import check_unchanged

CURRENT: dict[str, Any] = {
    "id": 7,
    "template": 28,
    "inventory": None,
    "forks": 0,
    "diff_mode": 1,
    "limit": "web*",
    "variables": "a: 1\n",
    "state": "running",
    "finish_time": None,
    "template_name": "tomcat",
    "project": 1,
}


def test_the_rows_own_values_in_any_spelling_change_nothing() -> None:
    sent = {
        **CURRENT,
        "template": "28",
        "forks": "0",
        "diff_mode": True,
        "inventory": "",  # a form's null
        "state": "successful",  # read-only: what the run became
        "finish_time": 1561705740,
        "template_name": "renamed",
        "id": 99,
        "cuser": 3,
        "unknown": "x",
    }

    check_unchanged(CURRENT, sent)
    check_unchanged(CURRENT, {})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("template", 29),
        ("inventory", 3),
        ("forks", 2),
        ("diff_mode", 0),
        ("limit", "db*"),
        ("variables", "a: 2\n"),
        ("project", 2),
        ("module", "shell"),
        ("node", 1),
    ],
)
def test_a_new_value_of_what_ran_is_refused_naming_it(key: str, value: Any) -> None:
    with pytest.raises(FieldError) as err:
        check_unchanged(CURRENT, {**CURRENT, key: value})

    assert err.value.field == key
    assert err.value.message.startswith("a run is not rewritten: launch a new one")
