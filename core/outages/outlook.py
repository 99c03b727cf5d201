"""State now and the next outage of one queue, computed from its day schedules.

Pure functions over the normalized model: no I/O, so every case is a unit test. The days of a
queue are joined into one timeline, so an outage from 21:00 today to 02:00 tomorrow published in
two day documents is one outage.
"""

import datetime as dt

import msgspec

from core.schedules.model import DaySchedule, DayStatus, Interval, SlotState, merge_intervals
from core.timezone import local_day

# A day in one of these states says for certain which hours are covered.
DEFINITE_STATUSES = frozenset({DayStatus.APPLIES, DayStatus.NO_OUTAGES})


class StateNow(msgspec.Struct, frozen=True):
    """`value` is on, off, possible, emergency or unknown; `since` and `until` are None when not known."""

    value: str
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class QueueOutlook(msgspec.Struct, frozen=True):
    queue: str
    state: StateNow
    next_outage: Interval | None
    next_outage_known: bool
    days: tuple[DaySchedule, ...]


def day_or_no_data(queue: str, day: dt.date, schedule: DaySchedule | None) -> DaySchedule:
    return schedule if schedule is not None else DaySchedule(queue, day, DayStatus.NO_DATA)


def compute_outlook(queue: str, days: list[DaySchedule], at: dt.datetime) -> QueueOutlook:
    """Compute the outlook at instant `at` from consecutive days that include the day of `at`.

    `days` must be sorted by date and cover yesterday, today and tomorrow, with NO_DATA days for
    those the sources did not publish.
    """
    timeline = merge_intervals([i for d in days for i in d.intervals])
    today = _day_of(days, at)
    state = _state_now(timeline, today, days, at)
    next_outage, known = _next_outage(timeline, days, at)
    return QueueOutlook(queue, state, next_outage, known, tuple(days))


def _day_of(days: list[DaySchedule], at: dt.datetime) -> DaySchedule:
    local = local_day(at)
    for day in days:
        if day.day == local:
            return day
    raise ValueError(f"the days given do not include {local}")


def _state_now(
    timeline: tuple[Interval, ...], today: DaySchedule, days: list[DaySchedule], at: dt.datetime
) -> StateNow:
    if today.status is DayStatus.EMERGENCY:
        return StateNow("emergency")

    for interval in timeline:
        if interval.start <= at < interval.end:
            return StateNow(interval.state.value, interval.start, interval.end)

    if today.status not in DEFINITE_STATUSES:
        return StateNow("unknown")
    return StateNow("on", _last_end_before(timeline, at), _on_until(timeline, days, at))


def _last_end_before(timeline: tuple[Interval, ...], at: dt.datetime) -> dt.datetime | None:
    ends = [i.end for i in timeline if i.end <= at]
    return max(ends) if ends else None


def _on_until(
    timeline: tuple[Interval, ...], days: list[DaySchedule], at: dt.datetime
) -> dt.datetime | None:
    """Return when power may go next: the start of the next covered interval, if the data reaches it."""
    upcoming = [i.start for i in timeline if i.start > at]
    if not upcoming:
        return None
    start = min(upcoming)
    return start if _definite_through(days, at, start) else None


def _next_outage(
    timeline: tuple[Interval, ...], days: list[DaySchedule], at: dt.datetime
) -> tuple[Interval | None, bool]:
    """Return the next definite outage after `at` and whether the published data settles it.

    When no outage lies ahead, the answer is known only if every day from now to the end of the
    data is definite: an emergency, waiting or no-data day leaves the next outage unknown.
    """
    for interval in timeline:
        if interval.state is SlotState.OFF and interval.start > at:
            return interval, _definite_through(days, at, interval.start)
    return None, _definite_through(days, at, None)


def _definite_through(days: list[DaySchedule], at: dt.datetime, until: dt.datetime | None) -> bool:
    first = local_day(at)
    last = local_day(until) if until is not None else days[-1].day
    return all(d.status in DEFINITE_STATUSES for d in days if first <= d.day <= last)
