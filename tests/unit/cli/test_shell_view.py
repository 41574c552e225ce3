"""What `jobfleet shell` shows: prompt, prefixed answers, summary, closing and exit status."""

from __future__ import annotations

from jobfleet.cli.shell_view import (
    GREEN,
    RED,
    RESET,
    Finished,
    LineView,
    closed_message,
    exit_status,
    prompt,
)


def test_the_prompt_names_the_account_and_how_many_machines() -> None:
    assert prompt("deploy", 3) == "deploy (3)sh# "


def test_answers_are_whole_lines_prefixed_with_their_machine() -> None:
    view = LineView()

    first = view.output("web1", b"one\ntw")
    other = view.output("web2", b"else\r\n")
    second = view.output("web1", b"o\nthree")

    assert first == ["[web1] one"]
    assert other == ["[web2] else"]
    assert second == ["[web1] two"]


def test_an_unfinished_last_line_is_shown_when_its_machine_finishes() -> None:
    view = LineView()
    view.output("web1", b"no newline")
    view.output("web1", b"warn", stderr=True)

    shown = view.finish(Finished("web1", 0, "success"))

    assert shown == ["[web1] no newline", "[web1] warn", "[web1] -- success, exit 0"]


def test_broken_utf8_is_shown_not_raised() -> None:
    assert LineView().output("n", b"\xff\xfeok\n") == ["[n] \ufffd\ufffdok"]


def test_a_finished_machine_is_green_or_red_only_with_colour() -> None:
    coloured, plain = LineView(colour=True), LineView()

    ok = coloured.finish(Finished("a", 0, "success"))[-1]
    bad = coloured.finish(Finished("b", 137, "killed", "interrupted"))[-1]

    assert ok == f"[a] -- {GREEN}success, exit 0{RESET}"
    assert bad == f"[b] -- {RED}killed, exit 137 (interrupted){RESET}"
    assert plain.finish(Finished("b", 2, "fail"))[-1] == "[b] -- fail, exit 2"


def test_the_summary_gives_exit_codes_per_status_and_names_failures() -> None:
    view = LineView()
    for done in (
        Finished("c", 1, "fail"),
        Finished("a", 0, "success"),
        Finished("d", 2, "fail"),
        Finished("b", 0, "success"),
        Finished("e", 1, "fail"),
        Finished("f", -1, "timeout", "timed out"),
    ):
        view.finish(done)

    summary = view.summary(2, 4, 1.234)

    assert summary == (
        "== 2 ok, 4 failed: success 2 (exit 0); fail 3 (exit 1: c, e; exit 2: d); "
        "timeout 1 (exit -1: f) in 1.23 s"
    )


def test_a_long_list_of_failures_is_cut_and_counted() -> None:
    view = LineView(colour=True)
    for i in range(8):
        view.finish(Finished(f"n{i}", 1, "fail"))

    summary = view.summary(0, 8, 0.5)

    assert summary.startswith(RED) and summary.endswith(RESET)
    assert "fail 8 (exit 1: n0, n1, n2, n3, n4 +3 more)" in summary


def test_an_all_green_summary() -> None:
    view = LineView(colour=True)
    view.finish(Finished("a", 0, "success"))

    expected = "== 1 ok, 0 failed: success 1 (exit 0) in 0.10 s"
    assert view.summary(1, 0, 0.1) == f"{GREEN}{expected}{RESET}"


def test_exit_status_and_closing_message() -> None:
    assert [exit_status(c) for c in (0, 3, 256 + 7, -1)] == [0, 3, 7, 255]
    assert closed_message("") is None
    assert closed_message("idle") == "jobfleet shell: session closed: idle"
