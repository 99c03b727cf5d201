"""Calendar feeds built from the normalized schedule model, without the database."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from core.outages.calendar import (
    CalendarFeed,
    QueueSchedules,
    build_calendar,
    calendar_ics,
    calendar_time,
)
from core.schedules.model import (
    DaySchedule,
    DayStatus,
    Interval,
    SlotState,
    TemplateSpan,
    WeeklyTemplate,
)
from core.timezone import KYIV, local_minute_to_utc

GOLDEN = Path(__file__).parent / "golden"
STAMP = dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 29)  # a Thursday
TOMORROW = TODAY + dt.timedelta(days=1)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def interval(day: dt.date, start: str, end: str, state: SlotState = SlotState.OFF) -> Interval:
    """Make an interval from local wall-clock times "HH:MM" on `day`. "24:00" is the next midnight."""
    return Interval(_at(day, start), _at(day, end), state)


def _at(day: dt.date, wall: str) -> dt.datetime:
    hours, minutes = wall.split(":")
    return local_minute_to_utc(day, int(hours) * 60 + int(minutes))


def day(
    date: dt.date, *intervals: Interval, status: DayStatus = DayStatus.APPLIES, queue: str = "1.1"
) -> DaySchedule:
    return DaySchedule(queue, date, status, intervals)


def feed(*queues: QueueSchedules, today: dt.date = TODAY, **extra: Any) -> CalendarFeed:
    return CalendarFeed("kyiv", "Київ", today, queues, **extra)


def parse(value: CalendarFeed, *, locale: str = "uk", stamp: dt.datetime = STAMP) -> Calendar:
    return Calendar.from_ical(calendar_ics(value, locale=locale, stamp=stamp))


_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")


def text_of(calendar: Calendar, name: str) -> str:
    """Return an X- property as unescaped TEXT (RFC 5545, 3.3.11), because icalendar reads X- values raw."""
    raw = str(calendar[name])
    return _TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def as_utc(value: dt.date) -> dt.datetime:
    assert isinstance(value, dt.datetime), f"{value!r} is a date, not a time"
    return value.astimezone(dt.UTC)


def spans(calendar: Calendar) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """Return (start, end, STATUS) of every event, with instants in UTC."""
    return [(as_utc(e.start), as_utc(e.end), str(e["STATUS"])) for e in calendar.events]


# Golden files: DST-change days. Each .ics was generated once and reviewed by hand: the local
# DTSTART and DTEND are the published wall-clock times, and the VTIMEZONE covers the change.
DST_CASES = [
    (
        "queue-1.1_2025-10-26_autumn_dst.ics",
        dt.date(2025, 10, 26),
        ("02:00", "05:00"),
        (utc(2025, 10, 25, 23, 0), utc(2025, 10, 26, 3, 0)),
    ),
    (
        "queue-1.1_2025-03-30_spring_dst.ics",
        dt.date(2025, 3, 30),
        ("01:00", "05:00"),
        (utc(2025, 3, 29, 23, 0), utc(2025, 3, 30, 2, 0)),
    ),
]


def _dst_feed(date: dt.date, start: str, end: str) -> CalendarFeed:
    return feed(QueueSchedules("1.1", (day(date, interval(date, start, end)),)), today=date)


@pytest.mark.parametrize(("name", "date", "local", "instants"), DST_CASES)
def test_dst_day_matches_golden_file(
    name: str, date: dt.date, local: tuple[str, str], instants: Any
) -> None:
    generated = calendar_ics(_dst_feed(date, *local), locale="uk", stamp=STAMP)
    assert generated == (GOLDEN / name).read_bytes()


@pytest.mark.parametrize(("name", "date", "local", "instants"), DST_CASES)
def test_dst_day_golden_parses_to_utc_instants(
    name: str, date: dt.date, local: tuple[str, str], instants: Any
) -> None:
    calendar = Calendar.from_ical((GOLDEN / name).read_bytes())
    assert spans(calendar) == [(*instants, "CONFIRMED")]


@pytest.mark.parametrize(("name", "date", "local", "instants"), DST_CASES)
def test_dst_day_event_keeps_local_wall_times(
    name: str, date: dt.date, local: tuple[str, str], instants: Any
) -> None:
    event = parse(_dst_feed(date, *local)).events[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Kyiv"
    assert event.start.strftime("%Y-%m-%d %H:%M") == f"{date} {local[0]}"
    assert event.end.strftime("%Y-%m-%d %H:%M") == f"{date} {local[1]}"


def test_times_have_tzid_and_vtimezone() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "06:30", "13:30")),))))
    event = calendar.events[0]
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Kyiv"]
    assert event["DTSTART"].params["TZID"] == "Europe/Kyiv"
    assert event["DTEND"].params["TZID"] == "Europe/Kyiv"
    assert calendar.get_missing_tzids() == set()


def test_no_time_is_floating() -> None:
    autumn = dt.date(2025, 10, 26)
    # 03:30 EET, in the repeated hour: only UTC states it without ambiguity.
    repeated = Interval(utc(2025, 10, 26, 1, 30), utc(2025, 10, 26, 5, 0), SlotState.OFF)
    calendar = parse(feed(QueueSchedules("1.1", (day(autumn, repeated),)), today=autumn))
    for event in calendar.events:
        for name in ("DTSTART", "DTEND", "DTSTAMP"):
            assert event.decoded(name).tzinfo is not None, name


def test_repeated_autumn_hour_is_written_in_utc() -> None:
    second_0330 = utc(2025, 10, 26, 1, 30)
    assert calendar_time(second_0330) == second_0330
    assert calendar_time(second_0330).tzinfo is dt.UTC


def test_first_autumn_0330_is_written_local() -> None:
    first_0330 = utc(2025, 10, 26, 0, 30)
    assert calendar_time(first_0330) == dt.datetime(2025, 10, 26, 3, 30, tzinfo=KYIV)
    assert calendar_time(first_0330).tzinfo is KYIV


def test_repeated_autumn_hour_round_trips() -> None:
    autumn = dt.date(2025, 10, 26)
    repeated = Interval(utc(2025, 10, 26, 1, 30), utc(2025, 10, 26, 5, 0), SlotState.OFF)
    calendar = parse(feed(QueueSchedules("1.1", (day(autumn, repeated),)), today=autumn))
    assert spans(calendar) == [(repeated.start, repeated.end, "CONFIRMED")]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="icalendar 7.3.2 writes the spring onset in the new offset's local time (04:00),"
    " an hour after the change at 01:00 UTC",
)
def test_spring_vtimezone_onset_is_0300_local() -> None:
    spring = dt.date(2025, 3, 30)
    daylight = parse(_dst_feed(spring, "01:00", "05:00")).timezones[0].daylight[0]
    onset_utc = daylight.DTSTART - daylight.decoded("TZOFFSETFROM")
    assert onset_utc == dt.datetime(2025, 3, 30, 1, 0)


def test_outage_across_midnight_is_one_event() -> None:
    today = day(TODAY, interval(TODAY, "21:00", "24:00"))
    tomorrow = day(TOMORROW, interval(TOMORROW, "00:00", "02:00"))
    calendar = parse(feed(QueueSchedules("1.1", (today, tomorrow))))
    assert spans(calendar) == [(utc(2026, 1, 29, 19, 0), utc(2026, 1, 30, 0, 0), "CONFIRMED")]


def test_definite_outage_is_confirmed() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),))))
    event = calendar.events[0]
    assert event["STATUS"] == "CONFIRMED"
    assert "TRANSP" not in event
    assert event["SUMMARY"] == "Відключення світла, черга 1.1"


def test_grey_zone_is_tentative_and_transparent() -> None:
    grey = interval(TODAY, "12:00", "13:00", SlotState.POSSIBLE)
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, grey),))))
    event = calendar.events[0]
    assert event["STATUS"] == "TENTATIVE"
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["SUMMARY"] == "Можливе відключення, черга 1.1"


def test_grey_zone_after_outage_is_separate_event() -> None:
    off = interval(TODAY, "10:00", "12:00")
    grey = interval(TODAY, "12:00", "13:00", SlotState.POSSIBLE)
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, off, grey),))))
    assert [status for _start, _end, status in spans(calendar)] == ["CONFIRMED", "TENTATIVE"]


def test_waiting_day_outage_is_tentative() -> None:
    waiting = day(TODAY, interval(TODAY, "10:00", "12:00"), status=DayStatus.WAITING)
    calendar = parse(feed(QueueSchedules("1.1", (waiting,))))
    assert spans(calendar) == [(utc(2026, 1, 29, 8, 0), utc(2026, 1, 29, 10, 0), "TENTATIVE")]


# Thursday (weekday 4) 18:00-20:00 and Friday (weekday 5) 08:00-10:00, every week.
TEMPLATE = WeeklyTemplate(
    "1.1",
    (
        TemplateSpan(4, 18 * 60, 20 * 60, SlotState.OFF),
        TemplateSpan(5, 8 * 60, 10 * 60, SlotState.POSSIBLE),
    ),
)


def test_template_expands_onto_next_seven_days() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (), TEMPLATE)))
    starts = [start for start, _end, _status in spans(calendar)]
    assert starts == [
        utc(2026, 1, 29, 16, 0),
        utc(2026, 1, 30, 6, 0),
        # Thursday 2026-02-05 is the eighth day, so the template stops at Friday 2026-01-30.
    ]


def test_template_spans_are_possible_outages() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (), TEMPLATE)))
    assert {status for _start, _end, status in spans(calendar)} == {"TENTATIVE"}
    assert {str(e["TRANSP"]) for e in calendar.events} == {"TRANSPARENT"}


def test_template_skipped_on_definite_day() -> None:
    definite = day(TODAY, interval(TODAY, "06:00", "08:00"))
    calendar = parse(feed(QueueSchedules("1.1", (definite,), TEMPLATE)))
    assert spans(calendar) == [
        (utc(2026, 1, 29, 4, 0), utc(2026, 1, 29, 6, 0), "CONFIRMED"),
        (utc(2026, 1, 30, 6, 0), utc(2026, 1, 30, 8, 0), "TENTATIVE"),
    ]


def test_template_skipped_on_day_without_outages() -> None:
    quiet = day(TODAY, status=DayStatus.NO_OUTAGES)
    calendar = parse(feed(QueueSchedules("1.1", (quiet,), TEMPLATE)))
    assert [start for start, _end, _status in spans(calendar)] == [utc(2026, 1, 30, 6, 0)]


def test_template_skipped_on_emergency_day() -> None:
    emergency = day(TODAY, status=DayStatus.EMERGENCY)
    calendar = parse(feed(QueueSchedules("1.1", (emergency,), TEMPLATE)))
    assert [start for start, _end, _status in spans(calendar)] == [utc(2026, 1, 30, 6, 0)]


def test_template_fills_no_data_day() -> None:
    no_data = day(TODAY, status=DayStatus.NO_DATA)
    calendar = parse(feed(QueueSchedules("1.1", (no_data,), TEMPLATE)))
    assert [start for start, _end, _status in spans(calendar)] == [
        utc(2026, 1, 29, 16, 0),
        utc(2026, 1, 30, 6, 0),
    ]


def test_template_span_on_spring_day_keeps_wall_times() -> None:
    spring = dt.date(2025, 3, 30)  # a Sunday, weekday 7
    template = WeeklyTemplate("1.1", (TemplateSpan(7, 60, 5 * 60, SlotState.POSSIBLE),))
    calendar = parse(feed(QueueSchedules("1.1", (), template), today=spring))
    assert spans(calendar) == [(utc(2025, 3, 29, 23, 0), utc(2025, 3, 30, 2, 0), "TENTATIVE")]


def test_emergency_day_has_no_events() -> None:
    emergency = day(TODAY, interval(TODAY, "10:00", "12:00"), status=DayStatus.EMERGENCY)
    calendar = parse(feed(QueueSchedules("1.1", (emergency,))))
    assert calendar.events == []


def test_emergency_today_is_noted_in_description() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, status=DayStatus.EMERGENCY),))))
    description = text_of(calendar, "X-WR-CALDESC")
    assert "аварійні відключення" in description
    assert "29.01.2026" in description


def test_emergency_today_is_noted_in_english() -> None:
    emergency = QueueSchedules("1.1", (day(TODAY, status=DayStatus.EMERGENCY),))
    calendar = parse(feed(emergency), locale="en")
    assert "emergency shutdowns are in effect (queue 1.1)" in text_of(calendar, "X-WR-CALDESC")


def test_no_data_day_has_no_events() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, status=DayStatus.NO_DATA),))))
    assert calendar.events == []


def test_no_data_today_makes_no_outage_free_claim() -> None:
    calendar = parse(feed(QueueSchedules("1.1", ())))
    assert "Відсутність подій не означає" in text_of(calendar, "X-WR-CALDESC")


def test_applies_today_has_no_status_note() -> None:
    calendar = parse(feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),))))
    assert "\n" not in text_of(calendar, "X-WR-CALDESC")


def test_uids_stable_when_regenerated() -> None:
    value = feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),), TEMPLATE))
    first = parse(value, stamp=STAMP)
    second = parse(value, stamp=STAMP + dt.timedelta(hours=3))
    assert [str(e["UID"]) for e in first.events] == [str(e["UID"]) for e in second.events]
    assert first.events[0].DTSTAMP != second.events[0].DTSTAMP


def test_uids_differ_by_queue() -> None:
    outage = interval(TODAY, "10:00", "12:00")
    calendar = parse(
        feed(
            QueueSchedules("1.1", (day(TODAY, outage),)),
            QueueSchedules("2.1", (day(TODAY, outage, queue="2.1"),)),
        )
    )
    assert len({str(e["UID"]) for e in calendar.events}) == 2


def test_dtstamp_is_the_given_stamp() -> None:
    value = feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),)))
    calendar = parse(value, stamp=utc(2026, 1, 29, 10, 15))
    stamp = calendar.events[0].DTSTAMP
    assert stamp == utc(2026, 1, 29, 10, 15)


def test_building_with_two_queues_names_each_queue() -> None:
    calendar = parse(
        feed(
            QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),)),
            QueueSchedules("2.1", (day(TODAY, interval(TODAY, "14:00", "16:00"), queue="2.1"),)),
            address="вул. Хрещатик 25/3",
        )
    )
    assert [str(e["SUMMARY"]) for e in calendar.events] == [
        "Відключення світла, черга 1.1",
        "Відключення світла, черга 2.1",
    ]
    assert text_of(calendar, "X-WR-CALNAME") == "Відключення світла: Київ, вул. Хрещатик 25/3"


def test_other_operator_building_has_no_events() -> None:
    calendar = parse(feed(address="вул. Польова 7", other_operator="ЦЕК"))
    assert calendar.events == []
    assert calendar.timezones == []


def test_other_operator_is_named_in_description() -> None:
    calendar = parse(feed(address="вул. Польова 7", other_operator="ЦЕК"), locale="en")
    description = text_of(calendar, "X-WR-CALDESC")
    assert description.startswith("This building is served by another operator: ЦЕК.")


def test_english_summary() -> None:
    value = feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),)))
    calendar = parse(value, locale="en")
    assert calendar.events[0]["SUMMARY"] == "Power outage, queue 1.1"
    assert text_of(calendar, "X-WR-CALNAME") == "Power outages: Київ, queue 1.1"


def test_unknown_locale_falls_back_to_ukrainian() -> None:
    value = feed(QueueSchedules("1.1", (day(TODAY, interval(TODAY, "10:00", "12:00")),)))
    calendar = build_calendar(value, locale="de", stamp=STAMP)
    assert calendar.events[0]["SUMMARY"] == "Відключення світла, черга 1.1"
