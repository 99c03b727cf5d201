"""Slot text and local-day splitting."""

import datetime as dt

import pytest

from core.schedules.clock import ClockRangeError, parse_clock_range, split_by_local_day
from core.schedules.model import Interval, SlotState

DAY = dt.date(2026, 1, 29)
NEXT_MIDNIGHT = dt.datetime(2026, 1, 29, 22, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["22:00 - 23:59", "22:00 - 24:00", "22:00-24:00", "22:00 – 23:59"])
def test_end_of_day_spellings_end_at_next_midnight(text: str) -> None:
    assert parse_clock_range(DAY, text)[1] == NEXT_MIDNIGHT


def test_slot_past_midnight_ends_next_day() -> None:
    start, end = parse_clock_range(DAY, "22:00-00:30")
    assert (start, end) == (
        dt.datetime(2026, 1, 29, 20, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 29, 22, 30, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    "text", ["14:00-12:00", "10:00-10:00", "25:00-26:00", "10:75-11:00", "24:00-01:00", "noon"]
)
def test_bad_slot_is_an_error(text: str) -> None:
    with pytest.raises(ClockRangeError):
        parse_clock_range(DAY, text)


def test_utc_events_split_into_local_days() -> None:
    events = [
        Interval(
            dt.datetime(2025, 11, 12, 21, 30, tzinfo=dt.UTC),
            dt.datetime(2025, 11, 12, 22, 0, tzinfo=dt.UTC),
            SlotState.OFF,
        ),
        Interval(
            dt.datetime(2025, 11, 12, 22, 0, tzinfo=dt.UTC),
            dt.datetime(2025, 11, 13, 1, 30, tzinfo=dt.UTC),
            SlotState.OFF,
        ),
    ]
    days = split_by_local_day(events)
    assert list(days) == [dt.date(2025, 11, 12), dt.date(2025, 11, 13)]
    assert [(i.start.hour, i.start.minute, i.end.hour) for i in days[dt.date(2025, 11, 12)]] == [
        (21, 30, 22)
    ]
    assert days[dt.date(2025, 11, 13)][0].end == dt.datetime(2025, 11, 13, 1, 30, tzinfo=dt.UTC)


def test_interval_over_midnight_is_cut_at_midnight() -> None:
    interval = Interval(
        dt.datetime(2026, 1, 29, 19, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 30, 0, 0, tzinfo=dt.UTC),
        SlotState.OFF,
    )
    days = split_by_local_day([interval])
    assert days[dt.date(2026, 1, 29)][0].end == NEXT_MIDNIGHT
    assert days[dt.date(2026, 1, 30)][0].start == NEXT_MIDNIGHT
