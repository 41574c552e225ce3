"""A crontab's next fire times as the console shows them: in its zone, with the offset."""

from __future__ import annotations

import datetime as dt

from gateway.ui.upcoming import next_fires, shown


def test_the_masters_next_fire_then_croniters_in_the_zone() -> None:
    first = dt.datetime(2026, 12, 6, 22, 45, tzinfo=dt.UTC)  # 04:30 in Kathmandu (+05:45)
    found = [shown(t) for t in next_fires("30 4 * * *", "Asia/Kathmandu", first)]
    assert found == [
        "2026-12-07 04:30:00 +0545",
        "2026-12-08 04:30:00 +0545",
        "2026-12-09 04:30:00 +0545",
    ]


def test_the_offset_follows_daylight_saving() -> None:
    first = dt.datetime(2026, 3, 27, 23, 0, tzinfo=dt.UTC)  # Berlin: 00:00 CET, before the change
    found = [shown(t) for t in next_fires("0 0 * * *", "Europe/Berlin", first)]
    assert found == [
        "2026-03-28 00:00:00 +0100",
        "2026-03-29 00:00:00 +0100",
        "2026-03-30 00:00:00 +0200",
    ]


def test_a_stopped_crontab_has_none_and_an_unknown_zone_is_shown_in_utc() -> None:
    assert next_fires("* * * * *", "Europe/Berlin", None) == []
    first = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert [shown(t) for t in next_fires("0 12 * * *", "Nowhere/Atlantis", first, 1)] == [
        "2026-01-01 12:00:00 +0000"
    ]
