"""Line mode's editing and rendering, as a user at the terminal sees them."""

from __future__ import annotations

from gateway.openc3.terminal.lines import (
    Echo,
    Exit,
    Interrupt,
    LineEditor,
    LineView,
    Submit,
    prompt,
)

PROMPT = prompt("alice", "deploy", 3)


def test_the_prompt_reads_like_openc3s() -> None:
    assert PROMPT == "alice:deploy (3)sh# "
    assert LineEditor(PROMPT).start() == b"alice:deploy (3)sh# "


def test_typing_echoes_and_enter_submits_the_line() -> None:
    editor = LineEditor(PROMPT)

    typed = editor.feed(b"uptime")
    entered = editor.feed(b"\r")

    assert typed == [Echo(b"uptime")]
    assert entered == [Submit("uptime")] and editor.running


def test_backspace_and_ctrl_u_erase_what_was_typed() -> None:
    editor = LineEditor(PROMPT)

    actions = editor.feed(b"lsx\x7f -l\x15echo hi\r")

    assert actions == [
        Echo(b"lsx\b \b -l" + b"\b \b" * 5 + b"echo hi"),
        Submit("echo hi"),
    ]


def test_backspace_on_an_empty_line_shows_nothing() -> None:
    assert LineEditor(PROMPT).feed(b"\x7f\x08") == []


def test_arrow_keys_are_swallowed_even_split_across_frames() -> None:
    editor = LineEditor(PROMPT)

    actions = [*editor.feed(b"a\x1b["), *editor.feed(b"Ab\x1bOC"), *editor.feed(b"\r")]

    assert actions == [Echo(b"a"), Echo(b"b"), Submit("ab")]


def test_utf8_split_across_frames_is_one_character() -> None:
    editor = LineEditor(PROMPT)
    data = "é".encode()

    actions = [*editor.feed(data[:1]), *editor.feed(data[1:] + b"\r")]

    assert actions == [Echo("é".encode()), Submit("é")]


def test_ctrl_c_idle_clears_the_line_and_while_running_interrupts() -> None:
    editor = LineEditor(PROMPT)

    idle = editor.feed(b"sleep 9\x03")
    editor.feed(b"sleep 9\r")
    running = editor.feed(b"typed meanwhile\x03")

    assert idle == [Echo(b"sleep 9^C\r\n" + PROMPT.encode())]
    assert running == [Interrupt()]  # nothing else is taken while a line runs
    assert editor.done() == PROMPT.encode() and not editor.running
    assert editor.feed(b"x") == [Echo(b"x")]


def test_an_empty_line_is_a_new_prompt_and_exit_words_end_the_session() -> None:
    editor = LineEditor(PROMPT)

    assert editor.feed(b"  \r") == [Echo(b"  \r\n" + PROMPT.encode())]
    assert editor.feed(b"exit\r") == [Echo(b"exit"), Exit()]
    assert editor.closed and editor.feed(b"more\r") == []
    assert LineEditor(PROMPT).feed(b"\x04") == [Exit()]


def test_a_line_cannot_grow_without_bound() -> None:
    editor = LineEditor(PROMPT)

    editor.feed(b"x" * 5000)

    assert len(editor.line) == 4096


def test_each_machines_lines_come_under_its_name_as_they_complete() -> None:
    view = LineView()

    first = view.output("web1", b"hel")
    second = view.output("web1", b"lo\nwor")
    other = view.output("web2", b"err\n", stderr=True)

    assert first == b""
    assert second == b"\x1b[36mweb1\x1b[0m: hello\r\n"
    assert other == b"\x1b[35mweb2!\x1b[0m: err\r\n"
    assert view.finished("web1", 0, "success") == (
        b"\x1b[36mweb1\x1b[0m: wor\r\n\x1b[32mweb1: success, exit 0\x1b[0m\r\n"
    )


def test_the_remote_output_is_shown_as_sent() -> None:
    view = LineView()

    shown = view.output("a", b"\x1b[1mbold\x1b[0m <b>&\n")

    assert b"\x1b[1mbold\x1b[0m <b>&\r\n" in shown


def test_failures_are_red_and_the_summary_groups_exit_codes() -> None:
    view = LineView()
    view.finished("a", 0, "success")
    view.finished("c", 2, "fail")
    failed = view.finished("b", 2, "fail", "exit status 2")

    summary = view.summary("T1", 1, 2, 0.42)

    assert failed == b"\x1b[31mb: fail, exit 2 (exit status 2)\x1b[0m\r\n"
    assert summary == (
        b"\x1b[32mexit 0 [1]: a\x1b[0m\r\n"
        b"\x1b[31mexit 2 [2]: b,c\x1b[0m\r\n"
        b"\x1b[31m1 succeeded, 2 failed in 0.4 s (task T1)\x1b[0m\r\n"
    )
    assert (
        view.summary("T2", 0, 0, 0)
        == b"\x1b[32m0 succeeded, 0 failed in 0.0 s (task T2)\x1b[0m\r\n"
    )
