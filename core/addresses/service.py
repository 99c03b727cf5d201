"""Address import and building lookup.

Streets are matched on the normalized key of `core.addresses.normalize`, so every real spelling
of a street finds it; the display name stays as the DSO wrote it. Two different streets that
match one query come back as candidates, never as a silent pick.
"""

import re
from collections.abc import Sequence

import msgspec
import structlog
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.house_numbers import parse_house_number, rank_house_matches
from core.addresses.models import Building, Settlement, Street
from core.addresses.normalize import street_key, street_token_set, street_type
from core.addresses.schemas import AddressBatch
from core.errors import (
    AddressNotFoundError,
    AmbiguousAddressError,
    BuildingNotFoundError,
    EmptySourceError,
    InvalidQueryError,
    UnsupportedSourceError,
)
from core.hookspecs import SourceFile
from core.plugins import RegionHooks

log = structlog.get_logger(__name__)

# "<street>, <house>" or "<street> <house>", where the house starts with a digit and may carry
# a letter, a fraction or a block: "вул. Здановської Юлії 71/З", "Хрещатик, 12 корп. 2".
_ADDRESS_PATTERN = re.compile(
    r"^(?P<street>.*?\D)[,\s]+(?:буд\.?\s*|будинок\s+)?(?P<house>\d+\s*(?:[-/]?\s*[^\s,]*)(?:\s*,?\s*(?:корп\.?|к\.)\s*\d+)?)\s*$",
    re.IGNORECASE,
)


class BuildingMatch(msgspec.Struct, frozen=True):
    building_id: int
    street_id: int
    street: str
    house: str
    settlement: str | None
    district: str | None
    queues: tuple[str, ...]
    other_operator: str | None


class Candidate(msgspec.Struct, frozen=True):
    street_id: int
    street: str
    settlement: str | None
    district: str | None


def split_address(address: str) -> tuple[str, str]:
    """Split free text into (street, house); raise InvalidQueryError when no house number is found."""
    match = _ADDRESS_PATTERN.match(" ".join(address.split()))
    if match is None:
        raise InvalidQueryError(
            field="address",
            name="address",
            reason="add the house number after the street, for example 'вул. Хрещатик 22'",
        )
    return match.group("street").strip(" ,"), match.group("house").strip()


async def find_building(
    session: AsyncSession, region: str, *, street: str, house: str
) -> BuildingMatch:
    """Find one building by street text and house number, or raise with suggestions or candidates."""
    candidates = await match_streets(session, region, street)
    address = f"{street} {house}"
    if not candidates:
        suggestions = await suggest_streets(session, region, street)
        raise AddressNotFoundError(
            field="street", address=address, region=region, suggestions=suggestions
        )
    if len(candidates) > 1:
        raise AmbiguousAddressError(
            field="street", address=address, candidates=[_candidate(s) for s in candidates]
        )

    chosen = candidates[0]
    try:
        key = parse_house_number(house).key
    except ValueError as error:
        raise InvalidQueryError(field="house", name="house", reason=str(error)) from error
    building = await session.scalar(
        select(Building).where(Building.street_id == chosen.id, Building.number_key == key)
    )
    if building is None:
        numbers = (
            await session.scalars(select(Building.number).where(Building.street_id == chosen.id))
        ).all()
        suggestions = [f"{chosen.name} {n}" for n in _closest_houses(house, numbers)]
        raise AddressNotFoundError(
            field="house", address=address, region=region, suggestions=suggestions
        )
    return await _match(session, building, chosen)


def _closest_houses(query: str, numbers: Sequence[str], limit: int = 5) -> list[str]:
    """Return the houses that extend the query ("10" -> "10А"), else those nearest in number."""
    ranked = rank_house_matches(query, numbers)
    if ranked:
        return ranked[:limit]
    try:
        wanted = parse_house_number(query).number
    except ValueError:
        return []
    parsed = [(parse_house_number(n), n) for n in numbers]
    parsed.sort(key=lambda item: (abs(item[0].number - wanted), item[0].sort_key))
    return [n for _house, n in parsed[:limit]]


async def building_by_id(session: AsyncSession, region: str, building_id: int) -> BuildingMatch:
    row = (
        await session.execute(
            select(Building, Street)
            .join(Street, Street.id == Building.street_id)
            .where(Building.id == building_id, Street.region == region)
        )
    ).first()
    if row is None:
        raise BuildingNotFoundError(field="building_id", building_id=building_id, region=region)
    return await _match(session, row[0], row[1])


async def match_streets(session: AsyncSession, region: str, text: str) -> list[Street]:
    """Return the streets whose key equals the query's; fall back to the same words in any order."""
    key, kind = street_key(text), street_type(text)
    if not key:
        return []
    found = list(
        await session.scalars(select(Street).where(Street.region == region, Street.key == key))
    )
    if not found:
        tokens = street_token_set(text)
        everything = await session.scalars(select(Street).where(Street.region == region))
        found = [s for s in everything if street_token_set(s.name) == tokens]
    if kind is not None and any(s.street_type == kind for s in found):
        found = [s for s in found if s.street_type == kind]
    return found


async def suggest_streets(
    session: AsyncSession, region: str, text: str, limit: int = 5
) -> list[str]:
    """Return display names of the streets closest to `text`, best first."""
    names = {s.id: s for s in await session.scalars(select(Street).where(Street.region == region))}
    choices = {street_id: street.key for street_id, street in names.items()}
    ranked = process.extract(
        street_key(text), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=75
    )
    return [names[street_id].name for _key, _score, street_id in ranked]


async def _match(session: AsyncSession, building: Building, street: Street) -> BuildingMatch:
    settlement = (
        await session.get(Settlement, street.settlement_id) if street.settlement_id else None
    )
    return BuildingMatch(
        building_id=building.id,
        street_id=street.id,
        street=street.name,
        house=building.number,
        settlement=settlement.name if settlement else None,
        district=street.district,
        queues=tuple(building.queues),
        other_operator=building.other_operator,
    )


def _candidate(street: Street) -> dict[str, object]:
    return {"street_id": street.id, "street": street.name, "district": street.district}


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
