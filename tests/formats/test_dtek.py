"""Tests of the DTEK `fact` and `preset` readers, the page scanner and the writers."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import SourceFormatError
from core.formats.dtek import (
    PageAssignmentError,
    extract_page_assignments,
    read_dtek_fact,
    read_dtek_preset,
    write_dtek_fact,
    write_dtek_preset,
)
from core.schedules.model import DayStatus, Interval, SlotState, TemplateSpan, WeeklyTemplate
from tests.conftest import shared_file

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC
WINTER_DAY = dt.date(2026, 1, 29)
WINTER_KEY = "1769637600"  # 2026-01-29 00:00 +02:00
SUMMER_KEY = "1782766800"  # 2026-06-30 00:00 +03:00
OFF, POSSIBLE = SlotState.OFF, SlotState.POSSIBLE


def utc(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def row(**states: str) -> dict[str, str]:
    """A 24-hour row, "yes" except the hours given as h1=..., h24=..."""
    return {str(hour): states.get(f"h{hour}", "yes") for hour in range(1, 25)}


def fact(groups: dict[str, Any], key: str = WINTER_KEY, update: str = "28.01.2026 21:36") -> dict:
    return {"data": {key: groups}, "update": update, "today": int(WINTER_KEY)}


def read_fact(obj: Any) -> dict[str, Any]:
    """Read a fact and index its day schedules by queue (a single day is expected)."""
    days, _ = read_dtek_fact(obj, file="fact.json")
    return {schedule.queue: schedule for schedule in days}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# fact: hours and states


def test_dtek_fact_hour_key_is_wall_clock_hour() -> None:
    schedule = read_fact(fact({"GPV1.1": row(h1="no")}))["1.1"]

    assert schedule.intervals == (Interval(utc(28, 22), utc(28, 23), OFF),)


def test_dtek_fact_hour_24_ends_at_next_midnight() -> None:
    schedule = read_fact(fact({"GPV1.1": row(h24="no")}))["1.1"]

    assert schedule.intervals == (Interval(utc(29, 21), utc(29, 22), OFF),)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("no", (Interval(utc(29, 8), utc(29, 9), OFF),)),
        ("first", (Interval(utc(29, 8), utc(29, 8, 30), OFF),)),
        ("second", (Interval(utc(29, 8, 30), utc(29, 9), OFF),)),
        ("maybe", (Interval(utc(29, 8), utc(29, 9), POSSIBLE),)),
        ("mfirst", (Interval(utc(29, 8), utc(29, 8, 30), POSSIBLE),)),
        ("msecond", (Interval(utc(29, 8, 30), utc(29, 9), POSSIBLE),)),
    ],
)
def test_dtek_fact_state_covers_its_part_of_hour(state: str, expected: tuple) -> None:
    schedule = read_fact(fact({"GPV1.1": row(h11=state)}))["1.1"]  # 10:00-11:00 local

    assert schedule.intervals == expected


def test_dtek_fact_half_hours_are_not_rounded() -> None:
    schedule = read_fact(fact({"GPV1.1": row(h7="second", h8="no", h9="first")}))["1.1"]

    assert schedule.intervals == (Interval(utc(29, 4, 30), utc(29, 6, 30), OFF),)


def test_dtek_fact_adjacent_hours_are_merged() -> None:
    schedule = read_fact(fact({"GPV1.1": row(h1="no", h2="no", h4="no")}))["1.1"]

    assert schedule.intervals == (
        Interval(utc(28, 22), utc(29, 0), OFF),
        Interval(utc(29, 1), utc(29, 2), OFF),
    )


def test_dtek_fact_summer_day_uses_summer_offset() -> None:
    schedule = read_fact(fact({"GPV1.1": row(h1="no")}, key=SUMMER_KEY))["1.1"]

    assert schedule.day == dt.date(2026, 6, 30)
    assert schedule.intervals == (Interval(utc(29, 21, month=6), utc(29, 22, month=6), OFF),)


def test_dtek_fact_queue_from_group_key() -> None:
    queues = read_fact(fact({"GPV36.1": row(h1="no"), "GPV1.2": row()}))

    assert sorted(queues) == ["1.2", "36.1"]


# fact: day status


def test_dtek_fact_empty_list_is_no_data() -> None:
    days, updated_at = read_dtek_fact({"data": [], "update": "16.12.2024 00:13"}, file="f.json")

    assert days == []
    assert updated_at == dt.datetime(2024, 12, 15, 22, 13, tzinfo=UTC)


def test_dtek_fact_all_yes_day_is_no_data() -> None:
    queues = read_fact(fact({"GPV1.1": row(), "GPV1.2": row()}))

    assert {schedule.status for schedule in queues.values()} == {DayStatus.NO_DATA}
    assert all(schedule.intervals == () for schedule in queues.values())


def test_dtek_fact_all_yes_queue_is_no_outages() -> None:
    queues = read_fact(fact({"GPV1.1": row(h5="no"), "GPV1.2": row()}))

    assert queues["1.1"].status == DayStatus.APPLIES
    assert queues["1.2"].status == DayStatus.NO_OUTAGES


def test_dtek_fact_days_sorted_by_day_then_queue() -> None:
    obj = {
        "data": {
            "1769724000": {"GPV10.1": row(h1="no"), "GPV2.1": row()},
            WINTER_KEY: {"GPV2.1": row(h1="no")},
        },
        "update": "28.01.2026 21:36",
    }
    days, _ = read_dtek_fact(obj, file="f.json")

    assert [(d.day.isoformat(), d.queue) for d in days] == [
        ("2026-01-29", "2.1"),
        ("2026-01-30", "2.1"),
        ("2026-01-30", "10.1"),
    ]


def test_dtek_fact_update_is_kyiv_local_time() -> None:
    _, updated_at = read_dtek_fact(fact({"GPV1.1": row()}), file="f.json")

    assert updated_at == dt.datetime(2026, 1, 28, 19, 36, tzinfo=UTC)


# fact: DST days, from hand-made files in the published format


def test_dtek_fact_autumn_dst_day_has_25_hours() -> None:
    queues = read_fact(fixture("dtek_fact_2025-10-26_autumn_dst.json"))

    assert queues["1.1"].day == dt.date(2025, 10, 26)
    assert queues["1.1"].intervals == (
        Interval(utc(25, 23, month=10, year=2025), utc(26, 3, month=10, year=2025), OFF),
    )


def test_dtek_fact_autumn_repeated_hour_two_hours() -> None:
    queues = read_fact(fixture("dtek_fact_2025-10-26_autumn_dst.json"))

    assert queues["1.2"].intervals == (
        Interval(utc(26, 0, month=10, year=2025), utc(26, 2, month=10, year=2025), OFF),
    )


def test_dtek_fact_spring_gap_hour_no_length() -> None:
    queues = read_fact(fixture("dtek_fact_2025-03-30_spring_dst.json"))

    assert queues["1.2"].intervals == ()


def test_dtek_fact_spring_hours_around_gap() -> None:
    queues = read_fact(fixture("dtek_fact_2025-03-30_spring_dst.json"))

    assert queues["1.1"].intervals == (
        Interval(utc(30, 0, month=3, year=2025), utc(30, 2, month=3, year=2025), OFF),
    )


def test_dtek_fact_spring_gap_half_hour_dropped() -> None:
    queues = read_fact(fixture("dtek_fact_2025-03-30_spring_dst.json"))

    assert queues["2.1"].intervals == (
        Interval(utc(30, 1, 30, month=3, year=2025), utc(30, 2, month=3, year=2025), OFF),
    )


# fact: errors


def test_dtek_fact_unknown_state_names_path_and_value() -> None:
    with pytest.raises(SourceFormatError) as caught:
        read_dtek_fact(fact({"GPV36.1": row(h7="off")}), file="page.html")

    assert caught.value.params["file"] == "page.html"
    assert caught.value.params["place"] == 'fact.data."1769637600".GPV36.1."7"'
    assert '"off"' in caught.value.params["reason"]


def test_dtek_fact_day_key_not_midnight_is_error() -> None:
    with pytest.raises(SourceFormatError, match="1769641200 is 2026-01-29T01:00:00"):
        read_dtek_fact(fact({"GPV1.1": row()}, key="1769641200"), file="f.json")


def test_dtek_fact_day_key_not_number_is_error() -> None:
    with pytest.raises(SourceFormatError, match="'today' is not a Unix time"):
        read_dtek_fact(fact({"GPV1.1": row()}, key="today"), file="f.json")


def test_dtek_fact_missing_hour_is_error() -> None:
    hours = row()
    del hours["13"]

    with pytest.raises(SourceFormatError, match="hour keys 13 are missing"):
        read_dtek_fact(fact({"GPV1.1": hours}), file="f.json")


def test_dtek_fact_hour_25_is_error() -> None:
    with pytest.raises(SourceFormatError, match="'25' is not a valid hour key"):
        read_dtek_fact(fact({"GPV1.1": row() | {"25": "yes"}}), file="f.json")


def test_dtek_fact_invalid_group_is_error() -> None:
    with pytest.raises(SourceFormatError, match="'Group 1' is not a group"):
        read_dtek_fact(fact({"Group 1": row()}), file="f.json")


def test_dtek_fact_non_empty_list_data_is_error() -> None:
    with pytest.raises(SourceFormatError, match="expected a JSON object, found an array"):
        read_dtek_fact({"data": [1], "update": "28.01.2026 21:36"}, file="f.json")


def test_dtek_fact_missing_data_is_error() -> None:
    with pytest.raises(SourceFormatError, match="'data' is missing"):
        read_dtek_fact({"update": "28.01.2026 21:36"}, file="f.json")


def test_dtek_fact_invalid_update_is_error() -> None:
    with pytest.raises(SourceFormatError, match=r"not a time in the form dd\.MM\.yyyy HH:mm"):
        read_dtek_fact(fact({"GPV1.1": row()}, update="12:37 29.01.2026"), file="f.json")


# fact: property


@given(st.lists(st.sampled_from(["yes", "no", "first", "second"]), min_size=24, max_size=24))
def test_dtek_fact_off_minutes_match_state_counts(states: list[str]) -> None:
    hours = {str(hour): state for hour, state in enumerate(states, start=1)}
    schedule = read_fact(fact({"GPV1.1": hours, "GPV1.2": row(h1="no")}))["1.1"]

    off_minutes = sum((i.end - i.start).total_seconds() / 60 for i in schedule.intervals)
    expected = 60 * states.count("no") + 30 * (states.count("first") + states.count("second"))
    assert off_minutes == expected


# preset


def preset(groups: dict[str, Any]) -> dict[str, Any]:
    return {"days": {}, "sch_names": {}, "data": groups, "updateFact": "29.06.2026 11:04"}


def week(**rows: dict[str, str]) -> dict[str, dict[str, str]]:
    """Seven weekday rows, all "yes" except the weekdays given as d1=..., d7=..."""
    return {str(weekday): rows.get(f"d{weekday}", row()) for weekday in range(1, 8)}


def test_dtek_preset_weekday_keys_are_monday_to_sunday() -> None:
    templates, _ = read_dtek_preset(preset({"GPV1.1": week(d7=row(h1="maybe"))}), file="p")

    assert templates[0].spans == (TemplateSpan(7, 0, 60, POSSIBLE),)


def test_dtek_preset_states_map_to_spans() -> None:
    monday = row(h1="mfirst", h3="maybe", h4="msecond", h5="no", h7="first", h8="second")
    templates, _ = read_dtek_preset(preset({"GPV2.2": week(d1=monday)}), file="p")

    assert templates[0].queue == "2.2"
    assert templates[0].spans == (
        TemplateSpan(1, 0, 30, POSSIBLE),
        TemplateSpan(1, 120, 180, POSSIBLE),
        TemplateSpan(1, 210, 240, POSSIBLE),
        TemplateSpan(1, 240, 300, OFF),
        TemplateSpan(1, 360, 390, OFF),
        TemplateSpan(1, 450, 480, OFF),
    )


def test_dtek_preset_update_fact_is_updated_at() -> None:
    _, updated_at = read_dtek_preset(preset({"GPV1.1": week()}), file="p")

    assert updated_at == dt.datetime(2026, 6, 29, 8, 4, tzinfo=UTC)


def test_dtek_preset_missing_weekday_is_error() -> None:
    days = week()
    del days["7"]

    with pytest.raises(SourceFormatError, match="weekday keys 7 are missing"):
        read_dtek_preset(preset({"GPV1.1": days}), file="p")


def test_dtek_preset_kyiv_reads_all_66_groups() -> None:
    path = shared_file("dtek/dtek-kem_2026-06-29T1027Z_9f06ddde.json")
    raw = json.loads(path.read_bytes())["raw"]

    templates, _ = read_dtek_preset(raw["preset"], file=path.name)

    assert len(templates) == 66


# page scanner


def test_extract_page_assignments_skips_non_json_values() -> None:
    page = (
        '<script>DisconSchedule.streets = ["a"]\n'
        "DisconSchedule.showCurOutage = true\n"
        "DisconSchedule.render = function () {}\n"
        'DisconSchedule.fact = {"data": []};</script>'
    )

    assert extract_page_assignments(page) == {
        "streets": ["a"],
        "showCurOutage": True,
        "fact": {"data": []},
    }


def test_extract_page_assignments_truncated_object_is_error() -> None:
    page = 'DisconSchedule.showTableFact = true\nDisconSchedule.fact = {"data": {"17'

    with pytest.raises(PageAssignmentError) as caught:
        extract_page_assignments(page)

    assert (caught.value.name, caught.value.line) == ("fact", 2)


def test_extract_page_assignments_real_page() -> None:
    path = shared_file("dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html")

    values = extract_page_assignments(path.read_text(encoding="utf-8"))

    assert len(values["streets"]) == 2626
    assert values["currentWeekDayIndex"] == 4
    assert values["fact"]["update"] == "28.01.2026 21:36"


# writers


def test_write_dtek_fact_round_trips() -> None:
    spans = {
        dt.date(2025, 10, 26): {"1.1": [(120, 300)], "GPV2.1": [(0, 30), (1410, 1440)], "3.1": []},
        WINTER_DAY: {"36.1": [(390, 810), (1020, 1440)]},
    }
    updated_at = dt.datetime(2026, 1, 28, 19, 36, tzinfo=UTC)

    days, read_updated_at = read_dtek_fact(write_dtek_fact(spans, updated_at=updated_at), file="w")

    assert read_updated_at == updated_at
    assert {(d.day, d.queue): d.status for d in days} == {
        (dt.date(2025, 10, 26), "1.1"): DayStatus.APPLIES,
        (dt.date(2025, 10, 26), "2.1"): DayStatus.APPLIES,
        (dt.date(2025, 10, 26), "3.1"): DayStatus.NO_OUTAGES,
        (WINTER_DAY, "36.1"): DayStatus.APPLIES,
    }
    by_key = {(d.day, d.queue): d.intervals for d in days}
    assert by_key[(WINTER_DAY, "36.1")] == (
        Interval(utc(29, 4, 30), utc(29, 11, 30), OFF),
        Interval(utc(29, 15), utc(29, 22), OFF),
    )
    assert by_key[(dt.date(2025, 10, 26), "1.1")] == (
        Interval(utc(25, 23, month=10, year=2025), utc(26, 3, month=10, year=2025), OFF),
    )


def test_write_dtek_fact_uses_half_hour_states() -> None:
    obj = write_dtek_fact({WINTER_DAY: {"1.1": [(30, 90)]}}, updated_at=utc(28, 19))

    hours = obj["data"][WINTER_KEY]["GPV1.1"]
    assert (hours["1"], hours["2"], hours["3"]) == ("second", "first", "yes")


def test_write_dtek_fact_no_days_is_empty_list() -> None:
    obj = write_dtek_fact({}, updated_at=utc(28, 19))

    assert obj["data"] == []
    assert obj["today"] == 1769551200  # 2026-01-28 00:00 +02:00


def test_write_dtek_fact_rejects_unaligned_span() -> None:
    with pytest.raises(ValueError, match="multiple of 30"):
        write_dtek_fact({WINTER_DAY: {"1.1": [(10, 60)]}}, updated_at=utc(28, 19))


def test_write_dtek_fact_rejects_naive_update_time() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        write_dtek_fact({}, updated_at=dt.datetime(2026, 1, 28, 19, 36))


def test_write_dtek_preset_round_trips_real_preset() -> None:
    path = shared_file("dtek/dtek-oem_2026-07-01T0918Z_86af11bd.json")
    templates, updated_at = read_dtek_preset(
        json.loads(path.read_bytes())["raw"]["preset"], file="p"
    )
    assert updated_at is not None

    written = write_dtek_preset(templates, updated_at=updated_at)

    assert read_dtek_preset(written, file="w") == (templates, updated_at)


def test_write_dtek_preset_off_wins_over_possible() -> None:
    spans = (TemplateSpan(1, 0, 30, POSSIBLE), TemplateSpan(1, 0, 60, OFF))

    written = write_dtek_preset([WeeklyTemplate("1.1", spans)], updated_at=utc(28, 19))

    assert written["data"]["GPV1.1"]["1"]["1"] == "no"


def test_write_dtek_preset_rejects_mixed_hour() -> None:
    spans = (TemplateSpan(1, 0, 30, POSSIBLE), TemplateSpan(1, 30, 60, OFF))

    with pytest.raises(ValueError, match="hour 1 has no DTEK state"):
        write_dtek_preset([WeeklyTemplate("1.1", spans)], updated_at=utc(28, 19))
