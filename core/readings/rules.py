"""Meter reading rules as pure functions: register names, the reading window, rollover, plausibility.

Nothing here reads the database or the clock; the service passes every input.
"""

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from core.readings.schemas import REGISTERS, HourSpan, MeterType, ReadingRules
from core.timezone import local_minute_to_utc, to_local

# Register names that customers copy from the meter display or the bill instead of zone names.
TARIFF_LABEL = re.compile(r"^\s*(t|т)\s*[1-3]\s*$", re.IGNORECASE)


class Rejection(Exception):
    """A submission that cannot be accepted as sent; `reason` is a key of `REASONS`."""

    def __init__(self, reason: str, register: str | None = None, **params: Any) -> None:
        self.reason = reason
        self.register = register
        self.params = {"register": register or "-", **params}
        super().__init__(reason)


# Reason code -> (title, what is wrong, what to do). English ids of the `uk` catalog.
REASONS: dict[str, tuple[str, str, str]] = {
    "register_label": (
        "Tariff label instead of zone name",
        "Register '{register}' is a tariff label, not a zone name.",
        "Name the registers {expected}: for a two-zone meter, day and night.",
    ),
    "missing_register": (
        "Register missing",
        "Register '{register}' of the meter is missing.",
        "Send every register of the meter: {expected}.",
    ),
    "unknown_register": (
        "Unknown register",
        "The meter has no register '{register}'.",
        "Send only the registers {expected}.",
    ),
    "invalid_value": (
        "Invalid register value",
        "The value of register '{register}' is not a whole non-negative number.",
        "Send the digits the meter shows before the decimal point.",
    ),
    "too_many_digits": (
        "Too many digits",
        "The value of register '{register}' has more digits than the meter's {digits}.",
        "Check the number and send the digits the meter shows.",
    ),
    "below_previous": (
        "Reading below the previous one",
        "The value of register '{register}' is below its previous reading {previous}.",
        "Check the number. If the meter was replaced, contact your distribution system operator.",
    ),
    "above_capacity": (
        "Consumption above capacity",
        "Register '{register}' shows {consumption} kWh since the previous reading, more than the connection can take in that time.",
        "Check the number and send it again.",
    ),
}


def check_registers(meter_type: MeterType, raw: Mapping[str, Any], digits: int) -> dict[str, int]:
    """Return the register values of `raw` for a meter of `meter_type`; raise `Rejection` otherwise.

    The names must be exactly the meter's zone names, and each value a whole number from 0 to
    the largest the register shows.
    """
    expected = REGISTERS[meter_type]
    listed = ", ".join(expected)
    for name in raw:
        if TARIFF_LABEL.match(name):
            raise Rejection("register_label", name, expected=listed)
        if name not in expected:
            raise Rejection("unknown_register", name[:20], expected=listed)
    for name in expected:
        if name not in raw:
            raise Rejection("missing_register", name, expected=listed)

    values = {}
    for name in expected:
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Rejection("invalid_value", name)
        if value >= 10**digits:
            raise Rejection("too_many_digits", name, digits=digits)
        values[name] = value
    return values


def reading_date(submitted_at: dt.datetime, rules: ReadingRules) -> dt.date:
    """Return the date a reading counts for (Commercial Metering Code, clause 8.6.3).

    A reading taken in the last `window_days_before_month_end` Kyiv days of a month or in the
    first `window_last_day` days of the next counts for the 1st of the next month. A reading
    taken on any other day counts for that day.

    The clause's "two days before the end of the month" is read as the month's last two days
    (30 and 31 January), because the month ends at the midnight after its last day and two days
    before that midnight is the start of the 30th. The defaults of `ReadingRules` encode this,
    and a region's `dso_reading_rules` hook may set other numbers.
    """
    day = to_local(submitted_at).date()
    month_length = calendar.monthrange(day.year, day.month)[1]
    if day.day > month_length - rules.window_days_before_month_end:
        return day.replace(day=1) + dt.timedelta(days=month_length)
    if day.day <= rules.window_last_day:
        return day.replace(day=1)
    return day


def is_rollover(previous: int, current: int, digits: int, max_kwh: float) -> bool:
    """Return whether a lower `current` means the register passed 10**digits and restarted at 0.

    Only when the consumption it implies is possible at the connection's capacity.
    """
    if current >= previous:
        return False
    return 10**digits - previous + current <= max_kwh


def register_consumption(
    register: str, previous: int, current: int, digits: int, max_kwh: float
) -> int:
    """Return the kWh counted since `previous`; raise `Rejection` when no consumption explains it."""
    if is_rollover(previous, current, digits, max_kwh):
        return 10**digits - previous + current
    if current < previous:
        raise Rejection("below_previous", register, previous=previous)
    consumption = current - previous
    if consumption > max_kwh:
        raise Rejection("above_capacity", register, consumption=consumption)
    return consumption


def zone_hours(start: dt.datetime, end: dt.datetime, spans: Iterable[HourSpan]) -> float:
    """Return how many hours of `[start, end)` fall in the Kyiv wall-clock `spans`.

    Each local day is resolved on its own date, so a 23- or 25-hour day counts its real length.
    """
    if end <= start:
        return 0.0
    total = 0.0
    day = to_local(start).date()
    while local_minute_to_utc(day, 0) < end:
        for span_start, span_end in _day_pieces(spans):
            piece_start = max(start, local_minute_to_utc(day, span_start * 60))
            piece_end = min(end, local_minute_to_utc(day, span_end * 60))
            if piece_end > piece_start:
                total += (piece_end - piece_start).total_seconds() / 3600
        day += dt.timedelta(days=1)
    return total


def _day_pieces(spans: Iterable[HourSpan]) -> list[HourSpan]:
    """Split spans that wrap past midnight (23-7) into pieces within one day (23-24, 0-7)."""
    pieces: list[HourSpan] = []
    for start, end in spans:
        if end > start:
            pieces.append((start, end))
        else:
            pieces.extend([(start, 24), (0, end)])
    return pieces


def powered_hours(
    start: dt.datetime,
    end: dt.datetime,
    spans: Iterable[HourSpan],
    outages: Iterable[tuple[dt.datetime, dt.datetime]],
) -> float:
    """Return the hours of `[start, end)` in the zone `spans` with no scheduled outage."""
    span_list = list(spans)
    off = sum(
        zone_hours(max(start, off_start), min(end, off_end), span_list)
        for off_start, off_end in outages
    )
    return max(0.0, zone_hours(start, end, span_list) - off)


def expected_consumption(history: Iterable[tuple[float, float]], hours: float) -> float | None:
    """Return the kWh expected in `hours` of the zone at the rate of `history`.

    `history` contains (kWh, powered zone hours) of earlier periods. Return None when it has no hours.
    """
    samples = list(history)
    history_hours = sum(h for _, h in samples)
    if history_hours <= 0:
        return None
    return sum(kwh for kwh, _ in samples) / history_hours * hours


def is_plausible(consumption: int, expected: float | None, rules: ReadingRules) -> bool:
    """Return whether `consumption` is inside the band around `expected`; no history means yes."""
    if expected is None:
        return True
    high = max(expected * rules.plausibility_ratio, expected + rules.plausibility_slack_kwh)
    low = expected / rules.plausibility_ratio - rules.plausibility_slack_kwh
    return low <= consumption <= high
