"""API shapes of the outage lookup: one building, now."""

import datetime as dt

import msgspec

from core.addresses.schemas_api import OperatorOut
from core.schedules.schemas import IntervalOut, SourceOut


class StateOut(msgspec.Struct, frozen=True):
    """`value`: on, off, possible, emergency or unknown. `since`/`until` are null when not known."""

    value: str
    since: dt.datetime | None
    until: dt.datetime | None


class DayOut(msgspec.Struct, frozen=True):
    date: dt.date
    status: str
    intervals: list[IntervalOut]
    source: SourceOut | None
    version: int | None


class QueueOutlookOut(msgspec.Struct, frozen=True):
    queue: str
    state: StateOut
    next_outage: IntervalOut | None
    next_outage_known: bool
    days: list[DayOut]


class AddressOut(msgspec.Struct, frozen=True):
    building_id: int
    street_id: int
    street: str
    house: str
    settlement: str | None
    district: str | None


class OutageEventOut(msgspec.Struct, frozen=True):
    """Planned works or an incident at the building, with how the restoration estimate moved."""

    id: int
    kind: str
    cause: str
    cause_text: str
    note: str
    starts_at: dt.datetime
    estimated_restoration: dt.datetime | None
    estimate_history: list[dt.datetime | None]
    active: bool


class OutageLookupOut(msgspec.Struct, frozen=True):
    """The answer for one building.

    `queue` is null when the building has no single queue: fed by two lines (`queues` lists
    both, each with its own outlook in `by_queue`) or served by `other_operator`.
    `planned_works` and `incidents` hold active outages at the building, which beat the schedule.
    """

    region: str
    at: dt.datetime
    address: AddressOut
    queue: str | None
    queues: list[str]
    other_operator: OperatorOut | None
    state: StateOut
    next_outage: IntervalOut | None
    next_outage_known: bool
    days: list[DayOut]
    by_queue: list[QueueOutlookOut]
    planned_works: list[OutageEventOut]
    incidents: list[OutageEventOut]
    source: SourceOut | None
