"""iCalendar (RFC 5545) feeds of stabilization outages for one queue or one building.

Pure functions over the normalized schedule model: no I/O. The published days of a queue and its
weekly template are merged into one timeline before events are made, so an outage from 21:00 to
02:00 published in two day schedules is one event. Event times carry TZID=Europe/Kyiv with a
VTIMEZONE generated from zoneinfo, or UTC where a local time would be ambiguous.
"""

import datetime as dt
import hashlib

import msgspec
from icalendar import Calendar, Event, vText

from core.outages.outlook import DEFINITE_STATUSES
from core.schedules.model import (
    DaySchedule,
    DayStatus,
    Interval,
    SlotState,
    WeeklyTemplate,
    merge_intervals,
)
from core.timezone import UTC, local_day, local_minute_to_utc, to_local

PRODID = "-//dso-platform//Outage calendar//UK"
UID_DOMAIN = "dso-platform"
# How many days from today the weekly template is expanded onto.
TEMPLATE_DAYS = 7
# A refresh hint for subscribing clients (RFC 7986 REFRESH-INTERVAL and the older X-PUBLISHED-TTL).
REFRESH_INTERVAL = dt.timedelta(hours=1)
# Statuses of today that get a note in X-WR-CALDESC, in the order the notes appear.
NOTED_STATUSES = (DayStatus.EMERGENCY, DayStatus.WAITING, DayStatus.NO_DATA)

_TEXTS: dict[str, dict[str, str]] = {
    "uk": {
        "name": "Відключення світла: {subject}",
        "queue": "черга {queues}",
        "queues": "черги {queues}",
        "summary_off": "Відключення світла, черга {queue}",
        "summary_possible": "Можливе відключення, черга {queue}",
        "description_off": "Відключення за графіком стабілізаційних відключень.",
        "description_possible": (
            "Можливе відключення: сіра зона графіка на день або тижневий графік можливих"
            " відключень. Графік може змінитися."
        ),
        "about": (
            "Графік стабілізаційних відключень, {region_name}, {queues}. Підтверджені події —"
            " відключення за графіком, попередні — можливі відключення."
        ),
        DayStatus.EMERGENCY: (
            "Сьогодні, {date:%d.%m.%Y}, діють аварійні відключення ({queues}): графік не"
            " застосовується, і світло можуть вимкнути будь-коли."
        ),
        DayStatus.WAITING: (
            "Графік на сьогодні, {date:%d.%m.%Y}, ще не затверджено ({queues}), тому його"
            " відключення показано як можливі."
        ),
        DayStatus.NO_DATA: (
            "Графік на сьогодні, {date:%d.%m.%Y}, не опубліковано ({queues}). Відсутність подій"
            " не означає, що відключень не буде."
        ),
        "other_operator": (
            "Цей будинок обслуговує інший оператор: {operator}. Його графіка тут немає, тому"
            " в календарі немає подій."
        ),
        "no_queue": "Черга цього будинку невідома, тому в календарі немає подій.",
    },
    "en": {
        "name": "Power outages: {subject}",
        "queue": "queue {queues}",
        "queues": "queues {queues}",
        "summary_off": "Power outage, queue {queue}",
        "summary_possible": "Possible power outage, queue {queue}",
        "description_off": "Outage by the stabilization schedule.",
        "description_possible": (
            "Possible outage: the grey zone of the day schedule or the weekly schedule of"
            " possible outages. The schedule may change."
        ),
        "about": (
            "Stabilization outage schedule, {region_name}, {queues}. Confirmed events are"
            " scheduled outages and tentative events are possible outages."
        ),
        DayStatus.EMERGENCY: (
            "Today, {date:%Y-%m-%d}, emergency shutdowns are in effect ({queues}): the schedule"
            " does not apply and power may go off at any time."
        ),
        DayStatus.WAITING: (
            "Today's schedule, {date:%Y-%m-%d}, is not approved yet ({queues}), so its outages"
            " are shown as possible."
        ),
        DayStatus.NO_DATA: (
            "No schedule is published for today, {date:%Y-%m-%d} ({queues}). No events does"
            " not mean no outages."
        ),
        "other_operator": (
            "This building is served by another operator: {operator}. Its schedule is not"
            " published here, so this calendar has no events."
        ),
        "no_queue": "The queue of this building is not known, so this calendar has no events.",
    },
}


class QueueSchedules(msgspec.Struct, frozen=True):
    """The published day schedules of one queue and its weekly template.

    A day that has no entry in `days` is treated as `no_data`.
    """

    queue: str
    days: tuple[DaySchedule, ...] = ()
    template: WeeklyTemplate | None = None


class CalendarFeed(msgspec.Struct, frozen=True):
    """Everything one calendar is made from.

    `region_name`, `address` and `other_operator` are display text in the feed's language.
    `address` is set for a building's feed and None for a queue's feed.
    """

    region: str
    region_name: str
    today: dt.date
    queues: tuple[QueueSchedules, ...]
    address: str | None = None
    other_operator: str | None = None


def calendar_ics(feed: CalendarFeed, *, locale: str, stamp: dt.datetime) -> bytes:
    """Serialize the calendar of `feed`. `stamp` becomes the DTSTAMP of every event."""
    return build_calendar(feed, locale=locale, stamp=stamp).to_ical()


def build_calendar(feed: CalendarFeed, *, locale: str, stamp: dt.datetime) -> Calendar:
    """Build the calendar of `feed` with texts in `locale`, `uk` or `en`. Any other locale gets `uk`."""
    texts = _TEXTS.get(locale, _TEXTS["uk"])
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar treats X- properties as unknown and would not escape them as TEXT.
    calendar.add("x-wr-calname", vText(_calendar_name(feed, texts)))
    calendar.add("x-wr-caldesc", vText(_calendar_description(feed, texts)))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")

    stamp_utc = stamp.astimezone(UTC)
    intervals: list[Interval] = []
    for schedules in feed.queues:
        timeline = queue_timeline(schedules, feed.today)
        intervals.extend(timeline)
        for interval in timeline:
            event = outage_event(feed.region, schedules.queue, interval, texts, stamp_utc)
            calendar.add_component(event)

    if intervals:
        # NOTE: icalendar 7.3.2 writes the spring DST onset as 04:00 instead of 03:00 local time
        # (TZOFFSETFROM +0200). Event times still resolve right because none is in the 03:00 gap.
        first = local_day(min(i.start for i in intervals))
        last = local_day(max(i.end for i in intervals)) + dt.timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def queue_timeline(schedules: QueueSchedules, today: dt.date) -> tuple[Interval, ...]:
    """Merge a queue's day schedules and its template over the next days into one timeline.

    The template is expanded onto today and the following days as possible outages, except on
    days whose day schedule is definite or emergency: the day schedule wins for its own day.
    """
    published = {day.day: day for day in schedules.days}
    intervals = [interval for day in schedules.days for interval in _day_intervals(day)]
    if schedules.template is not None:
        for offset in range(TEMPLATE_DAYS):
            day = today + dt.timedelta(days=offset)
            if _template_applies(published.get(day)):
                intervals.extend(template_intervals(schedules.template, day))
    return merge_intervals(intervals)


def _day_intervals(day: DaySchedule) -> list[Interval]:
    """Return the intervals a day schedule contributes to the calendar.

    Emergency and no-data days contribute nothing, because they state no hours.
    """
    if day.status is DayStatus.APPLIES:
        return list(day.intervals)
    if day.status is DayStatus.WAITING:
        # A schedule that is not approved yet is tentative, whatever the state of its slots.
        return [Interval(i.start, i.end, SlotState.POSSIBLE) for i in day.intervals]
    return []


def _template_applies(day: DaySchedule | None) -> bool:
    if day is None:
        return True
    return day.status not in DEFINITE_STATUSES and day.status is not DayStatus.EMERGENCY


def template_intervals(template: WeeklyTemplate, day: dt.date) -> list[Interval]:
    """Expand the template's spans for the weekday of `day` into possible-outage intervals.

    Wall-clock minutes are resolved on `day` itself, so a span on a DST-change day keeps its
    local times. A span that falls wholly inside the spring-forward gap has no length and is dropped.
    """
    intervals = []
    for span in template.spans:
        if span.weekday != day.isoweekday():
            continue
        start = local_minute_to_utc(day, span.start_minute)
        end = local_minute_to_utc(day, span.end_minute)
        if start < end:
            intervals.append(Interval(start, end, SlotState.POSSIBLE))
    return intervals


def outage_event(
    region: str, queue: str, interval: Interval, texts: dict[str, str], stamp: dt.datetime
) -> Event:
    """Make the VEVENT of one outage: CONFIRMED when definite, TENTATIVE and TRANSPARENT when possible."""
    definite = interval.state is SlotState.OFF
    event = Event()
    event.add("uid", event_uid(region, queue, interval))
    event.add("dtstamp", stamp)
    event.add("dtstart", calendar_time(interval.start))
    event.add("dtend", calendar_time(interval.end))
    summary = texts["summary_off"] if definite else texts["summary_possible"]
    event.add("summary", summary.format(queue=queue))
    event.add("description", texts["description_off" if definite else "description_possible"])
    if definite:
        event.add("status", "CONFIRMED")
    else:
        event.add("status", "TENTATIVE")
        event.add("transp", "TRANSPARENT")
    return event


def event_uid(region: str, queue: str, interval: Interval) -> str:
    """Derive a UID from the outage itself, so a regenerated feed keeps the UID of an unchanged outage."""
    start = interval.start.astimezone(UTC).isoformat()
    end = interval.end.astimezone(UTC).isoformat()
    key = f"{region}|{queue}|{start}|{end}|{interval.state.value}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def calendar_time(instant: dt.datetime) -> dt.datetime:
    """Return `instant` as Kyiv local time, or as UTC where the local time is ambiguous.

    In the repeated hour of the autumn change (03:00-04:00 on the last Sunday of October) a
    local time with TZID means its first occurrence (RFC 5545, 3.3.5), so the second one is
    written in UTC.
    """
    local = to_local(instant)
    if local.replace(fold=0).astimezone(UTC) != instant.astimezone(UTC):
        return instant.astimezone(UTC)
    return local


def _calendar_name(feed: CalendarFeed, texts: dict[str, str]) -> str:
    if feed.address is not None:
        subject = f"{feed.region_name}, {feed.address}"
    else:
        subject = f"{feed.region_name}, {_queue_list(feed.queues, texts)}"
    return texts["name"].format(subject=subject)


def _calendar_description(feed: CalendarFeed, texts: dict[str, str]) -> str:
    """Write the X-WR-CALDESC text: what the feed covers, and why today may lack events."""
    lines = []
    if feed.other_operator is not None:
        lines.append(texts["other_operator"].format(operator=feed.other_operator))
    elif not feed.queues:
        lines.append(texts["no_queue"])
    if feed.queues:
        queues = _queue_list(feed.queues, texts)
        lines.append(texts["about"].format(region_name=feed.region_name, queues=queues))

    for status in NOTED_STATUSES:
        affected = tuple(q for q in feed.queues if _status_on(q, feed.today) is status)
        if affected:
            queues = _queue_list(affected, texts)
            lines.append(texts[status].format(date=feed.today, queues=queues))
    return "\n".join(lines)


def _status_on(schedules: QueueSchedules, day: dt.date) -> DayStatus:
    for published in schedules.days:
        if published.day == day:
            return published.status
    return DayStatus.NO_DATA


def _queue_list(queues: tuple[QueueSchedules, ...], texts: dict[str, str]) -> str:
    names = ", ".join(q.queue for q in queues)
    return texts["queue" if len(queues) == 1 else "queues"].format(queues=names)
