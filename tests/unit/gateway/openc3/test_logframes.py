"""logframes: a followed task's output as OpenC3's socket frames -- whole lines of one execution,
headed by its node when the source changes, an execution's end as a coloured line, and no frame
larger than its bound whatever the master sends."""

from __future__ import annotations

from gateway.openc3.logframes import RULE, LogFrames, status_line

A, B = 1, 2


def head(node: str) -> str:
    return f"{RULE}<br>{node}:<br>"


def test_lines_come_out_whole_under_their_nodes_header() -> None:
    frames = LogFrames()

    first = frames.output(A, "web1", b"one\ntw")
    second = frames.output(A, "web1", b"o\nthree\n")

    assert first == [head("web1") + "one"]
    assert second == ["two<br>three"]  # the page adds the last line's <br/>


def test_interleaved_executions_say_which_node_each_line_came_from() -> None:
    frames = LogFrames()

    shown = [
        *frames.output(A, "web1", b"a1\n"),
        *frames.output(B, "web2", b"b1\n"),
        *frames.output(B, "web2", b"b2\n"),
        *frames.output(A, "web1", b"a2\n"),
    ]

    assert shown == [head("web1") + "a1", head("web2") + "b1", "b2", head("web1") + "a2"]


def test_an_executions_end_flushes_its_last_line_then_says_how_it_ended() -> None:
    frames = LogFrames()
    frames.output(A, "web1", b"no newline at the end")

    ended = frames.ended(A, "web1", "web1: fail, exit 3", ok=False)

    assert ended == [
        head("web1") + "no newline at the end",
        '<font color="#FF0000">web1: fail, exit 3</font>',
    ]
    assert frames.ended(B, "web2", "web2: success, exit 0", ok=True) == [
        head("web2") + '<font color="#00FF00">web2: success, exit 0</font>'
    ]


def test_node_names_and_summaries_are_escaped() -> None:
    frames = LogFrames()

    [frame] = frames.output(A, "<img src=x onerror=alert(1)>", b"x\n")

    assert "<img" not in frame and "&lt;img src=x onerror=alert(1)&gt;:" in frame
    assert status_line("<b>task</b>", ok=True) == (
        '<font color="#00FF00">&lt;b&gt;task&lt;/b&gt;</font>'
    )


def test_a_character_split_between_messages_comes_out_whole() -> None:
    frames = LogFrames()
    euro = "€\n".encode()

    assert frames.output(A, "n", euro[:1]) == []
    assert frames.output(A, "n", euro[1:]) == [head("n") + "€"]
    assert frames.output(A, "n", b"\xff\n") == ["\ufffd"]


def test_no_frame_holds_more_than_its_bound_of_output() -> None:
    frames = LogFrames(frame_chars=100)
    lines = b"".join(b"%04d %s\n" % (n, b"x" * 40) for n in range(50))

    shown = frames.output(A, "n", lines)

    assert len(shown) > 10
    text = "<br>".join(f.removeprefix(head("n")) for f in shown)
    assert text == lines.decode().removesuffix("\n").replace("\n", "<br>")
    assert all(len(f.removeprefix(head("n"))) <= 100 for f in shown)


def test_a_line_without_end_is_not_held_without_bound() -> None:
    frames = LogFrames(frame_chars=100)

    shown = frames.output(A, "n", b"y" * 1000)

    assert "".join(f.removeprefix(head("n")) for f in shown) == "y" * 1000
    assert all(len(f.removeprefix(head("n"))) <= 100 for f in shown)


def test_a_long_line_is_not_cut_inside_a_colour_code() -> None:
    frames = LogFrames(frame_chars=100)
    line = b"z" * 95 + b"\x1b[31mred\x1b[0m\n"

    shown = frames.output(A, "n", line)

    assert [f.removeprefix(head("n")) for f in shown] == [
        "z" * 95,
        '<font color="#FF0000">red</font>',
    ]


def test_finish_flushes_what_every_execution_left() -> None:
    frames = LogFrames()
    frames.output(A, "web1", b"a")
    frames.output(B, "web2", b"b")

    assert frames.finish() == [head("web1") + "a", head("web2") + "b"]
    assert frames.finish() == []
