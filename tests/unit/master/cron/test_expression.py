"""The schedule function: cron expressions in IANA zones, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from master.cron.expression import Schedule, ScheduleError, check

BERLIN = "Europe/Berlin"  # 2024: 02:00 CET -> 03:00 CEST on 31 March, 03:00 -> 02:00 on 27 Oct


def at(text: str, zone: str = "UTC") -> int:
    """Unix seconds of a local wall time `YYYY-MM-DD HH:MM[:SS]` (the first one if repeated)."""
    wall = dt.datetime.fromisoformat(text)
    return int(wall.replace(tzinfo=ZoneInfo(zone)).timestamp())


def fires(cron: str, zone: str, start: str, count: int) -> list[str]:
    """The next `count` fire times after the wall time `start`, as local ISO times."""
    schedule, instant, shown = Schedule(cron, zone), at(start, zone), []
    for _ in range(count):
        instant = schedule.next_after(instant)
        shown.append(dt.datetime.fromtimestamp(instant, ZoneInfo(zone)).isoformat())
    return shown


def test_five_fields_fire_on_the_minute_in_utc() -> None:
    assert fires("*/20 * * * *", "UTC", "2024-05-01 10:05", 3) == [
        "2024-05-01T10:20:00+00:00",
        "2024-05-01T10:40:00+00:00",
        "2024-05-01T11:00:00+00:00",
    ]


def test_a_sixth_field_is_seconds() -> None:
    assert fires("* * * * * */20", "UTC", "2024-05-01 10:00:05", 3) == [
        "2024-05-01T10:00:20+00:00",
        "2024-05-01T10:00:40+00:00",
        "2024-05-01T10:01:00+00:00",
    ]
    assert fires("* * * * * *", "UTC", "2024-05-01 10:00:05", 2) == [
        "2024-05-01T10:00:06+00:00",
        "2024-05-01T10:00:07+00:00",
    ]


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("@hourly", "2024-05-01T11:00:00+05:30"),
        ("@daily", "2024-05-02T00:00:00+05:30"),
        ("@midnight", "2024-05-02T00:00:00+05:30"),
        ("@weekly", "2024-05-05T00:00:00+05:30"),  # Sunday
        ("@monthly", "2024-06-01T00:00:00+05:30"),
        ("@yearly", "2025-01-01T00:00:00+05:30"),
        ("@annually", "2025-01-01T00:00:00+05:30"),
    ],
)
def test_aliases_in_a_half_hour_zone(alias: str, expected: str) -> None:
    assert fires(alias, "Asia/Kolkata", "2024-05-01 10:10", 1) == [expected]


def test_wall_time_follows_the_zone_across_its_offset_change() -> None:
    # New York moves to daylight time on Sunday 10 March 2024: 09:00 local stays 09:00.
    schedule = Schedule("0 9 * * 1-5", "America/New_York")
    friday = schedule.next_after(at("2024-03-08 00:00", "America/New_York"))
    monday = schedule.next_after(friday)
    assert friday == at("2024-03-08 14:00")  # UTC-5
    assert monday == at("2024-03-11 13:00")  # UTC-4


def test_spring_forward_a_skipped_wall_time_fires_once_shifted_by_the_gap() -> None:
    assert fires("30 2 * * *", BERLIN, "2024-03-29 12:00", 3) == [
        "2024-03-30T02:30:00+01:00",
        "2024-03-31T03:30:00+02:00",  # 02:30 does not exist that day
        "2024-04-01T02:30:00+02:00",
    ]


def test_spring_forward_an_hourly_crontab_never_fires_an_instant_twice() -> None:
    assert fires("30 * * * *", BERLIN, "2024-03-31 00:00", 4) == [
        "2024-03-31T00:30:00+01:00",
        "2024-03-31T01:30:00+01:00",
        "2024-03-31T03:30:00+02:00",  # 02:30 shifted is 03:30: one fire, not two
        "2024-03-31T04:30:00+02:00",
    ]


def test_spring_forward_every_second_keeps_its_pace() -> None:
    assert fires("* * * * * *", BERLIN, "2024-03-31 01:59:58", 3) == [
        "2024-03-31T01:59:59+01:00",
        "2024-03-31T03:00:00+02:00",
        "2024-03-31T03:00:01+02:00",
    ]


def test_fall_back_a_daily_crontab_fires_the_repeated_wall_time_once() -> None:
    assert fires("30 2 * * *", BERLIN, "2024-10-26 12:00", 3) == [
        "2024-10-27T02:30:00+02:00",
        "2024-10-28T02:30:00+01:00",
        "2024-10-29T02:30:00+01:00",
    ]
    assert fires("0 */2 * * *", BERLIN, "2024-10-27 01:00", 2) == [
        "2024-10-27T02:00:00+02:00",
        "2024-10-27T04:00:00+01:00",  # not again at 02:00 CET: it is not every hour
    ]


def test_fall_back_an_hourly_crontab_fires_in_both_repeated_hours() -> None:
    assert fires("30 * * * *", BERLIN, "2024-10-27 01:00", 4) == [
        "2024-10-27T01:30:00+02:00",
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
        "2024-10-27T03:30:00+01:00",
    ]


def test_fall_back_every_minute_fires_every_real_minute() -> None:
    schedule = Schedule("* * * * *", BERLIN)
    start, end = at("2024-10-27 00:00"), at("2024-10-27 02:00")  # UTC: 02:00 CEST .. 03:00 CET
    assert schedule.count_in(schedule.next_after(start), end, 1000) == 120


def test_last_in_and_count_in() -> None:
    schedule = Schedule("* * * * * *", "UTC")
    assert schedule.last_in(100, 5000) == 5000
    assert schedule.last_in(100, 100) is None
    assert schedule.count_in(10, 20, 100) == 11
    assert schedule.count_in(10, 2000, 100) == 100
    daily = Schedule("0 3 * * *", "UTC")
    assert daily.last_in(0, at("2024-05-05 12:00")) == at("2024-05-05 03:00")


@pytest.mark.parametrize(
    ("cron", "why"),
    [
        ("61 * * * *", "out of range"),
        ("* * * *", "expected 5 fields"),
        ("* * * * * * *", "expected 5 fields"),
        ("@reboot", "unknown alias"),
        ("", "empty"),
        ("every day", "expected 5 fields"),
        ("0 0 30 2 *", "never fires"),
    ],
)
def test_bad_expressions_say_why(cron: str, why: str) -> None:
    with pytest.raises(ScheduleError, match=why):
        check(cron, "UTC", at("2024-05-01 00:00"))


def test_an_unknown_zone_is_named() -> None:
    with pytest.raises(ScheduleError, match="unknown time zone 'Mars/Olympus'"):
        Schedule("* * * * *", "Mars/Olympus")
