"""Tests of the YASNO planned-outages and legacy v1 readers and the planned-outages writer."""

import datetime as dt
import json
from typing import Any

import pytest

from core.errors import SourceFormatError
from core.formats.yasno import (
    read_yasno_legacy,
    read_yasno_legacy_cities,
    read_yasno_legacy_updated_at,
    read_yasno_planned_outages,
    write_yasno_planned_outages,
)
from core.schedules.model import DayStatus, Interval, SlotState, TemplateSpan
from tests.conftest import shared_file

UTC = dt.UTC
OFF, POSSIBLE = SlotState.OFF, SlotState.POSSIBLE
WINTER_DAY = dt.date(2026, 1, 29)
LEGACY_FILE = "yasno/yasno-legacy-v1_schedule-turn-off-electricity_2025-12-16.json"


def utc(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def slot(start: int, end: int, kind: str = "Definite") -> dict[str, Any]:
    return {"start": start, "end": end, "type": kind}


def day_obj(
    slots: list[dict[str, Any]],
    status: str = "ScheduleApplies",
    date: str = "2026-01-29T00:00:00+02:00",
) -> dict[str, Any]:
    return {"slots": slots, "date": date, "status": status}


def group(today: dict[str, Any], updated_on: str = "2026-01-28T20:48:36+00:00") -> dict:
    tomorrow = day_obj([], "WaitingForSchedule", "2026-01-30T00:00:00+02:00")
    return {"today": today, "tomorrow": tomorrow, "updatedOn": updated_on}


def read_today(today: dict[str, Any]) -> Any:
    """Read one group and return its schedule for the day of `today`."""
    days, _ = read_yasno_planned_outages({"1.1": group(today)}, file="y.json")
    day = dt.date.fromisoformat(today["date"][:10])
    return next(schedule for schedule in days if schedule.day == day)


# planned outages


def test_yasno_definite_slot_is_off() -> None:
    schedule = read_today(day_obj([slot(0, 90), slot(90, 1440, "NotPlanned")]))

    assert schedule.status == DayStatus.APPLIES
    assert schedule.intervals == (Interval(utc(28, 22), utc(28, 23, 30), OFF),)


def test_yasno_slot_end_1440_is_next_midnight() -> None:
    schedule = read_today(day_obj([slot(1020, 1440)]))

    assert schedule.intervals == (Interval(utc(29, 15), utc(29, 22), OFF),)


def test_yasno_adjacent_definite_slots_are_merged() -> None:
    schedule = read_today(day_obj([slot(0, 30), slot(30, 90)]))

    assert schedule.intervals == (Interval(utc(28, 22), utc(28, 23, 30), OFF),)


def test_yasno_applies_without_definite_is_no_outages() -> None:
    schedule = read_today(day_obj([slot(0, 1440, "NotPlanned")]))

    assert schedule.status == DayStatus.NO_OUTAGES


def test_yasno_waiting_keeps_tentative_slots() -> None:
    schedule = read_today(day_obj([slot(60, 120)], status="WaitingForSchedule"))

    assert schedule.status == DayStatus.WAITING
    assert schedule.intervals == (Interval(utc(28, 23), utc(29, 0), OFF),)


def test_yasno_emergency_without_slots_is_emergency() -> None:
    schedule = read_today(day_obj([], status="EmergencyShutdowns"))

    assert schedule.status == DayStatus.EMERGENCY


def test_yasno_date_offset_is_ignored_on_dst_day() -> None:
    today = day_obj([slot(1200, 1440)], date="2025-10-26T00:00:00+03:00")

    schedule = read_today(today)

    assert schedule.day == dt.date(2025, 10, 26)
    assert schedule.intervals == (
        Interval(utc(26, 18, month=10, year=2025), utc(26, 22, month=10, year=2025), OFF),
    )


@pytest.mark.parametrize(
    ("start", "end", "expected_start", "expected_end"),
    [
        (0, 210, utc(28, 22, month=3), utc(29, 1, month=3)),
        (210, 300, utc(29, 1, month=3), utc(29, 2, month=3)),
        (120, 180, utc(29, 0, month=3), utc(29, 1, month=3)),
    ],
)
def test_yasno_spring_gap_minutes_move_to_gap_end(
    start: int, end: int, expected_start: dt.datetime, expected_end: dt.datetime
) -> None:
    schedule = read_today(day_obj([slot(start, end)], date="2026-03-29T00:00:00+02:00"))

    assert schedule.intervals == (Interval(expected_start, expected_end, OFF),)


def test_yasno_spring_gap_slot_has_no_length() -> None:
    schedule = read_today(day_obj([slot(180, 240)], date="2026-03-29T00:00:00+02:00"))

    assert schedule.intervals == ()


def test_yasno_updated_on_is_latest_of_groups() -> None:
    obj = {
        "1.1": group(day_obj([]), updated_on="2026-01-28T20:48:36+00:00"),
        "2.1": group(day_obj([]), updated_on="2026-01-29T06:00:00+02:00"),
    }

    _, updated_at = read_yasno_planned_outages(obj, file="y.json")

    assert updated_at == utc(29, 4)


def test_yasno_group_key_is_queue() -> None:
    days, _ = read_yasno_planned_outages({"36.1": group(day_obj([]))}, file="y.json")

    assert {schedule.queue for schedule in days} == {"36.1"}


@pytest.mark.parametrize(
    ("today", "place", "message"),
    [
        (day_obj([slot(0, 60, "Maybe")]), "1.1.today.slots[0].type", 'unknown slot type "Maybe"'),
        (day_obj([slot(60, 60)]), "1.1.today.slots[0]", "ends at minute 60, not after"),
        (day_obj([slot(90, 60)]), "1.1.today.slots[0]", "ends at minute 60, not after"),
        (day_obj([slot(-30, 60)]), "1.1.today.slots[0].start", "-30 is not a whole minute"),
        (day_obj([slot(0, 1470)]), "1.1.today.slots[0].end", "1470 is not a whole minute"),
        (day_obj([{"start": 0, "type": "Definite"}]), "1.1.today.slots[0]", "'end' is missing"),
        (day_obj([], status="Unknown"), "1.1.today.status", 'unknown status "Unknown"'),
        (day_obj([], date="29.01.2026"), "1.1.today.date", '"29.01.2026" is not a date'),
        ({"slots": [], "status": "ScheduleApplies"}, "1.1.today", "'date' is missing"),
    ],
)
def test_yasno_invalid_day_is_error(today: dict[str, Any], place: str, message: str) -> None:
    with pytest.raises(SourceFormatError) as caught:
        read_yasno_planned_outages({"1.1": group(today)}, file="y.json")

    assert caught.value.params["file"] == "y.json"
    assert caught.value.params["place"] == place
    assert message in caught.value.params["reason"]


def test_yasno_invalid_group_key_is_error() -> None:
    with pytest.raises(SourceFormatError, match="'first' is not a group"):
        read_yasno_planned_outages({"first": group(day_obj([]))}, file="y.json")


def test_yasno_naive_updated_on_is_error() -> None:
    with pytest.raises(SourceFormatError, match="is not a time with an offset"):
        read_yasno_planned_outages({"1.1": group(day_obj([]), "2026-01-28T20:48")}, file="y")


def test_yasno_kyiv_queue_36_1_intervals() -> None:
    path = shared_file("yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json")

    days, updated_at = read_yasno_planned_outages(json.loads(path.read_bytes()), file=path.name)

    by_key = {(d.queue, d.day): d for d in days}
    assert updated_at == dt.datetime(2026, 1, 28, 20, 48, 36, tzinfo=UTC)
    assert by_key[("36.1", WINTER_DAY)].intervals == (
        Interval(utc(29, 4, 30), utc(29, 11, 30), OFF),
        Interval(utc(29, 15), utc(29, 22), OFF),
    )
    assert by_key[("36.1", dt.date(2026, 1, 30))].status == DayStatus.WAITING


def test_yasno_dnipro_cek_emergency_excerpt() -> None:
    path = shared_file(
        "yasno/yasno_planned-outages_dnipro-CEK_r3_dso303_group4.2_2025-12-23_EXCERPT.json"
    )

    days, _ = read_yasno_planned_outages(json.loads(path.read_bytes()), file=path.name)

    assert [(d.queue, d.day.isoformat(), d.status) for d in days] == [
        ("4.2", "2025-12-23", DayStatus.EMERGENCY),
        ("4.2", "2025-12-24", DayStatus.EMERGENCY),
    ]


# planned outages writer


def test_write_yasno_planned_outages_round_trips() -> None:
    spans = {
        WINTER_DAY: {"36.1": [(390, 810), (1020, 1440)], "1.1": []},
        dt.date(2026, 1, 30): {"36.1": [(0, 120)]},
    }
    updated_at = utc(28, 20, 48)

    obj = write_yasno_planned_outages(spans, updated_at=updated_at)
    days, read_updated_at = read_yasno_planned_outages(obj, file="w")

    by_key = {(d.queue, d.day): d for d in days}
    assert read_updated_at == updated_at
    assert by_key[("36.1", WINTER_DAY)].intervals == (
        Interval(utc(29, 4, 30), utc(29, 11, 30), OFF),
        Interval(utc(29, 15), utc(29, 22), OFF),
    )
    assert by_key[("36.1", dt.date(2026, 1, 30))].intervals == (
        Interval(utc(29, 22), utc(30, 0), OFF),
    )
    assert by_key[("1.1", WINTER_DAY)].status == DayStatus.NO_OUTAGES
    assert by_key[("1.1", dt.date(2026, 1, 30))].status == DayStatus.NO_OUTAGES


def test_write_yasno_one_day_waits_tomorrow() -> None:
    obj = write_yasno_planned_outages({WINTER_DAY: {"1.1": [(0, 60)]}}, updated_at=utc(28, 20))

    assert obj["1.1"]["tomorrow"] == {
        "slots": [],
        "date": "2026-01-30T00:00:00+02:00",
        "status": "WaitingForSchedule",
    }


def test_write_yasno_planned_outages_slots_tile_the_day() -> None:
    obj = write_yasno_planned_outages({WINTER_DAY: {"1.1": [(60, 120)]}}, updated_at=utc(28, 20))

    assert obj["1.1"]["today"]["slots"] == [
        slot(0, 60, "NotPlanned"),
        slot(60, 120),
        slot(120, 1440, "NotPlanned"),
    ]


def test_write_yasno_planned_outages_rejects_gap_between_days() -> None:
    spans: dict[dt.date, dict[str, list[tuple[int, int]]]] = {
        WINTER_DAY: {},
        dt.date(2026, 1, 31): {},
    }

    with pytest.raises(ValueError, match="consecutive days"):
        write_yasno_planned_outages(spans, updated_at=utc(28, 20))


# legacy v1 page


def legacy_page(groups: dict[str, Any]) -> dict[str, Any]:
    component = {
        "template_name": "electricity-outages-daily-schedule",
        "schedule": {"kiev": groups, "dnipro": {}},
        "lastRegistryUpdateTime": 1746543160,
    }
    return {"components": [{"template_name": "editor"}, component]}


def legacy_week(monday: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [monday, [], [], [], [], [], []]


def possible(start: float, end: float) -> dict[str, Any]:
    return {"start": start, "end": end, "type": "POSSIBLE_OUTAGE"}


def test_yasno_legacy_fractional_hours_become_minutes() -> None:
    page = legacy_page({"group_1.1": legacy_week([possible(0, 5), possible(8.5, 15.5)])})

    templates = read_yasno_legacy(page, file="l.json", city="kiev")

    assert templates[0].queue == "1.1"
    assert templates[0].spans == (
        TemplateSpan(1, 0, 300, POSSIBLE),
        TemplateSpan(1, 510, 930, POSSIBLE),
    )


def test_yasno_legacy_touching_spans_are_merged() -> None:
    page = legacy_page({"group_1.1": legacy_week([possible(19, 22), possible(22, 24)])})

    templates = read_yasno_legacy(page, file="l.json", city="kiev")

    assert templates[0].spans == (TemplateSpan(1, 1140, 1440, POSSIBLE),)


def test_yasno_legacy_unknown_city_names_cities() -> None:
    with pytest.raises(SourceFormatError, match="choose one of dnipro, kiev"):
        read_yasno_legacy(legacy_page({}), file="l.json", city="odesa")


def test_yasno_legacy_unknown_type_is_error() -> None:
    span = {"start": 0, "end": 4, "type": "MAYBE"}

    with pytest.raises(SourceFormatError, match='unknown span type "MAYBE"'):
        read_yasno_legacy(legacy_page({"group_1.1": legacy_week([span])}), file="l", city="kiev")


def test_yasno_legacy_partial_minute_is_error() -> None:
    page = legacy_page({"group_1.1": legacy_week([possible(0, 4.001)])})

    with pytest.raises(SourceFormatError, match=r"4\.001 is not an hour"):
        read_yasno_legacy(page, file="l", city="kiev")


def test_yasno_legacy_six_days_is_error() -> None:
    page = legacy_page({"group_1.1": [[]] * 6})

    with pytest.raises(SourceFormatError) as caught:
        read_yasno_legacy(page, file="l", city="kiev")

    assert caught.value.params["place"] == "components[1].schedule.kiev.group_1.1"


def test_yasno_legacy_real_file_reads_both_cities() -> None:
    path = shared_file(LEGACY_FILE)
    obj = json.loads(path.read_bytes())

    kiev = read_yasno_legacy(obj, file=path.name, city="kiev")
    dnipro = read_yasno_legacy(obj, file=path.name, city="dnipro")

    assert read_yasno_legacy_cities(obj, file=path.name) == ["dnipro", "kiev"]
    assert len(kiev) == len(dnipro) == 12
    assert dnipro[0].spans[:3] == (
        TemplateSpan(1, 0, 240, POSSIBLE),
        TemplateSpan(1, 450, 870, POSSIBLE),
        TemplateSpan(1, 1080, 1440, POSSIBLE),
    )


def test_yasno_legacy_updated_at_is_registry_time() -> None:
    updated_at = read_yasno_legacy_updated_at(legacy_page({}), file="l")

    assert updated_at == dt.datetime(2025, 5, 6, 14, 52, 40, tzinfo=UTC)
