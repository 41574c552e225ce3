"""The version variable scanner: `NAME:[value]` anywhere in output, found once however the
output is cut into chunks, and too long ones refused."""

from __future__ import annotations

import pytest

from master.tasks.vvscan import MAX_CARRY, Found, carry_of, matches, scan

LINE = b"deploy VERSION:[release-2.1.0] build:[b42] done\n"


def scanned(pieces: list[bytes]) -> list[Found]:
    """Every match in the pieces, fed one by one as chunks with their carry."""
    found: list[Found] = []
    carry = b""
    for piece in pieces:
        more, carry = scan(carry, piece)
        found += more
    return found


def test_several_matches_mid_line_in_order() -> None:
    assert matches(LINE) == [Found("VERSION", "release-2.1.0"), Found("build", "b42")]


def test_upper_case_values_are_kept_and_spaces_or_short_names_are_not_matches() -> None:
    text = b"VERSION:[V1.2] app:[Release-2] x:[1] VERSION: [x] VERSION:[ x] v2:[] 9ab:[7]\n"
    assert matches(text) == [
        Found("VERSION", "V1.2"),
        Found("app", "Release-2"),
        Found("ab", "7"),  # a name starts at a letter, as OpenC3's unanchored pattern
    ]


@pytest.mark.parametrize("cut", range(1, len(LINE)))
def test_a_match_cut_anywhere_by_a_chunk_boundary_is_found_once(cut: int) -> None:
    assert scanned([LINE[:cut], LINE[cut:]]) == matches(LINE)


def test_a_match_cut_into_single_bytes_is_found_once() -> None:
    assert scanned([bytes([b]) for b in LINE * 2]) == matches(LINE) * 2


def test_a_chunk_ending_in_a_newline_carries_nothing() -> None:
    assert scan(b"", b"plain output\n") == ([], b"")
    assert carry_of(b"abc VERSION:[1.") == b"VERSION:[1."
    assert carry_of(b"abc VERSION:") == b"VERSION:"
    assert carry_of(b"x VERS") == b"VERS"
    assert carry_of(b"done]") == b""


def test_names_and_values_longer_than_100_are_refused_with_the_reason() -> None:
    long_value = b"v" * 101
    long_name = b"N" * 101
    found = matches(
        b"ok:[" + b"v" * 100 + b"] a:[1] VERSION:[" + long_value + b"] " + long_name + b":[1]"
    )
    assert found[0] == Found("ok", "v" * 100)
    assert found[1] == Found("VERSION", "v" * 100, "value longer than 100 characters")
    assert found[2] == Found("N" * 100, "1", "name longer than 100 characters")


def test_a_long_run_without_a_match_stays_linear_and_carries_at_most_the_bound() -> None:
    run = b"x" * 1_000_000
    assert scan(b"", run + b":[") == ([], (run + b":[")[-MAX_CARRY:])
    assert len(scan(b"", run)[1]) == MAX_CARRY
