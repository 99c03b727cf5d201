"""Meter reading shapes: the region's reading rules, API bodies and the parsed SMS."""

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec


class MeterType(enum.StrEnum):
    """How many tariff zones a meter counts separately."""

    ONE_ZONE = "one_zone"
    TWO_ZONE = "two_zone"
    THREE_ZONE = "three_zone"


# The registers of each meter type, named by tariff zone.
REGISTERS: dict[MeterType, tuple[str, ...]] = {
    MeterType.ONE_ZONE: ("total",),
    MeterType.TWO_ZONE: ("day", "night"),
    MeterType.THREE_ZONE: ("peak", "half_peak", "night"),
}

# A span of Kyiv wall-clock hours `[start, end)`; `end` below `start` wraps past midnight.
HourSpan = tuple[int, int]


def standard_zone_hours() -> dict[str, dict[str, tuple[HourSpan, ...]]]:
    """Return the zone hours that the Ukrainian zone tariffs use today, by meter type and register."""
    return {
        MeterType.ONE_ZONE: {"total": ((0, 24),)},
        MeterType.TWO_ZONE: {"night": ((23, 7),), "day": ((7, 23),)},
        MeterType.THREE_ZONE: {
            "peak": ((8, 11), (20, 22)),
            "half_peak": ((7, 8), (11, 20), (22, 23)),
            "night": ((23, 7),),
        },
    }


class ReadingRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A region's meter reading rules, returned by its `dso_reading_rules` hook."""

    # TODO: every bundled region passes 6 to 12 digits, a placeholder for the DSOs' real
    # personal account formats, which no public source here gives.
    account_pattern: str
    """Regular expression that a whole personal account number matches."""
    sms_format_uk: str = ""
    """The expected SMS text in Ukrainian, shown to a customer whose SMS was malformed."""
    window_days_before_month_end: int = 2
    """Last days of a month whose readings count for the 1st of the next month."""
    window_last_day: int = 3
    """Last day of a month whose readings still count for its 1st."""
    zone_hours: dict[str, dict[str, tuple[HourSpan, ...]]] = msgspec.field(
        default_factory=standard_zone_hours
    )
    """Kyiv wall-clock hours of each register, by meter type."""
    plausibility_ratio: float = 3.0
    """A consumption above expected × ratio or below expected / ratio needs confirmation."""
    plausibility_slack_kwh: int = 30
    """Consumption that never needs confirmation however small the expectation is, in kWh."""


class SmsReading(msgspec.Struct, frozen=True):
    """The account and register values read from one SMS by the region's plugin."""

    account_number: str
    registers: dict[str, int]


# API bodies.

Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=12)]
AccountNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Eic = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Digits = Annotated[int, msgspec.Meta(ge=4, le=9)]
Whole = Annotated[int, msgspec.Meta(ge=0, le=999_999_999)]


class CodeRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    phone: Phone


class CodeSent(msgspec.Struct, frozen=True):
    expires_at: dt.datetime
    """When the code stops being valid, with the Kyiv offset."""


class TokenRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    phone: Phone
    code: Code


class TokenOut(msgspec.Struct, frozen=True):
    access_token: str
    token_type: str
    expires_at: dt.datetime


class MeterIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A meter installed at an account, with the registers it showed when installed."""

    serial: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    meter_type: MeterType
    digits: Digits
    installed_at: dt.datetime
    initial_readings: dict[str, Whole]


class MeterReplacement(MeterIn, frozen=True, forbid_unknown_fields=True):
    """A new meter and, when known, the final register values of the meter it replaces."""

    final_readings: dict[str, Whole] | None = None
    """Registers of the removed meter when it was removed; they close its last consumption period."""


class AccountCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    account_number: AccountNumber
    eic: Eic
    capacity_kw: Annotated[float, msgspec.Meta(gt=0, le=10_000)]
    meter: MeterIn
    building_id: int | None = None


class AccountLink(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    account_number: AccountNumber
    eic: Eic


class MeterOut(msgspec.Struct, frozen=True):
    id: int
    serial: str
    meter_type: MeterType
    digits: int
    installed_at: dt.datetime
    initial_readings: dict[str, int]
    removed_at: dt.datetime | None


class AccountOut(msgspec.Struct, frozen=True):
    id: int
    region: str
    account_number: str
    eic: str
    capacity_kw: float
    building_id: int | None
    meter: MeterOut | None


class ReadingIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Register values as the customer typed them; they are checked after the submission is stored."""

    registers: Annotated[dict[str, Any], msgspec.Meta(max_length=10)]
    confirm: bool = False
    """Set after a `needs_confirmation` outcome to keep the values as they are."""


class DeliveryOut(msgspec.Struct, frozen=True):
    """The progress of an accepted reading into the region's billing."""

    state: str
    """`accepted` (waiting for delivery), `delivered`, `retrying`, `failed` (given up) or
    `replaced` (a later reading for the same date is delivered instead)."""
    message: str
    """The state in plain words, in the request's language."""
    delivered_at: dt.datetime | None = None
    """When billing took the reading, with the Kyiv offset."""
    last_error: str | None = None
    """The reason the last delivery attempt failed, in plain words, for `retrying` and `failed`."""


class ReadingOut(msgspec.Struct, frozen=True):
    id: int
    outcome: str
    reading_date: dt.date
    registers: dict[str, int]
    consumption: dict[str, int]
    confirm: list[str] = []
    """Registers whose consumption is far from the expected range, for `needs_confirmation`."""
    message: str = ""
    delivery: DeliveryOut | None = None
    """The delivery into billing of an accepted reading; null for other outcomes."""


class SmsInbound(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A message that the SMS gateway received, as its webhook posts it."""

    text: Annotated[str, msgspec.Meta(max_length=500)]
    from_: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] = msgspec.field(name="from")


class SmsReply(msgspec.Struct, frozen=True):
    reply: str
    outcome: str


class ReadingRecordOut(msgspec.Struct, frozen=True):
    """One submitted meter reading in the customer's history, whatever its outcome."""

    id: int
    meter_id: int | None
    channel: str
    submitted_at: dt.datetime
    reading_date: dt.date
    outcome: str
    """`accepted`, `needs_confirmation`, `rejected`, or `received` while it is being judged."""
    reason: str | None
    """The rejection reason code, for `rejected`."""
    raw_registers: dict[str, Any]
    """The register values exactly as sent."""
    registers: dict[str, int] | None
    consumption: dict[str, int] | None
    """kWh of each register since the previous accepted reading of the same meter."""
    confirmed: bool
    """Whether the customer confirmed values that were far from the usual consumption."""
    replaced_by_id: int | None
    """A later accepted reading for the same meter and date that replaced this one."""
    photos: int
    """Number of meter photos sent with the reading."""
    delivery: DeliveryOut | None = None
    """The progress of an accepted reading into billing; None for other outcomes."""


class ConsumptionPeriodOut(msgspec.Struct, frozen=True):
    """Consumption that one meter counted from the previous accepted reading, or from its installation."""

    submission_id: int
    meter_id: int
    meter_serial: str
    start: dt.datetime
    end: dt.datetime
    reading_date: dt.date
    consumption: dict[str, int]
    """kWh by register: a rollover counts past the largest value, a new meter from its initial readings."""
    total_kwh: int


class ReadingHistoryOut(msgspec.Struct, frozen=True):
    account_id: int
    meters: list[MeterOut]
    """Every meter installed at the account, the current one last."""
    readings: list[ReadingRecordOut]
    """The latest submissions, newest first."""
    periods: list[ConsumptionPeriodOut]
    """The latest consumption periods of accepted readings still in force, newest first."""
