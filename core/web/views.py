"""View structs of one outage lookup for the region page: sentences, day timelines, error messages.

Pure functions from an `OutageLookupOut` to small view structs, so the template only prints
them. Every time is shown in Europe/Kyiv wall-clock time, whatever offset the lookup result
carries.
"""

import datetime as dt
from collections.abc import Callable

import msgspec

from core.errors import DsoError
from core.http_cache import seconds_until
from core.i18n import translate
from core.outages.schemas import DayOut, OutageLookupOut, QueueOutlookOut, StateOut
from core.schedules.schemas import IntervalOut, SourceOut
from core.timezone import local_midnight_utc, local_minute_to_utc, to_local

# Days whose hours are not covered by the published intervals are drawn as unknown, not as "on".
UNKNOWN_DAY_STATUSES = frozenset({"emergency", "no_data", "stale"})
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_STATUS_TEXTS = {
    "applies": "The schedule applies",
    "waiting": "The schedule is not approved yet: the hours may change",
    "emergency": "Emergency outages: schedules do not apply",
    "no_data": "No data",
    "no_outages": "No outages",
    "stale": "The schedule is out of date",
}
SLOT_STATE_TEXTS = {"off": "outage", "possible": "possible outage"}
SEGMENT_TEXTS = {"on": "power on", "unknown": "no data", **SLOT_STATE_TEXTS}
TICK_HOURS = (0, 6, 12, 18, 24)
# Maximum characters of a customer's input that an error message repeats.
ECHO_CHARS = 80


class Segment(msgspec.Struct, frozen=True):
    """A part of a day's bar with `state` off, possible, on or unknown, placed in percent of the day."""

    state: str
    left: float
    width: float
    label: str


class Tick(msgspec.Struct, frozen=True):
    label: str
    left: float


class SlotText(msgspec.Struct, frozen=True):
    """A covered interval as text, e.g. "10:30–14:00" and "outage"."""

    span: str
    state: str
    state_text: str


class DayView(msgspec.Struct, frozen=True):
    title: str
    status: str
    status_text: str
    segments: list[Segment]
    slots: list[SlotText]
    ticks: list[Tick]
    now_left: float | None


class OutlookView(msgspec.Struct, frozen=True):
    """One queue's state now, next outage and days."""

    queue: str
    state: str
    state_text: str
    next_text: str
    days: list[DayView]


class ResultView(msgspec.Struct, frozen=True):
    address: str
    queue_text: str
    operator_text: str | None
    outlooks: list[OutlookView]
    source_text: str
    at_text: str
    max_age: int
    """Seconds until the state shown changes or an outage starts, at most a minute."""


def result_view(answer: OutageLookupOut, locale: str) -> ResultView:
    """Build everything the page shows about one building at the lookup instant."""
    today = to_local(answer.at).date()
    outlooks = []
    if answer.other_operator is None:
        outlooks = [outlook_view(q, answer.at, today, locale) for q in answer.by_queue]
    return ResultView(
        address=building_address(answer),
        queue_text=queue_text(answer, locale),
        operator_text=operator_text(answer, locale),
        outlooks=outlooks,
        source_text=source_text(answer.source, today, locale),
        at_text=format_timestamp(answer.at),
        max_age=seconds_until(
            answer.at,
            answer.state.until,
            *(q.next_outage.start for q in answer.by_queue if q.next_outage is not None),
        ),
    )


def building_address(answer: OutageLookupOut) -> str:
    address = answer.address
    parts = [p for p in (address.settlement, f"{address.street} {address.house}") if p]
    return ", ".join(parts)


def queue_text(answer: OutageLookupOut, locale: str) -> str:
    if answer.other_operator is not None:
        return translate("Served by {operator}", locale, operator=answer.other_operator.name)
    if answer.queue is not None:
        return translate("Queue {queue}", locale, queue=answer.queue)
    if len(answer.queues) == 2:
        queues = join_words(answer.queues, locale)
        return translate("Fed by two lines: queues {queues}", locale, queues=queues)
    if len(answer.queues) > 2:
        queues = join_words(answer.queues, locale)
        count = len(answer.queues)
        return translate(
            "Fed by {count} lines: queues {queues}", locale, count=count, queues=queues
        )
    return translate("The queue of this building is not known", locale)


def operator_text(answer: OutageLookupOut, locale: str) -> str | None:
    """Tell where to look instead, when another operator serves the building."""
    operator = answer.other_operator
    if operator is None:
        return None
    contacts = [c for c in (operator.phone, operator.website) if c]
    text = translate(
        "This building is served by another operator, {operator}: its outage schedule is published"
        " there, not here.",
        locale,
        operator=operator.name,
    )
    if contacts:
        text += " " + translate("Contacts: {contacts}.", locale, contacts=", ".join(contacts))
    return text


def join_words(items: list[str], locale: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return translate("{first} and {last}", locale, first=", ".join(items[:-1]), last=items[-1])


def outlook_view(
    outlook: QueueOutlookOut, at: dt.datetime, today: dt.date, locale: str
) -> OutlookView:
    return OutlookView(
        queue=outlook.queue,
        state=outlook.state.value,
        state_text=state_sentence(outlook.state, today, locale),
        next_text=next_outage_text(outlook, today, locale),
        days=[day_view(day, at, today, locale) for day in outlook.days],
    )


def state_sentence(state: StateOut, today: dt.date, locale: str) -> str:
    """Say the state now in one plain sentence, e.g. "Power is off from 10:30 until 14:00"."""
    since = format_moment(state.since, today, locale) if state.since else None
    until = format_moment(state.until, today, locale) if state.until else None
    if state.value == "on":
        if until:
            return translate("Power is on until {until}", locale, until=until)
        return translate("Power is on", locale)
    if state.value == "off":
        if since and until:
            return translate(
                "Power is off from {since} until {until}", locale, since=since, until=until
            )
        if until:
            return translate("Power is off until {until}", locale, until=until)
        return translate("Power is off", locale)
    if state.value == "possible":
        if until:
            return translate("Possible outage until {until}", locale, until=until)
        return translate("Possible outage", locale)
    if state.value == "emergency":
        return translate("Emergency outages: schedules do not apply", locale)
    return translate("No data", locale)


def next_outage_text(outlook: QueueOutlookOut, today: dt.date, locale: str) -> str:
    outage = outlook.next_outage
    if outage is not None:
        span = format_span(outage, today, locale)
        return translate("Next outage: {span}", locale, span=span)
    if outlook.next_outage_known:
        return translate("No more outages in the published schedule", locale)
    return translate("The next outage is not known yet", locale)


def day_view(day: DayOut, at: dt.datetime, today: dt.date, locale: str) -> DayView:
    """Draw one local day as a 24-hour bar and list its covered intervals as text."""
    start = local_midnight_utc(day.date)
    length = (local_midnight_utc(day.date + dt.timedelta(days=1)) - start).total_seconds()

    def percent(instant: dt.datetime) -> float:
        share = (instant - start).total_seconds() / length * 100
        return round(min(max(share, 0.0), 100.0), 2)

    unknown = day.status in UNKNOWN_DAY_STATUSES
    intervals = [] if unknown else day.intervals
    segments = _segments(intervals, "unknown" if unknown else "on", percent, day.date, locale)
    now = percent(at) if day.date == today else None
    return DayView(
        title=day_title(day.date, today, locale),
        status=day.status,
        status_text=translate(DAY_STATUS_TEXTS.get(day.status, "No data"), locale),
        segments=segments,
        slots=[_slot_text(i, day.date, locale) for i in intervals],
        ticks=[
            Tick(f"{hour:02d}", percent(local_minute_to_utc(day.date, hour * 60)))
            for hour in TICK_HOURS
        ],
        now_left=now,
    )


def _segments(
    intervals: list[IntervalOut],
    gap_state: str,
    percent: Callable[[dt.datetime], float],
    day: dt.date,
    locale: str,
) -> list[Segment]:
    """Partition the bar: covered intervals with their state, the gaps between them `gap_state`."""
    segments: list[Segment] = []
    position = 0.0
    for interval in intervals:
        left, right = percent(interval.start), percent(interval.end)
        if left > position:
            segments.append(_segment(gap_state, position, left, day, locale))
        segments.append(_segment(interval.state, left, right, day, locale, interval))
        position = max(position, right)
    if position < 100.0:
        segments.append(_segment(gap_state, position, 100.0, day, locale))
    return [s for s in segments if s.width > 0]


def _segment(
    state: str,
    left: float,
    right: float,
    day: dt.date,
    locale: str,
    interval: IntervalOut | None = None,
) -> Segment:
    label = translate(SEGMENT_TEXTS.get(state, "no data"), locale)
    if interval is not None:
        label = f"{format_clock(interval.start, day)}–{format_clock(interval.end, day)} {label}"
    return Segment(state, left, round(right - left, 2), label)


def _slot_text(interval: IntervalOut, day: dt.date, locale: str) -> SlotText:
    span = f"{format_clock(interval.start, day)}–{format_clock(interval.end, day)}"
    text = translate(SLOT_STATE_TEXTS.get(interval.state, "outage"), locale)
    return SlotText(span, interval.state, text)


def source_text(source: SourceOut | None, today: dt.date, locale: str) -> str:
    if source is None:
        return translate("Source: no schedule is published for these days", locale)
    if source.updated_at is None:
        return translate("Source: {name}", locale, name=source.name)
    updated = format_timestamp(source.updated_at)
    return translate("Source: {name}, updated {updated}", locale, name=source.name, updated=updated)


def day_title(day: dt.date, today: dt.date, locale: str) -> str:
    weekday = translate(WEEKDAYS[day.weekday()], locale)
    date = day.strftime("%d.%m.%Y")
    if day == today:
        return translate("Today, {weekday} {date}", locale, weekday=weekday, date=date)
    if day == today + dt.timedelta(days=1):
        return translate("Tomorrow, {weekday} {date}", locale, weekday=weekday, date=date)
    return f"{weekday} {date}"


def format_clock(instant: dt.datetime, day: dt.date) -> str:
    """Return the Kyiv wall-clock time, with the next local midnight written as 24:00."""
    local = to_local(instant)
    if local.date() > day and local.time() == dt.time(0, 0):
        return "24:00"
    return local.strftime("%H:%M")


def format_moment(instant: dt.datetime, today: dt.date, locale: str) -> str:
    """Return "14:00" today, "24:00" for tonight's midnight, "tomorrow 04:00", else with a date."""
    local = to_local(instant)
    if local.date() == today or (local.date() == today + dt.timedelta(days=1) and _midnight(local)):
        return format_clock(instant, today)
    if local.date() == today + dt.timedelta(days=1):
        return translate("tomorrow {time}", locale, time=local.strftime("%H:%M"))
    if local.date() == today - dt.timedelta(days=1):
        return translate("yesterday {time}", locale, time=local.strftime("%H:%M"))
    return local.strftime("%d.%m %H:%M")


def format_span(interval: IntervalOut, today: dt.date, locale: str) -> str:
    start = format_moment(interval.start, today, locale)
    end = format_moment(interval.end, today, locale)
    return f"{start}–{end}"


def format_timestamp(instant: dt.datetime) -> str:
    return to_local(instant).strftime("%d.%m.%Y %H:%M")


def error_message(error: DsoError, locale: str) -> str:
    """Return the translated message of `error`, with long customer input cut short."""
    params = {key: _param_text(value, locale) for key, value in error.params.items()}
    return translate(error.template, locale, **params)


def _param_text(value: object, locale: str) -> object:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    if isinstance(value, str):
        return shorten(translate(value, locale))
    return value


def shorten(text: str) -> str:
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"


def _midnight(local: dt.datetime) -> bool:
    return local.time() == dt.time(0, 0)
