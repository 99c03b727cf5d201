"""Readers and writers of the YASNO API schedule objects.

The planned-outages object maps groups "36.1" to `today` and `tomorrow`, each with `slots` in
wall-clock minutes from local midnight (0..1440), a `date` and a `status`. The legacy v1 page
contains a weekly template of possible outages per city, in fractional hours (8.5 is 08:30).
"""

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from core.formats.dtek import child_place, format_error, json_type, require_key, require_object
from core.schedules.model import (
    DaySchedule,
    DayStatus,
    Interval,
    SlotState,
    TemplateSpan,
    WeeklyTemplate,
    merge_intervals,
    normalize_queue_id,
    queue_sort_key,
)
from core.timezone import KYIV, MINUTES_PER_DAY, UTC, local_minute_to_utc

DAY_KEYS = ("today", "tomorrow")
SLOT_TYPES: Mapping[str, SlotState | None] = {"Definite": SlotState.OFF, "NotPlanned": None}
STATUSES: Mapping[str, DayStatus] = {
    "ScheduleApplies": DayStatus.APPLIES,
    "WaitingForSchedule": DayStatus.WAITING,
    "EmergencyShutdowns": DayStatus.EMERGENCY,
}
LEGACY_COMPONENT = "electricity-outages-daily-schedule"
# NOTE: the only capture of the legacy page has POSSIBLE_OUTAGE alone. DEFINITE_OUTAGE is the
# name the same API used for definite outages and is accepted on that assumption.
LEGACY_TYPES: Mapping[str, SlotState] = {
    "POSSIBLE_OUTAGE": SlotState.POSSIBLE,
    "DEFINITE_OUTAGE": SlotState.OFF,
}


def read_yasno_planned_outages(
    obj: Any, *, file: str
) -> tuple[list[DaySchedule], dt.datetime | None]:
    """Read a planned-outages object into day schedules sorted by day and queue.

    The update time is the latest `updatedOn` of all groups, or None when no group states one.
    """
    days: list[DaySchedule] = []
    stamps: list[dt.datetime] = []
    for key, value in require_object(obj, file, "").items():
        group = require_object(value, file, key)
        queue = _read_queue(key, file, key, prefix="")
        present = [day_key for day_key in DAY_KEYS if day_key in group]
        if not present:
            raise format_error(file, key, "the group has neither 'today' nor 'tomorrow'")
        days.extend(_read_day(queue, group[k], file, child_place(key, k)) for k in present)
        stamp = _read_updated_on(group, file, key)
        if stamp is not None:
            stamps.append(stamp)

    _reject_repeated_days(days, file)
    days.sort(key=lambda schedule: (schedule.day, queue_sort_key(schedule.queue)))
    return days, max(stamps, default=None)


def _read_day(queue: str, value: Any, file: str, place: str) -> DaySchedule:
    """Read one `today` or `tomorrow` object.

    Only the date part of `date` counts, and slots resolve on that local date. Definite slots stay
    OFF under every status, so a WAITING day keeps its tentative outages.
    """
    day_obj = require_object(value, file, place)
    day = _read_local_date(
        require_key(day_obj, "date", file, place), file, child_place(place, "date")
    )
    status = _read_status(
        require_key(day_obj, "status", file, place), file, child_place(place, "status")
    )
    slots_place = child_place(place, "slots")
    slots = require_key(day_obj, "slots", file, place)
    if not isinstance(slots, list):
        raise format_error(file, slots_place, f"expected a JSON array, found {json_type(slots)}")

    found = [
        _read_slot(day, slot, file, child_place(slots_place, i)) for i, slot in enumerate(slots)
    ]
    intervals = merge_intervals([interval for interval in found if interval is not None])
    if status is DayStatus.APPLIES and not intervals:
        status = DayStatus.NO_OUTAGES
    return DaySchedule(queue, day, status, intervals)


def _read_slot(day: dt.date, value: Any, file: str, place: str) -> Interval | None:
    slot = require_object(value, file, place)
    start = _read_minute(slot, "start", file, place)
    end = _read_minute(slot, "end", file, place)
    kind = require_key(slot, "type", file, place)
    if not isinstance(kind, str) or kind not in SLOT_TYPES:
        reason = f"unknown slot type {_show(kind)}; expected one of {', '.join(SLOT_TYPES)}"
        raise format_error(file, child_place(place, "type"), reason)
    if end <= start:
        raise format_error(
            file, place, f"the slot ends at minute {end}, not after its start {start}"
        )

    state = SLOT_TYPES[kind]
    start_utc, end_utc = _wall_minute_to_utc(day, start), _wall_minute_to_utc(day, end)
    if state is None or start_utc >= end_utc:
        return None  # a slot inside the spring-forward gap has no length
    return Interval(start_utc, end_utc, state)


def _wall_minute_to_utc(day: dt.date, minute: int) -> dt.datetime:
    """Resolve a wall-clock minute, moving a minute in the spring-forward gap to the gap's end.

    local_minute_to_utc gives a gap minute the winter offset, so 03:30 would fall after 04:00.
    """
    instant = local_minute_to_utc(day, minute)
    while minute < MINUTES_PER_DAY and instant.astimezone(KYIV).time() != _wall_time(minute):
        minute = (minute // 60 + 1) * 60
        instant = local_minute_to_utc(day, minute)
    return instant


def _wall_time(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


def _read_minute(slot: Mapping[str, Any], key: str, file: str, place: str) -> int:
    value = require_key(slot, key, file, place)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not (_is_number(value) and isinstance(value, int) and 0 <= value <= MINUTES_PER_DAY):
        reason = f"{_show(value)} is not a whole minute from 0 to {MINUTES_PER_DAY}"
        raise format_error(file, child_place(place, key), reason)
    return value


def _read_local_date(value: Any, file: str, place: str) -> dt.date:
    try:
        return dt.datetime.fromisoformat(value).date()
    except (TypeError, ValueError):
        reason = f"{_show(value)} is not a date such as 2026-01-29T00:00:00+02:00"
        raise format_error(file, place, reason) from None


def _read_status(value: Any, file: str, place: str) -> DayStatus:
    if not isinstance(value, str) or value not in STATUSES:
        reason = f"unknown status {_show(value)}; expected one of {', '.join(STATUSES)}"
        raise format_error(file, place, reason)
    return STATUSES[value]


def _read_updated_on(group: Mapping[str, Any], file: str, place: str) -> dt.datetime | None:
    value = group.get("updatedOn")
    if value is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        reason = f"{_show(value)} is not a time with an offset such as 2026-01-28T20:48:36+00:00"
        raise format_error(file, child_place(place, "updatedOn"), reason)
    return stamp.astimezone(UTC)


def _read_queue(key: str, file: str, place: str, *, prefix: str) -> str:
    try:
        return normalize_queue_id(key.removeprefix(prefix))
    except ValueError:
        reason = f"'{key}' is not a group such as {prefix}36.1"
        raise format_error(file, place, reason) from None


def _reject_repeated_days(days: Sequence[DaySchedule], file: str) -> None:
    seen: set[tuple[str, dt.date]] = set()
    for schedule in days:
        if (schedule.queue, schedule.day) in seen:
            reason = f"queue {schedule.queue} has two schedules for {schedule.day.isoformat()}"
            raise format_error(file, schedule.queue, reason)
        seen.add((schedule.queue, schedule.day))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def read_yasno_legacy_cities(obj: Any, *, file: str) -> list[str]:
    """Return the cities of a legacy v1 page's weekly schedule, sorted."""
    component, place = _find_legacy_component(obj, file)
    return sorted(_legacy_schedule(component, file, place))


def read_yasno_legacy(obj: Any, *, file: str, city: str) -> list[WeeklyTemplate]:
    """Read one city's weekly template from a legacy v1 page (wrapped in `payload` or bare)."""
    component, place = _find_legacy_component(obj, file)
    cities = _legacy_schedule(component, file, place)
    schedule_place = child_place(place, "schedule")
    if city not in cities:
        reason = f"city '{city}' is not in this file; choose one of {', '.join(sorted(cities))}"
        raise format_error(file, schedule_place, reason)

    city_place = child_place(schedule_place, city)
    templates: dict[str, WeeklyTemplate] = {}
    for key, week in require_object(cities[city], file, city_place).items():
        queue = _read_queue(key, file, child_place(city_place, key), prefix="group_")
        if queue in templates:
            raise format_error(
                file, child_place(city_place, key), f"group '{key}' repeats queue {queue}"
            )
        templates[queue] = _read_legacy_week(queue, week, file, child_place(city_place, key))
    return sorted(templates.values(), key=lambda template: queue_sort_key(template.queue))


def read_yasno_legacy_updated_at(obj: Any, *, file: str) -> dt.datetime | None:
    """Read the weekly schedule's `lastRegistryUpdateTime` (Unix seconds) as aware UTC."""
    component, place = _find_legacy_component(obj, file)
    value = component.get("lastRegistryUpdateTime")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        reason = f"{_show(value)} is not a Unix time in seconds"
        raise format_error(file, child_place(place, "lastRegistryUpdateTime"), reason)
    return dt.datetime.fromtimestamp(value, UTC)


def _find_legacy_component(obj: Any, file: str) -> tuple[Mapping[str, Any], str]:
    root, place = require_object(obj, file, ""), ""
    if "payload" in root:
        root, place = require_object(root["payload"], file, "payload"), "payload"
    components_place = child_place(place, "components")
    components = require_key(root, "components", file, place)
    if not isinstance(components, list):
        reason = f"expected a JSON array, found {json_type(components)}"
        raise format_error(file, components_place, reason)

    for index, component in enumerate(components):
        if isinstance(component, dict) and component.get("template_name") == LEGACY_COMPONENT:
            return component, child_place(components_place, index)
    raise format_error(file, components_place, f"no component is named '{LEGACY_COMPONENT}'")


def _legacy_schedule(component: Mapping[str, Any], file: str, place: str) -> Mapping[str, Any]:
    schedule = require_key(component, "schedule", file, place)
    return require_object(schedule, file, child_place(place, "schedule"))


def _read_legacy_week(queue: str, value: Any, file: str, place: str) -> WeeklyTemplate:
    """Read the 7 daily span lists (Monday..Sunday) of one group."""
    if not isinstance(value, list) or len(value) != 7:
        reason = f"expected an array of 7 days (Monday..Sunday), found {json_type(value)}"
        raise format_error(file, place, reason)

    spans: list[TemplateSpan] = []
    for index, day_spans in enumerate(value):
        day_place = child_place(place, index)
        if not isinstance(day_spans, list):
            reason = f"expected a JSON array, found {json_type(day_spans)}"
            raise format_error(file, day_place, reason)
        read = [
            _read_legacy_span(index + 1, s, file, child_place(day_place, i))
            for i, s in enumerate(day_spans)
        ]
        spans.extend(_merge_weekday_spans(index + 1, read))
    return WeeklyTemplate(queue, tuple(spans))


def _read_legacy_span(weekday: int, value: Any, file: str, place: str) -> TemplateSpan:
    span = require_object(value, file, place)
    start = _read_legacy_minute(span, "start", file, place)
    end = _read_legacy_minute(span, "end", file, place)
    kind = require_key(span, "type", file, place)
    if not isinstance(kind, str) or kind not in LEGACY_TYPES:
        reason = f"unknown span type {_show(kind)}; expected one of {', '.join(LEGACY_TYPES)}"
        raise format_error(file, child_place(place, "type"), reason)
    if end <= start:
        raise format_error(file, place, f"the span ends at hour {end / 60}, not after its start")
    return TemplateSpan(weekday, start, end, LEGACY_TYPES[kind])


def _read_legacy_minute(span: Mapping[str, Any], key: str, file: str, place: str) -> int:
    """Convert fractional hours (8.5 is 08:30, 24 is the end of the day) to whole minutes."""
    value = require_key(span, key, file, place)
    finite = _is_number(value) and math.isfinite(value)
    minutes = round(value * 60) if finite else -1
    if not (finite and abs(value * 60 - minutes) < 1e-6 and 0 <= minutes <= MINUTES_PER_DAY):
        reason = f"{_show(value)} is not an hour from 0 to 24 in whole minutes"
        raise format_error(file, child_place(place, key), reason)
    return minutes


def _merge_weekday_spans(weekday: int, spans: Sequence[TemplateSpan]) -> list[TemplateSpan]:
    """Merge overlapping or touching spans of one weekday. Where states overlap, OFF wins."""
    minutes: list[SlotState | None] = [None] * MINUTES_PER_DAY
    for state in (SlotState.POSSIBLE, SlotState.OFF):
        for span in spans:
            if span.state is state:
                minutes[span.start_minute : span.end_minute] = [state] * (
                    span.end_minute - span.start_minute
                )

    merged: list[TemplateSpan] = []
    for minute, covered in enumerate(minutes):
        if covered is None:
            continue
        last = merged[-1] if merged else None
        if last is not None and last.end_minute == minute and last.state is covered:
            merged[-1] = TemplateSpan(weekday, last.start_minute, minute + 1, covered)
        else:
            merged.append(TemplateSpan(weekday, minute, minute + 1, covered))
    return merged


def write_yasno_planned_outages(
    days: Mapping[dt.date, Mapping[str, Sequence[tuple[int, int]]]], *, updated_at: dt.datetime
) -> dict[str, Any]:
    """Build a planned-outages object from OFF spans per day and queue, for demo data.

    Spans are (start, end) wall-clock minutes within 0..1440. The first day is `today`. A second
    day must be the next day, and without one `tomorrow` is WaitingForSchedule with no slots, as
    the API publishes it before approval. A queue missing from a day has no outages that day.
    """
    dates = sorted(days)
    if not dates or len(dates) > 2 or dates[-1] - dates[0] > dt.timedelta(days=1):
        raise ValueError(f"expected one day or two consecutive days, got {dates}")
    if updated_at.tzinfo is None:
        raise ValueError(f"{updated_at.isoformat()} has no time zone; pass an aware datetime")

    today, tomorrow = dates[0], dates[0] + dt.timedelta(days=1)
    by_day = {
        day: {normalize_queue_id(q): spans for q, spans in days[day].items()} for day in dates
    }
    queues = sorted({queue for groups in by_day.values() for queue in groups}, key=queue_sort_key)
    stamp = updated_at.astimezone(UTC).isoformat()
    return {
        queue: {
            "today": _write_day(today, by_day[today].get(queue, ())),
            "tomorrow": _write_day(
                tomorrow, by_day[tomorrow].get(queue, ()) if tomorrow in by_day else None
            ),
            "updatedOn": stamp,
        }
        for queue in queues
    }


def _write_day(day: dt.date, spans: Sequence[tuple[int, int]] | None) -> dict[str, Any]:
    date = dt.datetime.combine(day, dt.time(0), tzinfo=KYIV).isoformat()
    if spans is None:
        return {"slots": [], "date": date, "status": "WaitingForSchedule"}
    return {"slots": _tile_slots(spans), "date": date, "status": "ScheduleApplies"}


def _tile_slots(spans: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """Cover 0..1440 with Definite slots for the spans and NotPlanned slots between them."""
    slots: list[dict[str, Any]] = []
    cursor = 0
    for start, end in sorted(spans):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"span {start}..{end} is not within 0..{MINUTES_PER_DAY}")
        if start < cursor:
            raise ValueError(f"span {start}..{end} overlaps the span before it")
        if start > cursor:
            slots.append({"start": cursor, "end": start, "type": "NotPlanned"})
        slots.append({"start": start, "end": end, "type": "Definite"})
        cursor = end
    if cursor < MINUTES_PER_DAY:
        slots.append({"start": cursor, "end": MINUTES_PER_DAY, "type": "NotPlanned"})
    return slots
