"""Address search over the real Kyiv street list: every spelling finds its street."""

import asyncio
import json
import re
from typing import Any

import pytest

from core.addresses import search
from core.addresses.index import RegionIndex
from core.cli import main
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file

STREETS = "addresses/dtek-kem_streets_list_2026-01-29.json"
HOUSES = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
LATIN = str.maketrans("АВСЕНІКМОРТХаеіорсух", "ABCEHIKMOPTXaeiopcyx")
TYPE_WORD = re.compile(r"(?<!\w)(?:вул|просп|пров|бул|пл|наб)\.")


@pytest.fixture
async def kyiv_index(client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> RegionIndex:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    args = ["import", "addresses", "--region", "kyiv", str(shared_file(STREETS))]
    assert await asyncio.to_thread(main, args) == 0
    args = [
        "import",
        "addresses",
        "--region",
        "kyiv",
        "--street",
        "вул. Здановської Юлії",
        str(shared_file(HOUSES)),
    ]
    assert await asyncio.to_thread(main, args) == 0
    await refresh_indexes(client)
    index: RegionIndex = client.app.state.indexes.address.region("kyiv")
    return index


def _variants(raw: str) -> dict[str, str]:
    """Spellings a customer types for one DTEK street string; only the street part changes."""
    found = TYPE_WORD.search(raw)
    type_word = found.group(0) if found else None
    without_type, type_after = raw, raw
    if type_word is not None:
        before, _, after = raw.partition(type_word)
        street, comma, rest = after.strip().partition(",")
        without_type = f"{before}{street}{comma}{rest}".strip()
        type_after = f"{before}{street} {type_word}{comma}{rest}".strip()
    other_apostrophe = raw.replace("'", "’") if "'" in raw else raw.replace("’", "'")
    return {
        "as written": raw,
        "other apostrophe": other_apostrophe,
        "without type word": without_type,
        "type word after": type_after,
        "capitals": raw.upper(),
        "latin look-alike": _one_lookalike(raw, type_word),
    }


def _one_lookalike(raw: str, type_word: str | None) -> str:
    """Replace the first Cyrillic letter of the street name that has a Latin twin."""
    start = raw.index(type_word) + len(type_word) if type_word else 0
    for position in range(start, len(raw)):
        if raw[position] in "АВСЕНІКМОРТХаеіорсух":
            return raw[:position] + raw[position].translate(LATIN) + raw[position + 1 :]
    return raw


async def test_every_kyiv_street_spelling_resolves(kyiv_index: RegionIndex) -> None:
    raw_streets = json.loads(shared_file(STREETS).read_bytes())
    expected = {raw: search.exact_streets(kyiv_index, raw) for raw in raw_streets}
    unresolved = [raw for raw, hits in expected.items() if not hits]
    assert unresolved == []

    misses: dict[str, list[str]] = {}
    for raw, hits in expected.items():
        wanted = {h.street_id for h in hits}
        for kind, text in _variants(raw).items():
            found = {h.street_id for h in search.exact_streets(kyiv_index, text)}
            if not found & wanted:
                misses.setdefault(kind, []).append(text)
    rates = {kind: 1 - len(texts) / len(raw_streets) for kind, texts in misses.items()}
    assert misses == {}, (rates, {kind: texts[:15] for kind, texts in misses.items()})


async def test_autocomplete_ranks_prefix_first(client: Any, kyiv_index: RegionIndex) -> None:
    response = await client.get("/api/v1/regions/kyiv/addresses/streets", params={"q": "Хрещ"})
    names = [hit["name"] for hit in response.json()]
    assert names[0] == "вул. Хрещатик"


@pytest.mark.parametrize("query", ["Khreshchatyk", "[htofnbr", "хрещатик", "ХРЕЩАТИК"])
async def test_autocomplete_finds_khreshchatyk(
    client: Any, kyiv_index: RegionIndex, query: str
) -> None:
    response = await client.get("/api/v1/regions/kyiv/addresses/streets", params={"q": query})
    assert "вул. Хрещатик" in [hit["name"] for hit in response.json()]


async def test_buildings_of_street_list_prefix_matches(
    client: Any, kyiv_index: RegionIndex
) -> None:
    hit = search.exact_streets(kyiv_index, "вул. Здановської Юлії")[0]
    response = await client.get(
        f"/api/v1/regions/kyiv/addresses/streets/{hit.street_id}/buildings", params={"q": "71"}
    )
    houses = [b["house"] for b in response.json()]
    assert houses[0].startswith("71")
    assert "71/З" in houses


async def test_resolve_returns_one_building(client: Any, kyiv_index: RegionIndex) -> None:
    response = await client.get(
        "/api/v1/regions/kyiv/addresses/resolve", params={"address": "Здановської Юлії, 71з"}
    )
    body = response.json()
    assert body["status"] == "found"
    assert body["building"]["queues"] == ["36.1"]


async def test_resolve_same_name_different_type_gives_candidates(
    client: Any, kyiv_index: RegionIndex
) -> None:
    types_by_key: dict[str, set[str | None]] = {}
    for street in kyiv_index.streets.values():
        types_by_key.setdefault(street.key, set()).add(street.street_type)
    twins = sorted(key for key, kinds in types_by_key.items() if {"вулиця", "провулок"} <= kinds)
    assert twins, "the real list has a street and a lane of the same name"

    body = (
        await client.get("/api/v1/regions/kyiv/addresses/resolve", params={"address": twins[0]})
    ).json()
    assert body["status"] == "candidates"
    assert {c["street_type"] for c in body["candidates"]} >= {"вулиця", "провулок"}


async def test_resolve_with_type_word_picks_that_type(client: Any, kyiv_index: RegionIndex) -> None:
    types_by_key: dict[str, set[str | None]] = {}
    for street in kyiv_index.streets.values():
        types_by_key.setdefault(street.key, set()).add(street.street_type)
    twin = sorted(key for key, kinds in types_by_key.items() if {"вулиця", "провулок"} <= kinds)[0]

    body = (
        await client.get(
            "/api/v1/regions/kyiv/addresses/resolve", params={"address": f"пров. {twin}"}
        )
    ).json()
    assert {c["street_type"] for c in body["candidates"]} == {"провулок"}


@pytest.mark.parametrize(
    "query", ["", " ", "x" * 10_000, "\x00\x01", "'; DROP TABLE streets; --", "%%%%", "😀"]
)
async def test_autocomplete_bad_query_is_4xx_or_empty(
    client: Any, kyiv_index: RegionIndex, query: str
) -> None:
    response = await client.get("/api/v1/regions/kyiv/addresses/streets", params={"q": query})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1-й", "пров. 1-й Бортницький"),
        ("1-", "пров. 1-й Бортницький"),
        ("Сел", "вул. Селекціонерів"),
    ],
)
async def test_autocomplete_short_prefixes(
    client: Any, kyiv_index: RegionIndex, query: str, expected: str
) -> None:
    response = await client.get(
        "/api/v1/regions/kyiv/addresses/streets", params={"q": query, "limit": 50}
    )
    assert expected in [hit["name"] for hit in response.json()]
