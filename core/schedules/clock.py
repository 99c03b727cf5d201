"""Wall-clock slot text as operators write it ("10:30 - 14:00") and splitting instants by local day."""

import datetime as dt
import re

from core.schedules.model import Interval
from core.timezone import local_day, local_midnight_utc, local_minute_to_utc

# A slot that wraps past midnight ("22:00-00:30") is accepted only up to this length; a longer
# wrap ("14:00-12:00") is far more likely a typo than a 22-hour outage.
MAX_WRAP_MINUTES = 12 * 60

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")


class ClockRangeError(ValueError):
    """A slot text that is not a valid "HH:MM - HH:MM" range."""


def parse_clock_range(day: dt.date, text: str) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC instants of a slot such as "22:00 - 24:00" written for the Kyiv `day`.

    "23:59" and "24:00" as an end mean the next local midnight. An end earlier than the start
    continues into the next day when the slot stays within `MAX_WRAP_MINUTES`; otherwise it is
    an error, never dropped.
    """
    match = _RANGE.match(text)
    if match is None:
        raise ClockRangeError(f"'{text}' is not a time range such as 10:30 - 14:00")
    start = _minutes(match.group(1), match.group(2), text)
    end = _minutes(match.group(3), match.group(4), text)
    if end == 23 * 60 + 59:
        end = 24 * 60
    if start == 24 * 60:
        raise ClockRangeError(f"'{text}' starts at 24:00; write 00:00 of the next day")

    if end > start:
        return local_minute_to_utc(day, start), local_minute_to_utc(day, end)
    length = 24 * 60 - start + end
    if end == start or length > MAX_WRAP_MINUTES:
        raise ClockRangeError(f"'{text}' ends before it starts; check the times")
    return local_minute_to_utc(day, start), local_minute_to_utc(day + dt.timedelta(days=1), end)


def _minutes(hours: str, minutes: str, text: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > 24 * 60:
        raise ClockRangeError(f"'{text}' has a time that does not exist")
    return value


def split_by_local_day(intervals: list[Interval]) -> dict[dt.date, list[Interval]]:
    """Cut intervals at Kyiv midnights, so each piece belongs to one local day."""
    days: dict[dt.date, list[Interval]] = {}
    for interval in intervals:
        start = interval.start
        while start < interval.end:
            day = local_day(start)
            midnight = local_midnight_utc(day + dt.timedelta(days=1))
            end = min(midnight, interval.end)
            days.setdefault(day, []).append(Interval(start, end, interval.state))
            start = end
    return days
