"""The audit rules of a terminal's input: what is logged, and what never is."""

from __future__ import annotations

import termios

from slave.terminal.lines import AuditLine, Echo, LineRules, echo_of


def typed(rules: LineRules, data: bytes, echo: Echo = Echo.ON, now: float = 0.0) -> list[AuditLine]:
    return rules.input(data, echo, now)


def test_a_line_is_what_the_terminal_shows_after_editing() -> None:
    rules = LineRules()
    assert typed(rules, b"ls -x") == []
    assert typed(rules, b"\x7fl /tmp\r") == [AuditLine("ls -l /tmp", False)]
    assert typed(rules, b"rm -rf junk\x15echo hi\n") == [AuditLine("echo hi", False)]
    assert typed(rules, b"echo one two\x17three\r") == [AuditLine("echo one three", False)]


def test_ctrl_c_drops_the_line_and_escape_sequences_are_dropped() -> None:
    rules = LineRules()
    assert typed(rules, b"reboot\x03") == []
    assert typed(rules, b"\x1b[Aec") + typed(rules, b"\x1b[") + typed(
        rules, b"1;5Dho\x1bOP x\r"
    ) == [AuditLine("echo x", False)]
    assert typed(rules, b"\r\r") == []  # empty Enter: no line


def test_input_typed_with_echo_off_is_hidden_never_its_text() -> None:
    rules = LineRules()
    assert typed(rules, b"s3cret\r", Echo.HIDDEN) == [AuditLine("", True)]
    # started visible, finished hidden (the prompt switched echo off): hidden all the same
    assert typed(rules, b"pa") == []
    assert typed(rules, b"ss\r", Echo.HIDDEN) == [AuditLine("", True)]
    assert typed(rules, b"unknown\r", Echo.UNKNOWN) == [AuditLine("", True)]


def test_raw_mode_lines_are_kept_only_when_echoed() -> None:
    rules = LineRules(echo_window=0.5)
    assert typed(rules, b"vi x", Echo.RAW, 0.0) == []
    assert rules.output(b"v\x1b[0mi x", 0.1) == []
    assert typed(rules, b"\r", Echo.RAW, 0.2) == [AuditLine("vi x", False)]
    assert typed(rules, b"ls\r", Echo.RAW, 0.3) == []  # waits for a late echo
    assert rules.output(b"ls", 0.4) == [AuditLine("ls", False)]

    assert typed(rules, b"hunter2\r", Echo.RAW, 1.0) == []
    assert rules.output(b"*******", 1.1) == []
    assert rules.due(1.4) == []
    assert rules.due(1.6) == [AuditLine("", True)]


def test_echo_state_from_termios_flags() -> None:
    on = termios.ICANON | termios.ECHO
    assert echo_of(on, termios.ICANON, termios.ECHO) is Echo.ON
    assert echo_of(termios.ICANON, termios.ICANON, termios.ECHO) is Echo.HIDDEN
    assert echo_of(termios.ECHO, termios.ICANON, termios.ECHO) is Echo.RAW
