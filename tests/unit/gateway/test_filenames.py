"""filenames: what may name a file of the file server (one name, no path)."""

from __future__ import annotations

import pytest

from gateway.errors import FieldError
from gateway.filenames import checked, problem


@pytest.mark.parametrize(
    "name", ["app.tgz", "app-1.2.3.tar.gz", "a b", "报告.txt", "x" * 255, "${version}.tgz"]
)
def test_plain_names_pass(name: str) -> None:
    assert problem(name) == ""
    assert checked(name, "name") == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "must not be empty"),
        ("  ", "must not be empty"),
        ("x" * 256, "at most 255"),
        ("a/b", "'/'"),
        ("/etc/passwd", "'/'"),
        ("a\\b", "'\\\\'"),
        ("a\x00b", "NUL"),
        ("a\nb", "control"),
        ("..", "'..'"),
        ("a..b", "'..'"),
        (".bashrc", "start with '.'"),
    ],
)
def test_bad_names_say_why(name: str, why: str) -> None:
    assert why in problem(name)


def test_checked_names_the_field_and_quotes_the_name() -> None:
    with pytest.raises(FieldError) as caught:
        checked("../x", "sp")

    assert caught.value.field == "sp"
    assert caught.value.status == 400
    assert "'../x'" in caught.value.message
