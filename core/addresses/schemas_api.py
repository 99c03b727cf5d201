"""API shapes of the address domain."""

import msgspec

from core.addresses.index import BuildingEntry
from core.addresses.search import Resolution, StreetHit


class OperatorOut(msgspec.Struct, frozen=True):
    """The operator that serves a building instead of this DSO."""

    name: str
    phone: str | None
    website: str | None


class BuildingOut(msgspec.Struct, frozen=True):
    building_id: int
    street_id: int
    house: str
    queues: list[str]
    other_operator: OperatorOut | None


class ResolutionOut(msgspec.Struct, frozen=True):
    """`status` is `found` (see `building`), `candidates` (choose a street or a house) or `not_found`."""

    status: str
    street: StreetHit | None
    building: BuildingOut | None
    candidates: list[StreetHit]
    houses: list[str]


def building_out(building: BuildingEntry) -> BuildingOut:
    operator = None
    if building.other_operator:
        operator = OperatorOut(
            building.other_operator, building.other_operator_phone, building.other_operator_website
        )
    return BuildingOut(
        building.id, building.street_id, building.number, list(building.queues), operator
    )


def resolution_out(resolution: Resolution) -> ResolutionOut:
    return ResolutionOut(
        status=resolution.status,
        street=resolution.street,
        building=building_out(resolution.building) if resolution.building else None,
        candidates=resolution.candidates,
        houses=resolution.houses,
    )
