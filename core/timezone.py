"""Local-day arithmetic for Europe/Kyiv.

Every "day" in the platform is a Europe/Kyiv calendar day. Wall-clock times from sources are
resolved with zoneinfo on their own date, never by adding hours to midnight: 2025-03-30 has
23 hours and 2025-10-26 has 25.
"""

import datetime as dt
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
UTC = dt.UTC
MINUTES_PER_DAY = 24 * 60


def local_minute_to_utc(day: dt.date, minute: int) -> dt.datetime:
    """Return the UTC instant of wall-clock `minute` (0..1440) on the Kyiv calendar `day`.

    Minute 1440 is the next local midnight. A wall-clock time inside the spring-forward gap
    (03:00-04:00 on the last Sunday of March) resolves to the end of the gap, so an hour that
    does not exist has no length and 03:30 never lands after 04:00.
    """
    if not 0 <= minute <= MINUTES_PER_DAY:
        raise ValueError(f"minute {minute} is outside 0..{MINUTES_PER_DAY}")
    if minute == MINUTES_PER_DAY:
        day, minute = day + dt.timedelta(days=1), 0

    naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    instant = naive.replace(tzinfo=KYIV).astimezone(UTC)
    if instant.astimezone(KYIV).replace(tzinfo=None) == naive:
        return instant
    # The wall time does not exist: the later-offset reading falls before the gap and the
    # earlier-offset reading after it, and the gap ends where the offsets change.
    before_gap = naive.replace(tzinfo=KYIV, fold=1).astimezone(UTC)
    return _offset_change_after(before_gap)


def _offset_change_after(instant: dt.datetime) -> dt.datetime:
    offset = instant.astimezone(KYIV).utcoffset()
    probe = instant
    while probe.astimezone(KYIV).utcoffset() == offset:
        probe += dt.timedelta(minutes=1)
    return probe


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """Return the UTC instant at which the Kyiv calendar `day` begins."""
    return local_minute_to_utc(day, 0)


def local_day(instant: dt.datetime) -> dt.date:
    """Return the Kyiv calendar day that contains the aware `instant`."""
    return instant.astimezone(KYIV).date()


def to_local(instant: dt.datetime) -> dt.datetime:
    """Return the aware `instant` expressed with the Kyiv offset in force at that moment."""
    return instant.astimezone(KYIV)


def now_utc() -> dt.datetime:
    return dt.datetime.now(UTC)
