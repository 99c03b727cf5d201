"""Readers and writers of the DTEK `DisconSchedule` objects published on the DTEK regional sites.

`fact` is the definite schedule of today and tomorrow. Its `data` maps the Unix time of each
Europe/Kyiv local midnight to groups `GPVx.y`, and each group maps hour keys "1".."24" to a state.
`preset` is the weekly template: its `data` maps each group to weekdays "1".."7" (Monday..Sunday)
of 24 hour keys. Hour key k covers the wall-clock hour [k-1:00, k:00) of its own local date.
"""

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.errors import SourceFormatError
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
from core.timezone import KYIV, MINUTES_PER_DAY, UTC, local_day, local_midnight_utc
from core.timezone import local_minute_to_utc as to_utc

HOURS = range(1, 25)
WEEKDAYS = range(1, 8)

# The covered parts of one hour per state, as (start, end) minutes within the hour.
STATE_PIECES: Mapping[str, tuple[tuple[int, int, SlotState], ...]] = {
    "yes": (),
    "no": ((0, 60, SlotState.OFF),),
    "first": ((0, 30, SlotState.OFF),),
    "second": ((30, 60, SlotState.OFF),),
    "maybe": ((0, 60, SlotState.POSSIBLE),),
    "mfirst": ((0, 30, SlotState.POSSIBLE),),
    "msecond": ((30, 60, SlotState.POSSIBLE),),
}
# The state of an hour from the states of its first and second half-hour (None is "on").
_HALVES_TO_STATE: Mapping[tuple[SlotState | None, SlotState | None], str] = {
    (None, None): "yes",
    (SlotState.OFF, SlotState.OFF): "no",
    (SlotState.OFF, None): "first",
    (None, SlotState.OFF): "second",
    (SlotState.POSSIBLE, SlotState.POSSIBLE): "maybe",
    (SlotState.POSSIBLE, None): "mfirst",
    (None, SlotState.POSSIBLE): "msecond",
}
_UPDATE_FORMAT = "%d.%m.%Y %H:%M"
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ASSIGNMENT = re.compile(r"DisconSchedule\.([A-Za-z_]\w*)\s*=(?!=)\s*")


class PageAssignmentError(ValueError):
    """A `DisconSchedule.<name> = ` object or array literal on a page that is not valid JSON."""

    def __init__(self, name: str, line: int, message: str) -> None:
        self.name = name
        self.line = line
        super().__init__(f"DisconSchedule.{name} on line {line} is not valid JSON: {message}")


def extract_page_assignments(text: str) -> dict[str, Any]:
    """Decode every `DisconSchedule.<name> = <JSON value>` assignment of a DTEK shutdowns page.

    A value that is not JSON (a script expression) is skipped. An object or array literal that does
    not decode raises PageAssignmentError, because that means a truncated or altered page.
    """
    decoder = json.JSONDecoder()
    values: dict[str, Any] = {}
    for match in _ASSIGNMENT.finditer(text):
        name, start = match.group(1), match.end()
        try:
            values[name], _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError as error:
            if text.startswith(("{", "["), start):
                line = text.count("\n", 0, error.pos) + 1
                raise PageAssignmentError(name, line, error.msg) from error
    return values


def child_place(place: str, key: str | int) -> str:
    """Extend a JSON path with an object key or a list index, as in `fact.data."1769637600"`.

    Digit-only keys are quoted so that they do not read as list indexes, which are bracketed.
    """
    if isinstance(key, int):
        return f"{place}[{key}]"
    text = f'"{key}"' if key.isdigit() else key
    return f"{place}.{text}" if place else text


def format_error(file: str, place: str, reason: str) -> SourceFormatError:
    return SourceFormatError(file=file, place=place or "the top level", reason=reason)


def json_type(value: Any) -> str:
    """Name the JSON type of a decoded value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def require_object(value: Any, file: str, place: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise format_error(file, place, f"expected a JSON object, found {json_type(value)}")
    return value


def require_key(obj: Mapping[str, Any], key: str, file: str, place: str) -> Any:
    if key not in obj:
        raise format_error(file, place, f"the required key '{key}' is missing")
    return obj[key]


def read_dtek_fact(
    obj: Any, *, file: str, place: str = "fact"
) -> tuple[list[DaySchedule], dt.datetime | None]:
    """Read a `fact` object into day schedules sorted by day and queue, and its `update` time.

    `data == []` is how the site publishes "no fact at all", so it gives no days. A day on which
    every queue has every hour "yes" is not published yet, so each queue gets NO_DATA for it.
    """
    fact = require_object(obj, file, place)
    updated_at = _read_update_time(fact, "update", file, place)
    data_place = child_place(place, "data")
    day_groups = _read_keyed_data(require_key(fact, "data", file, place), file, data_place)

    days: list[DaySchedule] = []
    for day_key, groups in day_groups.items():
        day_place = child_place(data_place, day_key)
        day = _read_midnight_key(day_key, file, day_place)
        days.extend(_read_fact_day(day, groups, file, day_place))
    days.sort(key=lambda schedule: (schedule.day, queue_sort_key(schedule.queue)))
    return days, updated_at


def _read_fact_day(day: dt.date, groups: Any, file: str, place: str) -> list[DaySchedule]:
    rows = {
        queue: _read_hour_row(row, file, child_place(place, key))
        for queue, (key, row) in _read_queue_keys(groups, file, place).items()
    }
    published = any(state != "yes" for row in rows.values() for state in row.values())

    result = []
    for queue, row in rows.items():
        if not published:
            result.append(DaySchedule(queue, day, DayStatus.NO_DATA))
            continue
        intervals = merge_intervals([i for h, s in row.items() for i in _hour_intervals(day, h, s)])
        status = DayStatus.APPLIES if intervals else DayStatus.NO_OUTAGES
        result.append(DaySchedule(queue, day, status, intervals))
    return result


def _hour_intervals(day: dt.date, hour: int, state: str) -> list[Interval]:
    """Resolve one hour key on its own local date, so DST days get their true lengths.

    NOTE: in the repeated hour of the autumn change (key 4), the half-hour boundary resolves to the
    first 03:30, so `first` covers 30 minutes of that 2-hour span and `second` covers 90.
    """
    base = (hour - 1) * 60
    if to_utc(day, base) >= to_utc(day, base + 60):
        return []  # the hour lies in the spring-forward gap and has no length
    return [
        Interval(to_utc(day, base + start), to_utc(day, base + end), slot_state)
        for start, end, slot_state in STATE_PIECES[state]
    ]


def read_dtek_preset(
    obj: Any, *, file: str, place: str = "preset"
) -> tuple[list[WeeklyTemplate], dt.datetime | None]:
    """Read a `preset` object into weekly templates sorted by queue, and its `updateFact` time.

    Every group in `data` is read, including groups beyond the region's queue list.
    """
    preset = require_object(obj, file, place)
    updated_at = _read_update_time(preset, "updateFact", file, place)
    data_place = child_place(place, "data")
    groups = _read_keyed_data(require_key(preset, "data", file, place), file, data_place)

    templates = [
        _read_preset_week(queue, week, file, child_place(data_place, key))
        for queue, (key, week) in _read_queue_keys(groups, file, data_place).items()
    ]
    templates.sort(key=lambda template: queue_sort_key(template.queue))
    return templates, updated_at


def _read_preset_week(queue: str, week: Any, file: str, place: str) -> WeeklyTemplate:
    days = _read_numbered_keys(require_object(week, file, place), WEEKDAYS, "weekday", file, place)
    spans: list[TemplateSpan] = []
    for weekday, row in days.items():
        hours = _read_hour_row(row, file, child_place(place, str(weekday)))
        for hour, state in hours.items():
            for start, end, slot_state in STATE_PIECES[state]:
                span = TemplateSpan(
                    weekday, (hour - 1) * 60 + start, (hour - 1) * 60 + end, slot_state
                )
                _append_joined(spans, span)
    return WeeklyTemplate(queue, tuple(spans))


def _append_joined(spans: list[TemplateSpan], span: TemplateSpan) -> None:
    last = spans[-1] if spans else None
    if last and (last.weekday, last.end_minute, last.state) == (
        span.weekday,
        span.start_minute,
        span.state,
    ):
        spans[-1] = TemplateSpan(span.weekday, last.start_minute, span.end_minute, span.state)
    else:
        spans.append(span)


def _read_keyed_data(data: Any, file: str, place: str) -> Mapping[str, Any]:
    if isinstance(data, list) and not data:
        return {}  # the site serialises an empty `data` as [] (a PHP empty array)
    return require_object(data, file, place)


def _read_queue_keys(groups: Any, file: str, place: str) -> dict[str, tuple[str, Any]]:
    """Map each group key `GPVx.y` to its queue id, keeping the original key for error places."""
    result: dict[str, tuple[str, Any]] = {}
    for key, value in require_object(groups, file, place).items():
        try:
            queue = normalize_queue_id(key)
        except ValueError:
            raise format_error(
                file, child_place(place, key), f"'{key}' is not a group such as GPV36.1"
            ) from None
        if queue in result:
            raise format_error(
                file, child_place(place, key), f"group '{key}' repeats queue {queue}"
            )
        result[queue] = (key, value)
    return result


def _read_hour_row(row: Any, file: str, place: str) -> dict[int, str]:
    hours = _read_numbered_keys(require_object(row, file, place), HOURS, "hour", file, place)
    for hour, state in hours.items():
        if not isinstance(state, str) or state not in STATE_PIECES:
            known = ", ".join(STATE_PIECES)
            reason = (
                f"unknown state {json.dumps(state, ensure_ascii=False)}; expected one of {known}"
            )
            raise format_error(file, child_place(place, str(hour)), reason)
    return hours


def _read_numbered_keys(
    obj: Mapping[str, Any], allowed: range, what: str, file: str, place: str
) -> dict[int, Any]:
    """Read keys "1", "2", ... that must be exactly the numbers in `allowed`.

    NOTE: no capture of a DST-change day exists, so a 23- or 25-key day is rejected, not guessed.
    """
    result: dict[int, Any] = {}
    for key, value in obj.items():
        if not (key.isascii() and key.isdigit() and int(key) in allowed):
            reason = f"'{key}' is not a valid {what} key from {allowed[0]} to {allowed[-1]}"
            raise format_error(file, child_place(place, key), reason)
        result[int(key)] = value
    missing = [str(number) for number in allowed if number not in result]
    if missing:
        raise format_error(file, place, f"{what} keys {', '.join(missing)} are missing")
    return dict(sorted(result.items()))


def _read_midnight_key(key: str, file: str, place: str) -> dt.date:
    try:
        local = dt.datetime.fromtimestamp(int(key), KYIV) if key.isascii() else None
    except (ValueError, OverflowError, OSError):
        local = None
    if local is None:
        raise format_error(file, place, f"day key '{key}' is not a Unix time in seconds")
    if local.time() != dt.time(0):
        reason = f"day key {key} is {local.isoformat()}, not a Europe/Kyiv local midnight"
        raise format_error(file, place, reason)
    return local.date()


def _read_update_time(
    obj: Mapping[str, Any], key: str, file: str, place: str
) -> dt.datetime | None:
    """Read a "dd.MM.yyyy HH:mm" Kyiv wall-clock time as an aware UTC instant (None when absent)."""
    value = obj.get(key)
    if value is None:
        return None
    try:
        local = dt.datetime.strptime(value, _UPDATE_FORMAT) if isinstance(value, str) else None
    except ValueError:
        local = None
    if local is None:
        reason = (
            f"{json.dumps(value, ensure_ascii=False)} is not a time in the form dd.MM.yyyy HH:mm"
        )
        raise format_error(file, child_place(place, key), reason)
    return local.replace(tzinfo=KYIV).astimezone(UTC)


def format_update_time(instant: dt.datetime) -> str:
    """Format an aware instant as the site's "dd.MM.yyyy HH:mm" Kyiv wall-clock time."""
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no time zone; pass an aware datetime")
    return instant.astimezone(KYIV).strftime(_UPDATE_FORMAT)


def write_dtek_fact(
    days: Mapping[dt.date, Mapping[str, Sequence[tuple[int, int]]]],
    *,
    updated_at: dt.datetime,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Build a `fact` object in the published format from OFF spans per day and queue.

    Spans are (start, end) wall-clock minutes from local midnight, multiples of 30 within 0..1440.
    A day on which no queue has a span is written all "yes", which readers take as not published.
    `today` defaults to the first day, or to the local date of `updated_at` when there are no days.
    """
    data: dict[str, Any] = {}
    for day in sorted(days):
        groups = {normalize_queue_id(queue): spans for queue, spans in days[day].items()}
        data[_midnight_key(day)] = {
            f"GPV{queue}": _write_hour_row(_half_hour_states(groups[queue], SlotState.OFF))
            for queue in sorted(groups, key=queue_sort_key)
        }

    first_day = today or (min(days) if days else local_day(updated_at))
    return {
        "data": data or [],
        "update": format_update_time(updated_at),
        "today": int(_midnight_key(first_day)),
    }


def write_dtek_preset(
    templates: Sequence[WeeklyTemplate], *, updated_at: dt.datetime
) -> dict[str, Any]:
    """Build a `preset` object in the published format from weekly templates.

    Spans must be multiples of 30 minutes. A half-hour covered by both states is written as off.
    """
    data: dict[str, Any] = {}
    for template in sorted(templates, key=lambda template: queue_sort_key(template.queue)):
        data[f"GPV{normalize_queue_id(template.queue)}"] = {
            str(weekday): _write_weekday_row(template, weekday) for weekday in WEEKDAYS
        }
    return {
        "days": {
            str(weekday): name for weekday, name in zip(WEEKDAYS, _WEEKDAY_NAMES, strict=True)
        },
        "sch_names": {group: group.removeprefix("GPV") for group in data},
        "data": data,
        "updateFact": format_update_time(updated_at),
    }


def _write_weekday_row(template: WeeklyTemplate, weekday: int) -> dict[str, str]:
    halves: list[SlotState | None] = [None] * 48
    for state in (SlotState.POSSIBLE, SlotState.OFF):  # OFF is applied last, so it wins
        spans = [
            (s.start_minute, s.end_minute)
            for s in template.spans
            if (s.weekday, s.state) == (weekday, state)
        ]
        for index, value in enumerate(_half_hour_states(spans, state)):
            halves[index] = value or halves[index]
    return _write_hour_row(halves)


def _half_hour_states(spans: Sequence[tuple[int, int]], state: SlotState) -> list[SlotState | None]:
    """Mark the 48 half-hours of a day that the (start, end) minute spans cover with `state`."""
    halves: list[SlotState | None] = [None] * 48
    for start, end in spans:
        if not (0 <= start < end <= MINUTES_PER_DAY and start % 30 == 0 and end % 30 == 0):
            raise ValueError(f"span {start}..{end} is not a multiple of 30 minutes within 0..1440")
        for index in range(start // 30, end // 30):
            halves[index] = state
    return halves


def _write_hour_row(halves: Sequence[SlotState | None]) -> dict[str, str]:
    row = {}
    for hour in HOURS:
        pair = (halves[2 * hour - 2], halves[2 * hour - 1])
        if pair not in _HALVES_TO_STATE:
            raise ValueError(
                f"hour {hour} has no DTEK state for half-hours {pair[0]} and {pair[1]}"
            )
        row[str(hour)] = _HALVES_TO_STATE[pair]
    return row


def _midnight_key(day: dt.date) -> str:
    return str(int(local_midnight_utc(day).timestamp()))
