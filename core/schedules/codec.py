"""Conversion between the normalized schedule model and its stored JSON form."""

import datetime as dt
import hashlib
from typing import Any

import msgspec

from core.schedules.model import (
    DaySchedule,
    DayStatus,
    Interval,
    SlotState,
    TemplateSpan,
    WeeklyTemplate,
)


def intervals_to_json(intervals: tuple[Interval, ...]) -> list[list[str]]:
    return [[i.start.isoformat(), i.end.isoformat(), i.state.value] for i in intervals]


def intervals_from_json(raw: list[Any]) -> tuple[Interval, ...]:
    return tuple(
        Interval(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end), SlotState(state))
        for start, end, state in raw
    )


def spans_to_json(spans: tuple[TemplateSpan, ...]) -> list[list[Any]]:
    return [[s.weekday, s.start_minute, s.end_minute, s.state.value] for s in spans]


def spans_from_json(raw: list[Any]) -> tuple[TemplateSpan, ...]:
    return tuple(TemplateSpan(w, start, end, SlotState(state)) for w, start, end, state in raw)


def day_from_row(queue: str, day: dt.date, status: str, intervals: list[Any]) -> DaySchedule:
    return DaySchedule(queue, day, DayStatus(status), intervals_from_json(intervals))


def content_hash(days: tuple[DaySchedule, ...], templates: tuple[WeeklyTemplate, ...]) -> str:
    """Hash what a document says about the schedule, not when it was published."""
    ordered_days = sorted(days, key=lambda d: (d.day, d.queue))
    ordered_templates = sorted(templates, key=lambda t: t.queue)
    payload = msgspec.json.encode([ordered_days, ordered_templates])
    return hashlib.sha256(payload).hexdigest()
