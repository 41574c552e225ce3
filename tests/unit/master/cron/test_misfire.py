"""The misfire policy: what due fire times become at a given `now`."""

from __future__ import annotations

from master.cron.expression import Schedule
from master.cron.misfire import decide
from master.domain import Fire, Policy

EVERY_SECOND = Schedule("* * * * * *", "UTC")
EVERY_MINUTE = Schedule("* * * * *", "UTC")
T = 1_714_564_800  # 2024-05-01 12:00:00 UTC, a whole minute


def test_a_fire_reached_in_time_starts() -> None:
    decided = decide(EVERY_MINUTE, T, T + 45, Policy.SKIP, 0, threshold=60)

    assert decided.fires == [Fire(T, T, True)]
    assert decided.next_tick == T + 60


def test_of_fire_times_due_at_once_only_the_latest_starts() -> None:
    decided = decide(EVERY_SECOND, T, T + 10.5, Policy.SKIP, 0, threshold=60)

    missed, started = decided.fires
    assert (missed.fire_time, missed.through, missed.start) == (T, T + 9, False)
    assert "missed 10 fire time(s)" in missed.reason
    assert started == Fire(T + 10, T + 10, True)
    assert decided.next_tick == T + 11


def test_skip_records_a_long_outage_as_one_misfire_and_runs_nothing() -> None:
    hourly = Schedule("0 * * * *", "UTC")
    decided = decide(hourly, T, T + 3 * 3600 + 200, Policy.SKIP, 0, threshold=60)

    assert len(decided.fires) == 1
    missed = decided.fires[0]
    assert (missed.fire_time, missed.through, missed.start) == (T, T + 3 * 3600, False)
    assert "missed 4 fire time(s) from 2024-05-01 12:00:00 UTC" in missed.reason
    assert "policy skip" in missed.reason
    assert decided.next_tick == T + 4 * 3600


def test_a_minute_crontab_after_an_hour_down_starts_its_latest_fire_if_in_time() -> None:
    decided = decide(EVERY_MINUTE, T, T + 3600 + 30, Policy.SKIP, 0, threshold=60)

    missed, started = decided.fires
    assert (missed.fire_time, missed.through) == (T, T + 3540)
    assert "missed 60 fire time(s)" in missed.reason
    assert started == Fire(T + 3600, T + 3600, True)


def test_run_once_starts_the_latest_missed_fire_late_within_the_grace() -> None:
    hourly = Schedule("0 * * * *", "UTC")
    decided = decide(hourly, T, T + 3 * 3600 + 200, Policy.RUN_ONCE, 300, threshold=60)

    missed, started = decided.fires
    assert (missed.fire_time, missed.through) == (T, T + 2 * 3600)
    assert (started.fire_time, started.start) == (T + 3 * 3600, True)
    assert "200 s late" in started.reason
    assert decided.next_tick == T + 4 * 3600


def test_run_once_beyond_the_grace_misfires_like_skip() -> None:
    daily = Schedule("0 12 * * *", "UTC")
    decided = decide(daily, T, T + 2 * 86400 + 3600, Policy.RUN_ONCE, 300, threshold=60)

    assert [(f.fire_time, f.through, f.start) for f in decided.fires] == [(T, T + 2 * 86400, False)]
    assert "missed 3 fire time(s)" in decided.fires[0].reason


def test_a_single_missed_fire_is_named_by_its_time() -> None:
    hourly = Schedule("0 * * * *", "UTC")
    decided = decide(hourly, T, T + 61, Policy.SKIP, 0, threshold=60)

    assert [f.start for f in decided.fires] == [False]
    assert "missed 1 fire time(s) at 2024-05-01 12:00:00 UTC" in decided.fires[0].reason
