"""Street autocomplete, building lists and free-text address resolution over the in-memory index.

A query is tried as typed, as typed on the wrong keyboard layout, and, when it is Latin, in the
Cyrillic spellings that reverse the national transliteration. Two different streets that match
equally well come back as candidates to choose from, never as a silent pick.
"""

import heapq
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


_ORDINAL_WORD = re.compile(r"^(\d+)(?:й|а|я|го|ий|ій|та|ша|е)$")
# The start of an ordinal ending that is still being typed, as in "1-" or "1-г" on the way to
# "1-го Травня".
_TYPED_ORDINAL_START = re.compile(r"^(\d+)(?:-|г|т|ш|и|і)$")


def query_keys(text: str) -> list[str]:
    """Return the street keys to try for a query: as typed, then its keyboard and Latin readings.

    An ordinal typed alone ("1-й") is also tried as its number, as stored names keep it
    ("1-й Бортницький" is keyed "1 бортницький"). So is a last word that ends in the start of
    an ordinal ending ("1-г"). A query made only of words that the key drops ("Сел") is tried
    as typed.
    """
    keys = [street_key(text)]
    keys.extend(street_key(reading) for reading in split_glued_society(text))
    if _LATIN.search(text):
        keys.append(street_key(fix_keyboard_layout(text)))
        keys.extend(
            street_key(candidate) for candidate in transliterate_to_cyrillic_candidates(text)
        )
    keys.extend(
        " ".join(_ORDINAL_WORD.sub(r"\1", word) for word in key.split()) for key in list(keys)
    )
    for key in list(keys):
        *head, last = key.split() or [""]
        typed = _TYPED_ORDINAL_START.match(last)
        if typed:
            keys.append(" ".join([*head, typed.group(1)]))
    if not any(keys):
        keys.append(" ".join(re.sub(r"[^\w\s-]", " ", fold_text(text)).split()))
    return [key for index, key in enumerate(keys) if key and key not in keys[:index]]


def search_streets(index: RegionIndex, text: str, limit: int = 10) -> list[StreetHit]:
    """Rank the streets of a region for an autocomplete query.

    Exact names rank first, then names that start with the query, then names whose words start
    with the query's words. The typo-tolerant fuzzy pass runs only when nothing matched, since
    it compares the query with every street.
    """
    keys = query_keys(text)
    scores: dict[int, int] = {}
    for key in keys:
        for street_id, score in _candidates(index, key, limit):
            if score > scores.get(street_id, 0):
                scores[street_id] = score
    if not scores:
        for street_id, score in _fuzzy(index, keys, limit):
            scores.setdefault(street_id, score)

    best = heapq.nsmallest(limit, scores.items(), key=lambda item: _rank(index, item))
    return [
        _hit(index, street_id, score, _matched_key(index, street_id, keys))
        for street_id, score in best
    ]


def _rank(index: RegionIndex, item: tuple[int, int]) -> tuple[int, int, str]:
    street = index.streets[item[0]]
    return -item[1], len(street.name), street.name


# Prefix matches considered per query: enough to rank the shortest names first without
# walking every street that shares a common beginning.
PREFIX_WINDOW = 50


def _candidates(index: RegionIndex, key: str, limit: int) -> list[tuple[int, int]]:
    found = [(s, EXACT) for s in index.by_key.get(key, ())]
    found += [(s, TOKENS) for s in index.by_token_key.get(" ".join(sorted(key.split())), ())]
    found += [(s, PREFIX) for s in index.streets_with_key_prefix(key, max(limit, PREFIX_WINDOW))]
    if len({s for s, _score in found}) >= limit:
        return found

    words = key.split()
    if words:
        matching = set.intersection(*(index.streets_with_word_prefix(w) for w in words))
        found += [(street_id, WORDS) for street_id in matching]
    return found


def _matched_key(index: RegionIndex, street_id: int, keys: list[str]) -> str:
    """Return the key of the street's name or alias that the query matched, for the label."""
    street = index.streets[street_id]
    names = [street.key, *(k for _n, k, _f in street.aliases)]
    for key in keys:
        words = key.split()
        for name in names:
            if name.startswith(key) or all(
                any(p.startswith(w) for p in name.split()) for w in words
            ):
                return name
    return street.key


def _fuzzy(index: RegionIndex, keys: list[str], limit: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for key in keys:
        matches = process.extract(
            key, index.fuzzy_keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=FUZZY_CUTOFF
        )
        found.extend(
            (index.fuzzy_ids[position], int(score * 0.7)) for _key, score, position in matches
        )
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
    """Return the name shown to a customer: "вул. Х (колишня назва: Y)", with settlement or district if known."""
    parts = [street.name]
    if former:
        parts.append(f"(колишня назва: {former})")
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


def address_readings(text: str) -> list[tuple[str, str | None]]:
    """Return the ways to read free text as (street, house), most likely first.

    A number can belong to the street ("вул. Садова 191" in a garden massif), so the last one,
    two or three words are each tried as the house number, the shortest house first; the text
    read as a street alone comes last.
    """
    words = " ".join(text.split()).split(" ")
    readings: list[tuple[str, str | None]] = []
    usual = split_street_and_house(text)
    if usual[1] is not None and _is_house_number(usual[1]):
        readings.append(usual)
    for count in (1, 2, 3):
        if len(words) > count:
            street, house = " ".join(words[:-count]).strip(" ,"), " ".join(words[-count:])
            if _is_house_number(house) and (street, house) not in readings:
                readings.append((street, house))
    readings.append((text.strip(" ,"), None))
    return readings


def _is_house_number(text: str) -> bool:
    try:
        parse_house_number(text)
    except ValueError:
        return False
    return True


def street_for_address(index: RegionIndex, text: str) -> tuple[list[StreetHit], str, str | None]:
    """Return the streets of the first reading of `text` that names a known street, with its house."""
    first: tuple[list[StreetHit], str, str | None] | None = None
    for street_text, house in address_readings(text):
        street_only, settlement = _split_settlement(index, street_text)
        streets = exact_streets(index, street_only, settlement)
        if streets:
            return streets, street_only, house
        first = first or ([], street_only, house)
    assert first is not None
    return first


def resolve(index: RegionIndex, text: str) -> Resolution:
    """Resolve free text to one building, or to the candidates a customer must choose from."""
    streets, street_text, house = street_for_address(index, text)
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
    ids, key = _street_ids_for_keys(index, query_keys(text))
    district = None
    if not ids:
        # A qualifier that matches nothing never falls back to the bare name: that would be
        # another street ("вул. Садова" is not "вул. Садова (Жуляни)").
        for variant in (text, replace_lookalikes(text), fold_text(text)):
            name, district, qualifier = split_kyiv_street_entry(variant)
            ids, key = _street_ids_for_keys(
                index, query_keys(f"{name} ({qualifier})" if qualifier else name)
            )
            if ids:
                break

    # A common name matches dozens of streets, so they are narrowed as index entries and
    # only the streets left become hits.
    found = [index.streets[street_id] for street_id in ids]
    if district:
        found = [s for s in found if s.district == district] or found
    if settlement:
        found = [s for s in found if s.settlement_key == settlement] or found
    kind = street_type(text)
    # "Лінія 4": a type word that is the name itself does not narrow the match.
    if kind and kind not in street_key(text).split() and any(s.street_type == kind for s in found):
        found = [s for s in found if s.street_type == kind]
    found.sort(key=lambda s: (s.name, s.district or "", s.settlement or ""))
    return [_hit(index, street.id, EXACT, key) for street in found]


def _street_ids_for_keys(index: RegionIndex, keys: list[str]) -> tuple[list[int], str]:
    """Return the street ids of the first key that matches exactly, by its set of words or without
    spaces, with that key."""
    for key in keys:
        ids = (
            index.by_key.get(key)
            or index.by_token_key.get(" ".join(sorted(key.split())))
            or index.by_compact.get(key.replace(" ", ""))
            or index.by_loose.get(loose_key(key))
        )
        if ids:
            return list(ids), key
    return [], ""


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
