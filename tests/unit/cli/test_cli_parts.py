"""The pure parts of `jobfleet`: its parser (help on every command, the same connection flags
everywhere), the progress count, and how flags' values are read."""

from __future__ import annotations

import argparse
import time

import pytest

from jobfleet.cli.common import CliError
from jobfleet.cli.main import parser
from jobfleet.cli.outcome import exit_code
from jobfleet.cli.progress import Progress
from jobfleet.cli.submit import parse_vars
from jobfleet.cli.tasks import parse_statuses, parse_when
from jobfleet.v1 import common_pb2

CONNECTION_FLAGS = {"--master", "--token-file", "--project", "--config", "--tls-ca", "--tls-cert"}


def commands(
    p: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command's parser by its words."""
    found = {" ".join(path): p} if path else {}
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.update(commands(child, (*path, name)))
    return found


def flags(p: argparse.ArgumentParser) -> set[str]:
    return {s for a in p._actions for s in a.option_strings}


def test_every_command_has_help_and_every_client_command_the_same_connection_flags() -> None:
    every = commands(parser())
    local = {"up", "completion"}

    assert set(every) >= {"run", "tasks", "show", "tail", "kill", "decide", "jobs", "jobs show"}
    assert set(every) >= {"submit", "crontabs", "slaves", "tokens", "tokens create", "shell"}
    for name, p in every.items():
        assert p.format_help(), name
        if name not in local:
            assert CONNECTION_FLAGS <= flags(p), name
            assert ("--json" in flags(p)) == (name != "shell"), name


def test_flags_given_before_a_nested_command_are_kept() -> None:
    args = parser().parse_args(["jobs", "--json", "--master", "m:1", "show", "deploy"])
    plain = parser().parse_args(["jobs", "show", "deploy"])

    assert (args.json, args.master, args.job) == (True, "m:1", "deploy")
    assert (plain.json, plain.master) == (False, None)


def execution(
    node: str, status: common_pb2.ExecutionStatus, step: str = "a"
) -> common_pb2.Execution:
    return common_pb2.Execution(node=node, status=status, subtask_uuid=step, role="run")


def test_progress_counts_each_node_once_as_its_latest_status() -> None:
    progress = Progress(expected=4)
    progress.seen(execution("n1", common_pb2.EXECUTION_STATUS_RUNNING))
    progress.seen(execution("n2", common_pb2.EXECUTION_STATUS_FAIL))
    progress.seen(execution("n3", common_pb2.EXECUTION_STATUS_SUCCESS))
    progress.seen(execution("n2", common_pb2.EXECUTION_STATUS_RUNNING))  # run again

    assert progress.counts() == (1, 0, 2, 4)
    assert progress.line(12.4) == "1 done, 0 failed, 2 running of 4, 12s"


def test_progress_of_grows_with_executions_past_the_expected() -> None:
    progress = Progress()
    for step in ("a", "b"):
        progress.seen(execution("n1", common_pb2.EXECUTION_STATUS_TIMEOUT, step))

    assert progress.counts() == (0, 2, 0, 2)


def test_exit_codes_follow_the_task_end() -> None:
    assert exit_code(common_pb2.TASK_STATUS_SUCCESS) == 0
    assert exit_code(common_pb2.TASK_STATUS_FAIL) == 1
    assert exit_code(common_pb2.TASK_STATUS_REFUSE) == 1
    assert exit_code(common_pb2.TASK_STATUS_KILLED) == 3
    assert exit_code(common_pb2.TASK_STATUS_UNSPECIFIED) == 3


def test_times_are_ago_or_iso_and_anything_else_names_the_flag() -> None:
    now = time.time()

    assert abs(parse_when("2h", "--since") - (now - 7200)) < 5
    assert parse_when("2026-01-02T03:04:05+00:00", "--until") == 1767323045
    with pytest.raises(CliError, match="--since: 'yesterday'"):
        parse_when("yesterday", "--since")


def test_statuses_and_variables_name_the_flag_when_wrong() -> None:
    assert parse_statuses("fail, Killed") == [
        common_pb2.TASK_STATUS_FAIL,
        common_pb2.TASK_STATUS_KILLED,
    ]
    assert parse_vars(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(CliError, match="--status: unknown finished"):
        parse_statuses("finished")
    with pytest.raises(CliError, match="--var: '=1' is not NAME=VALUE"):
        parse_vars(["=1"])
