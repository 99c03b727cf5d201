"""Pure meter reading rules: register names, reading window, rollover and zone hours."""

import datetime as dt

import pytest

from core.readings import rules
from core.readings.schemas import MeterType, ReadingRules
from core.timezone import KYIV

RULES = ReadingRules(account_pattern=r"\d{6,12}")


def kyiv(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=KYIV).astimezone(dt.UTC)


def test_rollover_on_five_digit_register() -> None:
    consumption = rules.register_consumption("total", 99_993, 11, 5, max_kwh=500)

    assert consumption == 18


def test_lower_reading_without_possible_rollover_is_rejected() -> None:
    with pytest.raises(rules.Rejection) as caught:
        rules.register_consumption("total", 50_000, 11, 5, max_kwh=500)

    assert caught.value.reason == "below_previous"


def test_rollover_needs_enough_digits_consumed() -> None:
    assert not rules.is_rollover(99_993, 11, 6, max_kwh=500)


def test_consumption_above_capacity_is_rejected() -> None:
    with pytest.raises(rules.Rejection) as caught:
        rules.register_consumption("total", 100, 5_000, 5, max_kwh=240)

    assert caught.value.reason == "above_capacity"


def test_tariff_labels_are_rejected() -> None:
    with pytest.raises(rules.Rejection) as caught:
        rules.check_registers(MeterType.TWO_ZONE, {"T1": 100, "T2": 50}, 6)

    assert caught.value.reason == "register_label"
    assert caught.value.params["expected"] == "day, night"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"day": 100}, "missing_register"),
        ({"day": 100, "night": 50, "peak": 1}, "unknown_register"),
        ({"day": -1, "night": 50}, "invalid_value"),
        ({"day": 10.5, "night": 50}, "invalid_value"),
        ({"day": True, "night": 50}, "invalid_value"),
        ({"day": "100", "night": 50}, "invalid_value"),
        ({"day": 1_000_000, "night": 50}, "too_many_digits"),
    ],
)
def test_bad_registers_are_rejected(raw: dict[str, object], reason: str) -> None:
    with pytest.raises(rules.Rejection) as caught:
        rules.check_registers(MeterType.TWO_ZONE, raw, 6)

    assert caught.value.reason == reason


def test_last_day_2330_local_is_in_window() -> None:
    # 23:30 in Kyiv on 31 January is 21:30 UTC, still January in both.
    assert rules.reading_date(kyiv(2026, 1, 31, 23, 30), RULES) == dt.date(2026, 2, 1)


def test_first_day_after_local_midnight_is_in_window() -> None:
    # 00:30 in Kyiv on 1 March is still 28 February in UTC.
    assert rules.reading_date(kyiv(2026, 3, 1, 0, 30), RULES) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 1, 30, 9, 0), dt.date(2026, 2, 1)),
        ((2026, 2, 3, 22, 0), dt.date(2026, 2, 1)),
        ((2026, 2, 4, 0, 10), dt.date(2026, 2, 4)),
        ((2026, 1, 29, 23, 59), dt.date(2026, 1, 29)),
        ((2026, 2, 27, 8, 0), dt.date(2026, 3, 1)),
    ],
)
def test_reading_window_edges(local: tuple[int, ...], expected: dt.date) -> None:
    assert rules.reading_date(kyiv(*local), RULES) == expected


def test_zone_hours_on_spring_forward_day() -> None:
    start, end = kyiv(2025, 3, 30, 0, 0), kyiv(2025, 3, 31, 0, 0)

    assert rules.zone_hours(start, end, [(0, 24)]) == 23
    assert rules.zone_hours(start, end, [(23, 7)]) == 7


def test_night_zone_wraps_midnight() -> None:
    start, end = kyiv(2026, 1, 10, 12, 0), kyiv(2026, 1, 11, 12, 0)

    assert rules.zone_hours(start, end, [(23, 7)]) == 8
    assert rules.zone_hours(start, end, [(8, 11), (20, 22)]) == 5


def test_scheduled_outage_reduces_powered_hours() -> None:
    start, end = kyiv(2026, 1, 10, 0, 0), kyiv(2026, 1, 11, 0, 0)
    outage = (kyiv(2026, 1, 10, 6, 0), kyiv(2026, 1, 10, 10, 0))

    assert rules.powered_hours(start, end, [(7, 23)], [outage]) == 13
    assert rules.powered_hours(start, end, [(23, 7)], [outage]) == 7


def test_plausibility_band() -> None:
    assert rules.is_plausible(300, 300.0, RULES)
    assert not rules.is_plausible(3_000, 300.0, RULES)
    assert not rules.is_plausible(10, 300.0, RULES)
    assert rules.is_plausible(10_000, None, RULES)
