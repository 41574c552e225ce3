from __future__ import annotations

import pytest

from master.errors import InvalidArgument
from master.variables import render_all


def test_substitutes_in_every_text() -> None:
    values = {"dir": "/srv", "n": "3"}
    assert render_all(["ls ${dir}", "${n}", "plain"], values) == ["ls /srv", "3", "plain"]


def test_refuses_listing_every_missing_name() -> None:
    with pytest.raises(InvalidArgument) as err:
        render_all(["${b} ${a}", "${a} ${ok}"], {"ok": "1", "b": ""})
    assert err.value.field == "variables"
    assert "a, b" in str(err.value)


def test_leaves_shell_syntax_alone() -> None:
    assert render_all(["echo $HOME ${#x[@]} $(id)"], {}) == ["echo $HOME ${#x[@]} $(id)"]
