"""Quiet hours: a notification due inside them waits until their end, in Kyiv wall-clock time."""

import datetime as dt

import pytest

from core.errors import InvalidQuietHoursError, InvalidTimeOfDayError
from core.notifications.service import parse_quiet_hours, quiet_hours_end
from core.timezone import KYIV

NIGHT = (22 * 60, 7 * 60)
LUNCH = (13 * 60, 14 * 60 + 30)


def kyiv(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=KYIV).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("now", "quiet", "expected"),
    [
        (kyiv(2026, 1, 29, 23, 15), NIGHT, kyiv(2026, 1, 30, 7, 0)),
        (kyiv(2026, 1, 29, 3, 0), NIGHT, kyiv(2026, 1, 29, 7, 0)),
        (kyiv(2026, 1, 29, 22, 0), NIGHT, kyiv(2026, 1, 30, 7, 0)),
        (kyiv(2026, 1, 29, 7, 0), NIGHT, kyiv(2026, 1, 29, 7, 0)),
        (kyiv(2026, 1, 29, 12, 0), NIGHT, kyiv(2026, 1, 29, 12, 0)),
        (kyiv(2026, 1, 29, 13, 45), LUNCH, kyiv(2026, 1, 29, 14, 30)),
        (kyiv(2026, 1, 29, 14, 30), LUNCH, kyiv(2026, 1, 29, 14, 30)),
        (kyiv(2026, 1, 29, 12, 59), LUNCH, kyiv(2026, 1, 29, 12, 59)),
    ],
)
def test_quiet_hours_end_table(
    now: dt.datetime, quiet: tuple[int, int], expected: dt.datetime
) -> None:
    assert quiet_hours_end(now, *quiet) == expected


def test_no_quiet_hours_sends_now() -> None:
    now = kyiv(2026, 1, 29, 23, 15)
    assert quiet_hours_end(now, None, None) == now


def test_quiet_hours_end_on_dst_night() -> None:
    # 2026-03-29: Kyiv clocks jump from 03:00 to 04:00; 07:00 that morning is UTC+3.
    now = kyiv(2026, 3, 28, 23, 30)
    assert quiet_hours_end(now, *NIGHT) == dt.datetime(2026, 3, 29, 4, 0, tzinfo=dt.UTC)


def test_parse_quiet_hours_minutes() -> None:
    assert parse_quiet_hours("22:00", "07:00") == NIGHT
    assert parse_quiet_hours(None, None) == (None, None)


@pytest.mark.parametrize("value", ["24:00", "7:00", "07:60", "0700", "07:00:00", ""])
def test_parse_quiet_hours_rejects_bad_time(value: str) -> None:
    with pytest.raises(InvalidTimeOfDayError):
        parse_quiet_hours(value, "07:00")


def test_parse_quiet_hours_needs_both() -> None:
    with pytest.raises(InvalidQuietHoursError):
        parse_quiet_hours("22:00", None)


def test_parse_quiet_hours_rejects_equal_times() -> None:
    with pytest.raises(InvalidQuietHoursError):
        parse_quiet_hours("22:00", "22:00")
