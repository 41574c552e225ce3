"""loghtml: command output becomes HTML that can carry no markup of its own -- escaped first,
then OpenC3's colours as fonts and newlines as `<br>`; every other escape sequence is dropped,
whatever a hostile command prints."""

from __future__ import annotations

import re
import time

import pytest

from gateway.openc3.loghtml import to_html

ESC = "\x1b"
RED, GREEN, BLUE = '<font color="#FF0000">', '<font color="#00FF00">', '<font color="#0000FF">'
# Everything to_html may write that is not escaped text.
OWN_MARKUP = re.compile(r'<font color="#[0-9A-F]{6}">|</font>|<br>')


def markup_is_ours(rendered: str) -> bool:
    """No `<` or `>` is left once our own tags are taken out, and fonts balance."""
    rest = OWN_MARKUP.sub("", rendered)
    opened, closed = rendered.count("<font "), rendered.count("</font>")
    return "<" not in rest and ">" not in rest and opened == closed


def test_markup_in_output_arrives_as_text() -> None:
    line = "<script>alert(1)</script> & \"q\" 'a' <img src=x onerror=alert(1)>\n"

    rendered = to_html(line)

    assert rendered == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#x27;a&#x27; "
        "&lt;img src=x onerror=alert(1)&gt;<br>"
    )


def test_openc3s_colour_table() -> None:
    bold_red = f"{ESC}[1m{ESC}[31mfailed{ESC}[0m{ESC}[0m"
    bold_green = f"{ESC}[1m{ESC}[32m2{ESC}[0m"
    banner = f"{ESC}[31m{ESC}[42m### RESULT ###{ESC}[0m"

    assert to_html(bold_red) == f"{RED}failed</font>"
    assert to_html(bold_green) == f"{GREEN}2</font>"
    assert to_html(banner) == f"{BLUE}### RESULT ###</font>"
    assert to_html(f"{ESC}[1;31mx{ESC}[m y") == f"{RED}x</font> y"


def test_colours_never_nest_and_always_close() -> None:
    text = f"{ESC}[31ma{ESC}[32mb{ESC}[31mc\nd"

    assert to_html(text) == f"{RED}a</font>{GREEN}b</font>{RED}c<br>d</font>"


def test_colours_outside_the_table_draw_nothing() -> None:
    text = f"{ESC}[33myellow{ESC}[0m {ESC}[38;5;196mx{ESC}[48;2;1;2;3my{ESC}[0m"

    assert to_html(text) == "yellow xy"


def test_a_font_closing_tag_in_output_is_text() -> None:
    rendered = to_html(f"{ESC}[31mred </font><b>still red{ESC}[0m")

    assert rendered == f"{RED}red &lt;/font&gt;&lt;b&gt;still red</font>"
    assert markup_is_ours(rendered)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"a{ESC}[2J{ESC}[1;1Hb", "ab"),  # cursor and screen control
        (f"a{ESC}]0;evil title{chr(7)}b", "ab"),  # a window title (OSC)
        (f"a{ESC}]8;;http://x{ESC}\\link{ESC}]8;;{ESC}\\b", "alinkb"),  # a hyperlink
        (f"a{ESC}(Bb{ESC}=c", "abc"),  # charset and keypad escapes
        (f"tail{ESC}[31", "tail"),  # cut short at the end
        (f"tail{ESC}", "tail"),
        (f"a{ESC}[31\nb", "a<br>b"),  # broken by a newline
        (f"a{ESC}]never ends\nb", "a<br>b"),  # an OSC left open ends at the line
        ("a\x00b\x07c\x08d\x7fe\x9bf", "abcdef"),  # other controls
        ("cr\r\nlf\ttab", "cr<br>lf\ttab"),
    ],
)
def test_other_escapes_and_controls_are_dropped(text: str, shown: str) -> None:
    assert to_html(text) == shown


def test_absurd_sgr_parameters_are_ignored_not_an_error() -> None:
    huge = "9" * 10_000

    assert to_html(f"{ESC}[{huge}mx{ESC}[31;{huge}my") == f"x{RED}y</font>"
    assert to_html(f"{ESC}[38;5mx{ESC}[38my") == "xy"


def test_markup_hidden_in_escapes_is_still_text() -> None:
    text = f"{ESC}[<script>m{ESC}]<b>{chr(7)}<i>{ESC}[31m<u>"

    rendered = to_html(text)

    assert markup_is_ours(rendered)
    assert "&lt;i&gt;" in rendered and "&lt;u&gt;" in rendered


def test_a_huge_line_renders_in_linear_time() -> None:
    hostile = (f"{ESC}[31m<" + f"{ESC}[" * 3 + "x") * 200_000 + f"{ESC}]" + "y" * 1_000_000

    started = time.monotonic()
    rendered = to_html(hostile)
    elapsed = time.monotonic() - started

    assert markup_is_ours(rendered)
    assert rendered.count("&lt;") == 200_000
    assert elapsed < 10, f"{elapsed:.1f} s"
