"""Former names from the Kyiv registry and the Dnipro renames find today's streets."""

import asyncio
import json
from typing import Any

import pytest

from core.cli import main
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file

KYIV_LIST = "addresses/dtek-kem_streets_list_2026-01-29.json"
KYIV_REGISTRY = "addresses/kyiv_streets_registry_2020-10-25_projection.json"
RENAMES = "addresses/dnipro_city_street_renames_rename.dp.ua.json"
KATOTTG = "addresses/katottg_kodifikator_2025-05-16_UA80_UA32_UA51_UA12_UA14.csv"
DNIPRO_STREETS = "addresses/dtek-dnem_DisconSchedule.streets_EXCERPT_2024-12.json"


async def _import(client: Any, region: str, *files: str) -> None:
    paths = [str(shared_file(name)) for name in files]
    assert await asyncio.to_thread(main, ["import", "addresses", "--region", region, *paths]) == 0
    await refresh_indexes(client)


@pytest.fixture
def cli_env(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")


async def _streets(client: Any, region: str, query: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/regions/{region}/addresses/streets", params={"q": query})
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def test_kyiv_former_name_finds_current_street(client: Any, cli_env: None) -> None:
    await _import(client, "kyiv", KYIV_LIST, KYIV_REGISTRY)

    hits = await _streets(client, "kyiv", "вул. Галана Ярослава")
    assert hits[0]["name"] == "вул. Волошина Августина"
    assert hits[0]["former_name"] == "вул. Галана Ярослава"
    assert "(колишня назва: вул. Галана Ярослава)" in hits[0]["label"]


async def test_kyiv_registry_merges_with_dtek_spelling(client: Any, cli_env: None) -> None:
    await _import(client, "kyiv", KYIV_LIST, KYIV_REGISTRY)

    hits = await _streets(client, "kyiv", "Юлії Здановської")
    assert [h["name"] for h in hits if h["score"] >= 95] == ["вул. Здановської Юлії"]


async def test_dnipro_rename_chain_finds_final_name(client: Any, cli_env: None) -> None:
    await _import(client, "dnipro", KATOTTG, RENAMES)

    for old in ("вул. Кожем'яки", "вул. Подєбрадська"):
        body = (
            await client.get("/api/v1/regions/dnipro/addresses/resolve", params={"address": old})
        ).json()
        assert [c["name"] for c in body["candidates"]] == ["вул. Кожум'яки"], old


async def test_dnipro_old_name_in_several_districts_gives_candidates(
    client: Any, cli_env: None
) -> None:
    await _import(client, "dnipro", KATOTTG, RENAMES)

    body = (
        await client.get(
            "/api/v1/regions/dnipro/addresses/resolve", params={"address": "вул. Шмідта"}
        )
    ).json()
    assert body["status"] == "candidates"
    assert {c["name"] for c in body["candidates"]} == {"вул. Степана Бандери", "вул. Ліскуватий Яр"}


async def test_dnipro_streets_carry_their_settlement(client: Any, cli_env: None) -> None:
    await _import(client, "dnipro", KATOTTG, DNIPRO_STREETS)

    hits = await _streets(client, "dnipro", "Осипенка")
    assert hits
    assert all(h["settlement"] for h in hits)


def _write_yasno_chain(folder: Any, dso: int) -> list[str]:
    """Write a YASNO street, house and group answer in the captured shape, for one Dnipro house."""
    files = {
        f"yasno_addresses-v2-streets_r3_dso{dso}_query-poliova.json": [
            {"id": 501, "value": "вул. Польова"}
        ],
        f"yasno_addresses-v2-houses_r3_dso{dso}_street501_query-7.json": [
            {"id": 9001, "value": "7"}
        ],
        f"yasno_addresses-v2-group_r3_dso{dso}_street501_house9001.json": {
            "group": 4,
            "subgroup": 2,
        },
    }
    paths = []
    for name, content in files.items():
        path = folder / name
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    return paths


async def test_house_of_another_operator_names_it(
    client: Any, cli_env: None, tmp_path: Any
) -> None:
    paths = _write_yasno_chain(tmp_path, dso=303)
    assert await asyncio.to_thread(main, ["import", "addresses", "--region", "dnipro", *paths]) == 0
    await refresh_indexes(client)

    body = (
        await client.get("/api/v1/regions/dnipro/outages", params={"address": "вул. Польова 7"})
    ).json()
    assert body["other_operator"]["name"] == "ЦЕК"
    assert body["queue"] is None
    assert body["queues"] == []


async def test_house_of_own_dso_gets_its_queue(client: Any, cli_env: None, tmp_path: Any) -> None:
    paths = _write_yasno_chain(tmp_path, dso=301)
    assert await asyncio.to_thread(main, ["import", "addresses", "--region", "dnipro", *paths]) == 0
    await refresh_indexes(client)

    body = (
        await client.get("/api/v1/regions/dnipro/outages", params={"address": "вул. Польова 7"})
    ).json()
    assert body["other_operator"] is None
    assert body["queue"] == "4.2"
