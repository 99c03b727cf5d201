"""Staff API shapes for planned works and emergency outages."""

import datetime as dt
import enum

import msgspec


class OutageKind(enum.StrEnum):
    PLANNED_WORKS = "planned_works"
    EMERGENCY = "emergency"
    STABILIZATION = "stabilization"


class CauseCategory(enum.StrEnum):
    """Why the power is off, in categories a customer understands."""

    MAINTENANCE = "maintenance"
    EQUIPMENT_FAILURE = "equipment_failure"
    WEATHER = "weather"
    HOSTILE_ATTACK = "hostile_attack"
    GRID_RESTRICTIONS = "grid_restrictions"
    OVERLOAD = "overload"
    CONNECTION_WORKS = "connection_works"
    OTHER = "other"


class NodeKind(enum.StrEnum):
    SUBSTATION = "substation"
    FEEDER = "feeder"
    TRANSFORMER_SUBSTATION = "transformer_substation"


class NodeRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: NodeKind
    id: str


class OutageCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new outage. Give exactly one of `building_ids`, `street_id` or `node`.

    Times without an offset are Kyiv wall clock.
    """

    kind: OutageKind
    cause: CauseCategory
    starts_at: dt.datetime
    estimated_restoration: dt.datetime | None = None
    note: str = ""
    building_ids: list[int] | None = None
    street_id: int | None = None
    node: NodeRef | None = None


class OutageUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Fields to change; fields left out keep their value. A new estimate is added to the history."""

    estimated_restoration: dt.datetime | msgspec.UnsetType | None = msgspec.UNSET
    cause: CauseCategory | msgspec.UnsetType = msgspec.UNSET
    note: str | msgspec.UnsetType = msgspec.UNSET


class EstimateOut(msgspec.Struct, frozen=True):
    estimated_restoration: dt.datetime | None
    recorded_at: dt.datetime


class OutageOut(msgspec.Struct, frozen=True):
    """An outage as staff and customers see it; `cause_text` is in the request's language."""

    id: int
    region: str
    kind: str
    cause: str
    cause_text: str
    note: str
    target_kind: str
    target: object
    starts_at: dt.datetime
    estimated_restoration: dt.datetime | None
    resolved_at: dt.datetime | None
    estimates: list[EstimateOut]
