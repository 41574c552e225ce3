"""`${name}` substitution within its bounds (a task's Budget), as plan() renders every step."""

from __future__ import annotations

import tracemalloc

import pytest

from master.catalogue.variables import Budget, RenderLimit, check_values
from master.errors import ResourceExhausted


def render_all(texts: list[str], values: dict[str, str], limit: RenderLimit) -> list[str]:
    """Each text rendered as one field of one task, named texts[i]."""
    budget = Budget(limit, values)
    return [budget.render(text, f"texts[{i}]") for i, text in enumerate(texts)]


def test_substitutes_in_every_text() -> None:
    values = {"dir": "/srv", "n": "3"}
    assert render_all(["ls ${dir}", "${n}", "plain"], values, RenderLimit()) == [
        "ls /srv",
        "3",
        "plain",
    ]


def test_leaves_shell_syntax_alone() -> None:
    assert render_all(["echo $HOME ${#x[@]} $(id)"], {}, RenderLimit()) == [
        "echo $HOME ${#x[@]} $(id)"
    ]


def test_an_argument_list_is_one_field_bounded_together() -> None:
    budget = Budget(RenderLimit(field_bytes=8), {"x": "abc"})

    assert budget.render_each(["${x}", "${x}"], "args") == ["abc", "abc"]
    with pytest.raises(ResourceExhausted) as err:
        budget.render_each(["${x}", "${x}", "${x}"], "args")
    assert err.value.field == "args"


def test_a_value_multiplied_past_the_cap_is_refused_before_it_is_built() -> None:
    value = "v" * (64 << 10)
    poison = "${x}" * 1000  # 64 MiB once substituted
    tracemalloc.start()
    try:
        with pytest.raises(ResourceExhausted) as err:
            render_all([poison], {"x": value}, RenderLimit(field_bytes=1 << 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert err.value.field == "texts[0]"
    assert "more than 1048576 bytes" in str(err.value)
    assert peak < 4 << 20  # never more than the cap and a few pieces


def test_a_field_at_the_cap_is_kept_and_bytes_are_counted_not_characters() -> None:
    limit = RenderLimit(field_bytes=8)

    assert render_all(["${x}${x}"], {"x": "abcd"}, limit) == ["abcdabcd"]
    with pytest.raises(ResourceExhausted):
        render_all(["${x}${x}"], {"x": "\u00e9\u00e9"}, RenderLimit(field_bytes=7))


def test_a_task_is_bounded_in_all_not_only_field_by_field() -> None:
    limit = RenderLimit(field_bytes=100)  # 800 bytes a task
    texts = ["${x}"] * 9  # each field 100 bytes: fine alone, 900 in all

    with pytest.raises(ResourceExhausted) as err:
        render_all(texts, {"x": "y" * 100}, limit)

    assert err.value.field == "texts[8]"
    assert "in all" in str(err.value)


def test_stored_variables_are_bounded_one_by_one_and_in_all() -> None:
    limit = RenderLimit(field_bytes=10)
    with pytest.raises(ResourceExhausted) as one:
        check_values({"big": "x" * 11}, limit)
    with pytest.raises(ResourceExhausted) as all_of_them:
        check_values({f"v{i}": "x" * 10 for i in range(8)}, limit)

    assert one.value.field == all_of_them.value.field == "variables"
    assert "'big'" in str(one.value)
    check_values({"small": "x" * 10}, limit)
