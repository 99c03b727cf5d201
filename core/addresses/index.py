"""The in-memory address index that search and the outage lookup read without the database.

Each worker process builds it from the registry at start and rebuilds it when the registry's
change counter moves. Lookups go by the normalized street key, the sorted words of the key and
every alias key, so every stored spelling and former name finds its street.
"""

import array
import bisect
import functools
from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.house_numbers import parse_house_number
from core.addresses.models import Building, Settlement, Street, StreetAlias
from core.addresses.normalize import fold_text

_SETTLEMENT_WORDS = {"м", "місто", "с", "село", "смт", "селище", "сел", "сщ"}
_SETTLEMENT_ABBREVIATIONS = {"м", "с", "смт", "сел", "сщ"}


_KIND_BY_WORD = {
    "м": "місто",
    "місто": "місто",
    "с": "село",
    "село": "село",
    "смт": "селище",
    "селище": "селище",
    "сел": "селище",
    "сщ": "селище",
}
_ABBREVIATION_BY_KIND = {
    "місто": "м.",
    "село": "с.",
    "селище": "сел.",
    "місто зі спеціальним статусом": "м.",
}


def settlement_kind(name: str) -> str | None:
    """Return the settlement category its type word names ("с. Гатне" -> "село"), or None."""
    words = fold_text(name).replace(".", " ").split()
    return _KIND_BY_WORD.get(words[0]) if len(words) > 1 else None


def settlement_label(name: str, kind: str | None) -> str:
    """Return a settlement name with its type word: "Гатне" of kind "село" -> "с. Гатне"."""
    if settlement_kind(name) is not None or not kind or kind not in _ABBREVIATION_BY_KIND:
        return name
    return f"{_ABBREVIATION_BY_KIND[kind]} {name}"


def settlement_key(name: str) -> str:
    """Return the matching key of a settlement name without its type word: "м. Бровари" -> "бровари".

    Only type words before the name are dropped, and a short one after it ("Бровари м."), so
    the names "с. Селище" ("селище") and "Нове Село" ("нове село") keep their own words.
    """
    words = fold_text(name).replace(".", " ").split()
    start = 0
    while start < len(words) - 1 and words[start] in _SETTLEMENT_WORDS:
        start += 1
    name_words = words[start:]
    if start == 0 and len(name_words) > 1 and name_words[-1] in _SETTLEMENT_ABBREVIATIONS:
        name_words = name_words[:-1]
    return " ".join(name_words)


def loose_key(key: str) -> str:
    """Return the sorted words of a street key without its one-letter words."""
    return " ".join(sorted(word for word in key.split() if len(word) > 1))


class StreetEntry(msgspec.Struct, frozen=True):
    id: int
    name: str
    key: str
    token_key: str
    street_type: str | None
    district: str | None
    settlement: str | None
    settlement_key: str | None
    aliases: tuple[tuple[str, str, bool], ...] = ()
    """Other names of the street as (display name, key, whether it is a former name)."""


class BuildingEntry(msgspec.Struct, frozen=True, gc=False):
    id: int
    street_id: int
    number: str
    number_key: str
    queues: tuple[str, ...]
    other_operator: str | None = None
    other_operator_phone: str | None = None
    other_operator_website: str | None = None
    nodes: tuple[tuple[str, str], ...] = ()
    """Grid nodes that feed the building as (kind, id): substation, feeder, transformer_substation."""


class RegionIndex:
    """Streets and buildings of one region with the maps that search needs."""

    def __init__(self) -> None:
        self.streets: dict[int, StreetEntry] = {}
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.by_token_key: dict[str, set[int]] = defaultdict(set)
        # Keys without spaces, for words glued together ("СТСтадне", "вул.Садова").
        self.by_compact: dict[str, set[int]] = defaultdict(set)
        # Sorted words without one-letter words, the last resort for a stray letter ("р-н,м вул.").
        self.by_loose: dict[str, set[int]] = defaultdict(set)
        self.alias_of: dict[tuple[int, str], tuple[str, bool]] = {}
        self.words: list[tuple[str, int]] = []
        self.buildings: dict[int, BuildingEntry] = {}
        self.by_street: dict[int, dict[str, BuildingEntry]] = defaultdict(dict)
        self.settlement_keys: set[str] = set()
        self.fuzzy_keys: list[str] = []
        self.keys: list[tuple[str, int]] = []
        self.fuzzy_ids: list[int] = []

    def add_street(self, street: StreetEntry) -> None:
        self.streets[street.id] = street
        self._add_key(street.id, street.key)
        for name, key, former in street.aliases:
            self._add_key(street.id, key)
            self.alias_of[(street.id, key)] = (name, former)
        if street.settlement_key:
            self.settlement_keys.add(street.settlement_key)

    def _add_key(self, street_id: int, key: str) -> None:
        self.by_key[key].add(street_id)
        self.by_token_key[" ".join(sorted(key.split()))].add(street_id)
        self.by_compact[key.replace(" ", "")].add(street_id)
        self.by_loose[loose_key(key)].add(street_id)
        self.words.extend((word, street_id) for word in key.split())

    def add_building(self, building: BuildingEntry) -> None:
        self.buildings[building.id] = building
        self.by_street[building.street_id][building.number_key] = building

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the buildings as columns, without the two maps that hold them.

        Integer columns are arrays, and equal house numbers are one string, so loading creates
        no object that is thrown away again: such objects would leave the worker's memory
        fragmented.
        """
        state = dict(vars(self))
        del state["by_street"]
        buildings = list(self.buildings.values())
        texts: dict[str, str] = {}
        state["buildings"] = {
            "id": array.array("q", (b.id for b in buildings)),
            "street_id": array.array("q", (b.street_id for b in buildings)),
            "number": [texts.setdefault(b.number, b.number) for b in buildings],
            "number_key": [texts.setdefault(b.number_key, b.number_key) for b in buildings],
            **{
                field: [getattr(b, field) for b in buildings]
                for field in BuildingEntry.__struct_fields__[4:]
            },
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the buildings so that equal street ids are one object and ids are shared keys.

        Pickle restores every integer as its own object, so a million buildings would carry a
        million copies of their street ids, and the map keys would copy each building id again.
        """
        columns = state.pop("buildings")
        vars(self).update(state)
        self.buildings = {}
        self.by_street = defaultdict(dict)
        street_ids: dict[int, int] = {}
        fields = [columns[field] for field in BuildingEntry.__struct_fields__]
        for values in zip(*fields, strict=True):
            building_id, street_id, *rest = values
            street_id = street_ids.setdefault(street_id, street_id)
            self.add_building(BuildingEntry(building_id, street_id, *rest))

    def finish(self) -> None:
        """Sort the word list for prefix search and lay out the keys for the fuzzy pass."""
        self.words.sort()
        self.keys = sorted(
            (key, street.id)
            for street in self.streets.values()
            for key in (street.key, *(k for _n, k, _f in street.aliases))
        )
        self.fuzzy_ids = list(self.streets)
        self.fuzzy_keys = [self.streets[street_id].key for street_id in self.fuzzy_ids]

    def streets_with_word_prefix(self, prefix: str) -> set[int]:
        """Return the streets that have a word starting with `prefix`."""
        start = bisect.bisect_left(self.words, (prefix, -1))
        found: set[int] = set()
        for word, street_id in self.words[start:]:
            if not word.startswith(prefix):
                break
            found.add(street_id)
        return found

    def streets_with_key_prefix(self, prefix: str, limit: int) -> list[int]:
        """Return up to `limit` streets whose name or alias key starts with `prefix`, in key order."""
        start = bisect.bisect_left(self.keys, (prefix, -1))
        found: list[int] = []
        for key, street_id in self.keys[start:]:
            if not key.startswith(prefix) or len(found) >= limit:
                break
            if street_id not in found:
                found.append(street_id)
        return found

    def building_by_number(self, street_id: int, number: str) -> BuildingEntry | None:
        key = house_key(number)
        if key is None:
            return None
        return self.by_street.get(street_id, {}).get(key)


# The same house numbers ("1", "12А") recur on every street, so their keys are kept for the
# lookup path, which would otherwise parse the number on every request.
@functools.lru_cache(maxsize=8192)
def house_key(number: str) -> str | None:
    """Return the index key of a house number as typed, or None when it is not a house number."""
    try:
        return parse_house_number(number).key
    except ValueError:
        return None


class AddressIndex(msgspec.Struct):
    """Every region's index, and the registry version it was built from."""

    regions: dict[str, RegionIndex]
    version: int = 0

    def region(self, code: str) -> RegionIndex:
        return self.regions.get(code) or RegionIndex()


async def build_address_index(session: AsyncSession, version: int = 0) -> AddressIndex:
    """Read the whole registry into memory."""
    settlements = {s.id: s for s in await session.scalars(select(Settlement))}
    aliases: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    rows = await session.execute(
        select(StreetAlias.street_id, StreetAlias.name, StreetAlias.key, StreetAlias.kind)
    )
    for street_id, name, key, kind in rows.all():
        aliases[street_id].append((name, key, kind == "former"))

    regions: dict[str, RegionIndex] = defaultdict(RegionIndex)
    street_region: dict[int, str] = {}
    for street in await session.scalars(select(Street)):
        settlement = settlements.get(street.settlement_id) if street.settlement_id else None
        regions[street.region].add_street(
            _street_entry(street, settlement, aliases.get(street.id, []))
        )
        street_region[street.id] = street.region

    # Most buildings share one of a few dozen queue tuples; one shared tuple each saves memory.
    queue_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
    for building in await session.scalars(select(Building)):
        entry = _building_entry(building, queue_tuples)
        regions[street_region[building.street_id]].add_building(entry)
    for index in regions.values():
        index.finish()
    return AddressIndex(regions=dict(regions), version=version)


def _street_entry(
    street: Street, settlement: Settlement | None, aliases: list[tuple[str, str, bool]]
) -> StreetEntry:
    return StreetEntry(
        id=street.id,
        name=street.name,
        key=street.key,
        token_key=street.token_key,
        street_type=street.street_type,
        district=street.district,
        settlement=settlement_label(settlement.name, settlement.kind) if settlement else None,
        settlement_key=settlement_key(settlement.name) if settlement else None,
        aliases=tuple(aliases),
    )


def _building_entry(
    building: Building, queue_tuples: dict[tuple[str, ...], tuple[str, ...]]
) -> BuildingEntry:
    queues = tuple(building.queues)
    return BuildingEntry(
        id=building.id,
        street_id=building.street_id,
        number=building.number,
        number_key=building.number
        if building.number == building.number_key
        else building.number_key,
        queues=queue_tuples.setdefault(queues, queues),
        other_operator=building.other_operator,
        other_operator_phone=building.other_operator_phone,
        other_operator_website=building.other_operator_website,
        nodes=tuple(
            (kind, value)
            for kind, value in (
                ("substation", building.substation),
                ("feeder", building.feeder),
                ("transformer_substation", building.transformer_substation),
            )
            if value
        ),
    )
