"""Slave liveness settings: the lease and the stream-drop deadline follow the heartbeat."""

from __future__ import annotations

import pytest

from master.cli import config_from, parser
from master.config import MasterConfig


@pytest.mark.parametrize(
    ("flags", "heartbeat", "lease", "silent_after"),
    [
        ([], 5.0, 15.0, 10.0),  # two missed beats drop a stream; three lose its work
        (["--heartbeat", "10"], 10.0, 30.0, 20.0),
        (["--heartbeat", "0.5", "--lease", "3"], 0.5, 3.0, 1.5),  # as the fault tests run
        (["--heartbeat", "2", "--lease", "15"], 2.0, 15.0, 7.5),
    ],
)
def test_lease_and_silence_follow_the_heartbeat_unless_given(
    flags: list[str], heartbeat: float, lease: float, silent_after: float
) -> None:
    config = config_from(parser().parse_args(flags))

    assert (config.heartbeat_interval, config.lease) == (heartbeat, lease)
    assert config.silent_after == silent_after


def test_the_stream_of_a_slave_is_never_dropped_before_two_beats_are_missed() -> None:
    assert MasterConfig(heartbeat_interval=10.0, lease=15.0).silent_after == 20.0
