"""Street autocomplete, building lists and free-text address resolution over the in-memory index.

A query is tried as typed, as typed on the wrong keyboard layout, and, when it is Latin, in the
Cyrillic spellings that reverse the national transliteration. Two different streets that match
equally well come back as candidates to choose from, never as a silent pick.
"""

import re

import msgspec
from rapidfuzz import fuzz, process

from core.addresses.house_numbers import parse_house_number, rank_house_matches
from core.addresses.index import BuildingEntry, RegionIndex, StreetEntry, loose_key, settlement_key
from core.addresses.normalize import (
    fix_keyboard_layout,
    fold_text,
    replace_lookalikes,
    split_glued_society,
    split_kyiv_street_entry,
    street_key,
    street_type,
    transliterate_to_cyrillic_candidates,
)

EXACT, TOKENS, PREFIX, WORDS = 100, 95, 90, 80
FUZZY_CUTOFF = 78
_LATIN = re.compile(r"[A-Za-z]")
_HOUSE_AT_END = re.compile(
    r"^(?P<street>.*?\D)[,\s]+(?:буд\.?\s*|будинок\s+|б\.\s*)?"
    r"(?P<house>\d{1,5}\s*(?:[-/]?\s*[^\s,]*)(?:\s*,?\s*(?:корп\.?|к\.)\s*\d+)?)\s*$",
    re.IGNORECASE,
)


class StreetHit(msgspec.Struct, frozen=True):
    """A street that matches a query. `former_name` is set when the query matched an old name."""

    street_id: int
    name: str
    label: str
    street_type: str | None
    settlement: str | None
    district: str | None
    former_name: str | None
    score: int


class Resolution(msgspec.Struct, frozen=True):
    """`found` with one building, `candidates` to choose from, or `not_found`."""

    status: str
    street: StreetHit | None = None
    building: BuildingEntry | None = None
    candidates: list[StreetHit] = []
    houses: list[str] = []


def query_keys(text: str) -> list[str]:
    """Return the street keys to try for a query: as typed, then its keyboard and Latin readings."""
    keys = [street_key(text)]
    keys.extend(street_key(reading) for reading in split_glued_society(text))
    if _LATIN.search(text):
        keys.append(street_key(fix_keyboard_layout(text)))
        keys.extend(
            street_key(candidate) for candidate in transliterate_to_cyrillic_candidates(text)
        )
    return [key for index, key in enumerate(keys) if key and key not in keys[:index]]


def search_streets(index: RegionIndex, text: str, limit: int = 10) -> list[StreetHit]:
    """Rank the streets of a region for an autocomplete query."""
    scores: dict[int, tuple[int, str]] = {}
    for key in query_keys(text):
        for street_id, score, matched in _candidates(index, key):
            if score > scores.get(street_id, (0, ""))[0]:
                scores[street_id] = (score, matched)
    if len(scores) < limit:
        for street_id, score, matched in _fuzzy(index, query_keys(text), limit):
            scores.setdefault(street_id, (score, matched))

    ranked = sorted(
        scores.items(),
        key=lambda item: (
            -item[1][0],
            len(index.streets[item[0]].name),
            index.streets[item[0]].name,
        ),
    )
    return [
        _hit(index, street_id, score, matched) for street_id, (score, matched) in ranked[:limit]
    ]


def _candidates(index: RegionIndex, key: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = [(s, EXACT, key) for s in index.by_key.get(key, ())]
    tokens = " ".join(sorted(key.split()))
    found += [(s, TOKENS, key) for s in index.by_token_key.get(tokens, ())]

    words = key.split()
    matching = (
        set.intersection(*(index.streets_with_word_prefix(w) for w in words)) if words else set()
    )
    for street_id in matching:
        street_keys = [
            index.streets[street_id].key,
            *(k for _n, k, _f in index.streets[street_id].aliases),
        ]
        best = next((k for k in street_keys if k.startswith(key)), None)
        matched = best or next(
            (k for k in street_keys if all(any(p.startswith(w) for p in k.split()) for w in words)),
            street_keys[0],
        )
        found.append((street_id, PREFIX if best else WORDS, matched))
    return found


def _fuzzy(index: RegionIndex, keys: list[str], limit: int) -> list[tuple[int, int, str]]:
    choices = {(street_id, street.key): street.key for street_id, street in index.streets.items()}
    found = []
    for key in keys:
        for _choice, score, (street_id, matched) in process.extract(
            key, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=FUZZY_CUTOFF
        ):
            found.append((street_id, int(score * 0.7), matched))
    return found


def _hit(index: RegionIndex, street_id: int, score: int, matched_key: str) -> StreetHit:
    street = index.streets[street_id]
    alias = index.alias_of.get((street_id, matched_key))
    former = alias[0] if alias and alias[1] else None
    return StreetHit(
        street_id=street_id,
        name=street.name,
        label=label(street, former),
        street_type=street.street_type,
        settlement=street.settlement,
        district=street.district,
        former_name=former,
        score=score,
    )


def label(street: StreetEntry, former: str | None) -> str:
    """Return the name a customer sees: "вул. Х (колишня Y)", with settlement or district if known."""
    parts = [street.name]
    if former:
        parts.append(f"(колишня {former})")
    place = ", ".join(
        p for p in (street.settlement, street.district and f"{street.district} р-н") if p
    )
    return " ".join(parts) + (f", {place}" if place else "")


def list_buildings(
    index: RegionIndex, street_id: int, query: str | None, limit: int = 50
) -> list[BuildingEntry]:
    """Return a street's buildings: those matching `query` first ("10" -> 10, 10-А, 10-Д), else all in order."""
    buildings = index.by_street.get(street_id, {})
    if query:
        numbers = rank_house_matches(query, [b.number for b in buildings.values()])
        by_number = {b.number: b for b in buildings.values()}
        return [by_number[n] for n in numbers[:limit]]
    return sorted(buildings.values(), key=_sort_key)[:limit]


def split_street_and_house(text: str) -> tuple[str, str | None]:
    """Split free text into the street part and a house number, when one ends the text."""
    match = _HOUSE_AT_END.match(" ".join(text.split()))
    if match is None:
        return text.strip(" ,"), None
    return match.group("street").strip(" ,"), match.group("house").strip()


def resolve(index: RegionIndex, text: str) -> Resolution:
    """Resolve free text to one building, or to the candidates a customer must choose from."""
    street_text, house = split_street_and_house(text)
    street_text, settlement = _split_settlement(index, street_text)
    streets = exact_streets(index, street_text, settlement)
    if not streets:
        hits = search_streets(index, street_text, limit=5)
        return Resolution("not_found", candidates=hits)
    if len(streets) > 1:
        return Resolution("candidates", candidates=streets)
    return resolve_house(index, streets[0], house)


def resolve_house(index: RegionIndex, street: StreetHit, house: str | None) -> Resolution:
    if house is None:
        return Resolution(
            "candidates",
            street=street,
            candidates=[street],
            houses=[b.number for b in list_buildings(index, street.street_id, None, 20)],
        )
    building = index.building_by_number(street.street_id, house)
    if building is None:
        return Resolution(
            "not_found", street=street, houses=closest_houses(index, street.street_id, house)
        )
    return Resolution("found", street=street, building=building)


def exact_streets(index: RegionIndex, text: str, settlement: str | None = None) -> list[StreetHit]:
    """Return the streets whose key or word set equals one reading of `text`, best first.

    A district prefix ("Солом'янський р-н, вул. Мостова") narrows the match to that district,
    and a type word in the query ("пров.") keeps only streets of that type when some have it.
    """
    found = _streets_for_keys(index, query_keys(text))
    district = None
    if not found:
        # A qualifier that matches nothing never falls back to the bare name: that would be
        # another street ("вул. Садова" is not "вул. Садова (Жуляни)").
        for variant in (text, replace_lookalikes(text), fold_text(text)):
            name, district, qualifier = split_kyiv_street_entry(variant)
            found = _streets_for_keys(
                index, query_keys(f"{name} ({qualifier})" if qualifier else name)
            )
            if found:
                break
    if district:
        found = [h for h in found if h.district == district] or found
    if settlement:
        found = [
            h for h in found if index.streets[h.street_id].settlement_key == settlement
        ] or found
    kind = street_type(text)
    # "Лінія 4": a type word that is the name itself does not narrow the match.
    if kind and kind not in street_key(text).split() and any(h.street_type == kind for h in found):
        found = [h for h in found if h.street_type == kind]
    return sorted(found, key=lambda h: (h.name, h.district or "", h.settlement or ""))


def _streets_for_keys(index: RegionIndex, keys: list[str]) -> list[StreetHit]:
    """Return the streets of the first key that matches exactly, by its set of words or without spaces."""
    for key in keys:
        ids = (
            index.by_key.get(key)
            or index.by_token_key.get(" ".join(sorted(key.split())))
            or index.by_compact.get(key.replace(" ", ""))
            or index.by_loose.get(loose_key(key))
        )
        if ids:
            return [_hit(index, street_id, EXACT, key) for street_id in ids]
    return []


def _split_settlement(index: RegionIndex, text: str) -> tuple[str, str | None]:
    """Take a leading or trailing settlement ("м. Бровари, вул. Київська") off the street text."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        return text, None
    for position in (0, -1):
        key = settlement_key(parts[position])
        if key in index.settlement_keys:
            rest = parts[1:] if position == 0 else parts[:-1]
            return ", ".join(rest), key
    return text, None


def closest_houses(index: RegionIndex, street_id: int, query: str, limit: int = 5) -> list[str]:
    """Return the houses that extend the query ("10" -> "10А"), else those nearest in number."""
    numbers = [b.number for b in index.by_street.get(street_id, {}).values()]
    ranked = rank_house_matches(query, numbers)
    if ranked:
        return ranked[:limit]
    try:
        wanted = parse_house_number(query).number
    except ValueError:
        return []
    buildings = sorted(
        index.by_street.get(street_id, {}).values(),
        key=lambda b: (abs(parse_house_number(b.number).number - wanted), _sort_key(b)),
    )
    return [b.number for b in buildings[:limit]]


def _sort_key(building: BuildingEntry) -> tuple[object, ...]:
    """Order of a street's buildings: 10, 10 к1, 10А, 10Д, 10/2, then 11."""
    return parse_house_number(building.number).sort_key
