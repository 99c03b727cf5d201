"""State now and next outage of one queue, from its day schedules."""

import datetime as dt

from core.outages.outlook import compute_outlook
from core.schedules.model import DaySchedule, DayStatus, Interval, SlotState
from core.timezone import local_minute_to_utc

TODAY = dt.date(2026, 1, 29)
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return local_minute_to_utc(day, hour * 60 + minute)


def day(
    date: dt.date, status: DayStatus, *spans: tuple[int, int], state: SlotState = SlotState.OFF
) -> DaySchedule:
    intervals = tuple(
        Interval(local_minute_to_utc(date, s), local_minute_to_utc(date, e), state)
        for s, e in spans
    )
    return DaySchedule("36.1", date, status, intervals)


def three_days(today: DaySchedule, tomorrow: DaySchedule | None = None) -> list[DaySchedule]:
    return [
        day(YESTERDAY, DayStatus.NO_OUTAGES),
        today,
        tomorrow or day(TOMORROW, DayStatus.NO_OUTAGES),
    ]


def test_half_hour_pieces_are_one_outage() -> None:
    pieces = [(630 + 30 * i, 660 + 30 * i) for i in range(7)]
    outlook = compute_outlook(
        "36.1", three_days(day(TODAY, DayStatus.APPLIES, *pieces)), at(12, 10)
    )
    assert outlook.state.value == "off"
    assert outlook.state.until == at(14)


def test_between_outages_next_ends_at_its_own_end() -> None:
    days = three_days(day(TODAY, DayStatus.APPLIES, (330, 750), (960, 1170)))
    outlook = compute_outlook("36.1", days, at(14))
    assert outlook.state.value == "on"
    assert outlook.next_outage is not None
    assert (outlook.next_outage.start, outlook.next_outage.end) == (at(16), at(19, 30))


def test_outage_across_midnight_is_one() -> None:
    days = three_days(
        day(TODAY, DayStatus.APPLIES, (1260, 1440)), day(TOMORROW, DayStatus.APPLIES, (0, 120))
    )
    outlook = compute_outlook("36.1", days, at(22))
    assert outlook.state.until == at(2, day=TOMORROW)


def test_emergency_day_is_never_on() -> None:
    outlook = compute_outlook("36.1", three_days(day(TODAY, DayStatus.EMERGENCY)), at(12))
    assert outlook.state.value == "emergency"
    assert outlook.next_outage_known is False


def test_no_data_day_is_unknown() -> None:
    outlook = compute_outlook("36.1", three_days(day(TODAY, DayStatus.NO_DATA)), at(12))
    assert outlook.state.value == "unknown"
    assert outlook.next_outage is None
    assert outlook.next_outage_known is False


def test_no_outages_today_and_tomorrow_unknown_leaves_next_unknown() -> None:
    days = three_days(day(TODAY, DayStatus.NO_OUTAGES), day(TOMORROW, DayStatus.NO_DATA))
    outlook = compute_outlook("36.1", days, at(12))
    assert outlook.state.value == "on"
    assert outlook.state.until is None
    assert outlook.next_outage_known is False


def test_possible_interval_is_possible_not_off() -> None:
    days = three_days(day(TODAY, DayStatus.APPLIES, (600, 720), state=SlotState.POSSIBLE))
    outlook = compute_outlook("36.1", days, at(11))
    assert outlook.state.value == "possible"
    assert outlook.next_outage is None


def test_on_since_previous_outage_end() -> None:
    days = three_days(day(TODAY, DayStatus.APPLIES, (300, 480), (900, 1020)))
    outlook = compute_outlook("36.1", days, at(12))
    assert outlook.state.since == at(8)
    assert outlook.state.until == at(15)
