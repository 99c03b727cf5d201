"""Reading address files through a region's plugin, and finding one building for the outage lookup.

The building is found in the worker's in-memory index, never in the database. Two different
streets that match one query come back as candidates to choose from, never as a silent pick.
"""

from collections.abc import Sequence

import msgspec

from core.addresses import search
from core.addresses.index import BuildingEntry, RegionIndex
from core.addresses.schemas import AddressBatch
from core.errors import (
    AddressNotFoundError,
    AmbiguousAddressError,
    BuildingNotFoundError,
    EmptySourceError,
    InvalidQueryError,
    StreetNotFoundError,
    UnsupportedSourceError,
)
from core.hookspecs import SourceFile
from core.plugins import RegionHooks


class BuildingMatch(msgspec.Struct, frozen=True):
    building_id: int
    street_id: int
    street: str
    house: str
    settlement: str | None
    district: str | None
    queues: tuple[str, ...]
    other_operator: str | None
    other_operator_phone: str | None = None
    other_operator_website: str | None = None
    nodes: tuple[tuple[str, str], ...] = ()


async def read_address_files(
    hooks: RegionHooks, uploads: Sequence[SourceFile], context: dict[str, str]
) -> list[AddressBatch]:
    """Read address files through the region's plugin; raise when none is in one of its formats."""
    for upload in uploads:
        if not upload.content.strip():
            raise EmptySourceError(file=upload.filename)
    batches = await hooks.call("dso_read_address_sources", uploads=list(uploads), context=context)
    if batches is None:
        names = ", ".join(u.filename for u in uploads)
        raise UnsupportedSourceError(file=names, region=hooks.region, formats="address files")
    return list(batches)


def building_by_id(index: RegionIndex, region: str, building_id: int) -> BuildingMatch:
    building = index.buildings.get(building_id)
    if building is None:
        raise BuildingNotFoundError(field="building_id", building_id=building_id, region=region)
    return _match(index, building)


def find_building(index: RegionIndex, region: str, *, street: str, house: str) -> BuildingMatch:
    """Find one building by street text and house number, or raise with suggestions or candidates."""
    address = f"{street} {house}"
    streets = search.exact_streets(index, street)
    if not streets:
        suggestions = [hit.label for hit in search.search_streets(index, street, limit=5)]
        raise AddressNotFoundError(
            field="street", address=address, region=region, suggestions=suggestions
        )
    if len(streets) > 1:
        raise AmbiguousAddressError(
            field="street", address=address, candidates=[_candidate(h) for h in streets]
        )
    return find_on_street(index, region, streets[0].street_id, house)


def find_on_street(index: RegionIndex, region: str, street_id: int, house: str) -> BuildingMatch:
    street = index.streets.get(street_id)
    if street is None:
        raise StreetNotFoundError(field="street_id", street_id=street_id, region=region)
    building = index.building_by_number(street_id, house)
    if building is None:
        suggestions = [f"{street.name} {n}" for n in search.closest_houses(index, street_id, house)]
        raise AddressNotFoundError(
            field="house", address=f"{street.name} {house}", region=region, suggestions=suggestions
        )
    return _match(index, building)


def resolve_text(index: RegionIndex, region: str, address: str) -> BuildingMatch:
    """Resolve a free-text address to one building for the outage lookup."""
    streets, street, house = search.street_for_address(index, address)
    if house is None:
        raise InvalidQueryError(
            field="address",
            name="address",
            reason="add the house number after the street, for example 'вул. Хрещатик 22'",
        )
    if len(streets) == 1:
        return find_on_street(index, region, streets[0].street_id, house)
    return find_building(index, region, street=street, house=house)


def _match(index: RegionIndex, building: BuildingEntry) -> BuildingMatch:
    street = index.streets[building.street_id]
    return BuildingMatch(
        building_id=building.id,
        street_id=street.id,
        street=street.name,
        house=building.number,
        settlement=street.settlement,
        district=street.district,
        queues=building.queues,
        other_operator=building.other_operator,
        other_operator_phone=building.other_operator_phone,
        other_operator_website=building.other_operator_website,
        nodes=building.nodes,
    )


def _candidate(hit: search.StreetHit) -> dict[str, object]:
    return {
        "street_id": hit.street_id,
        "street": hit.label,
        "settlement": hit.settlement,
        "district": hit.district,
    }
