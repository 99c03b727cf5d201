"""What a new schedule version changed: per queue and day, the intervals added and removed."""

import datetime as dt
from typing import Any

import msgspec

from core.schedules import codec
from core.schedules.model import DaySchedule, Interval


class DayChange(msgspec.Struct, frozen=True):
    """One queue's day before and after a version. `status_before` is None for a new day."""

    queue: str
    date: dt.date
    status_before: str | None
    status: str
    added: tuple[Interval, ...]
    removed: tuple[Interval, ...]
    hours_off_before: float = 0.0
    """Total definite outage hours of the day before the change."""
    hours_off: float = 0.0
    """Total definite outage hours of the day after the change."""


def day_change(before: DaySchedule | None, after: DaySchedule) -> DayChange:
    old = set(before.intervals) if before else set()
    new = set(after.intervals)
    return DayChange(
        queue=after.queue,
        date=after.day,
        status_before=before.status.value if before else None,
        status=after.status.value,
        added=tuple(sorted(new - old, key=lambda i: i.start)),
        removed=tuple(sorted(old - new, key=lambda i: i.start)),
        hours_off_before=hours_off(before.intervals) if before else 0.0,
        hours_off=hours_off(after.intervals),
    )


def changes_to_json(changes: list[DayChange]) -> list[dict[str, Any]]:
    return [
        {
            "queue": c.queue,
            "date": c.date.isoformat(),
            "status_before": c.status_before,
            "status": c.status,
            "added": codec.intervals_to_json(c.added),
            "removed": codec.intervals_to_json(c.removed),
            "hours_off_before": c.hours_off_before,
            "hours_off": c.hours_off,
        }
        for c in changes
    ]


def changes_from_json(raw: list[dict[str, Any]] | None) -> list[DayChange]:
    return [
        DayChange(
            queue=item["queue"],
            date=dt.date.fromisoformat(item["date"]),
            status_before=item["status_before"],
            status=item["status"],
            added=codec.intervals_from_json(item["added"]),
            removed=codec.intervals_from_json(item["removed"]),
            hours_off_before=item.get("hours_off_before", 0.0),
            hours_off=item.get("hours_off", 0.0),
        )
        for item in raw or []
    ]


def hours_off(intervals: tuple[Interval, ...]) -> float:
    """Total definite outage time of some intervals, in hours."""
    seconds = sum((i.end - i.start).total_seconds() for i in intervals if i.state.value == "off")
    return round(seconds / 3600, 2)
