"""The outage lookup for a real Kyiv address on the real 2026-01-29 schedules from DTEK and YASNO."""

import asyncio
import datetime as dt
from typing import Any

import pytest

from core.cli import main
from core.settings import Settings
from tests.api.expected import served_intervals
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file, staff_headers

HOUSES = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
YASNO = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"
YASNO_CHAIN = [
    "yasno/yasno_addresses-v2-streets_r25_dso902_query-zdanovskoi_2026-01-29.json",
    "yasno/yasno_addresses-v2-houses_r25_dso902_street1956_query-71z_2026-01-29.json",
    "yasno/yasno_addresses-v2-group_r25_dso902_street1956_house10939_2026-01-29.json",
]
STREET = "вул. Здановської Юлії"
NOON = "2026-01-29T12:00:00+02:00"

# Queue 36.1 on 2026-01-29 as both sources published it, as UTC instants.
QUEUE_36_1 = [
    (
        dt.datetime(2026, 1, 29, 4, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 29, 11, 30, tzinfo=dt.UTC),
    ),
    (
        dt.datetime(2026, 1, 29, 15, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 29, 22, 0, tzinfo=dt.UTC),
    ),
]


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")


async def _cli(*args: str) -> int:
    """Run the `dso` command in a thread, since it starts its own event loop."""
    return await asyncio.to_thread(main, list(args))


async def _import_addresses(client: Any, *args: str) -> None:
    """Import address files with the `dso` command, then let the app see them at once."""
    assert await _cli("import", "addresses", "--region", "kyiv", *args) == 0
    await refresh_indexes(client)


async def _import_schedule(client: Any, relative: str) -> None:
    path = shared_file(relative)
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=path.read_bytes(),
        params={"filename": path.name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text


async def _lookup(client: Any, **params: str) -> Any:
    return await client.get("/api/v1/regions/kyiv/outages", params={"at": NOON, **params})


@pytest.mark.parametrize("house", ["71/З", "71З", "71з", "71/з", "71-З"])
async def test_lookup_71z_from_dtek(client: Any, cli_env: None, house: str) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    await _import_schedule(client, PAGE)

    response = await _lookup(client, street=STREET, house=house)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["queue"] == "36.1"
    assert served_intervals(body["days"][0]) == QUEUE_36_1


async def test_lookup_71z_from_yasno(client: Any, cli_env: None) -> None:
    files = [str(shared_file(name)) for name in YASNO_CHAIN]
    await _import_addresses(client, *files)
    await _import_schedule(client, YASNO)

    response = await _lookup(client, address="Здановської Юлії 71з")
    body = response.json()
    assert body["queue"] == "36.1"
    assert served_intervals(body["days"][0]) == QUEUE_36_1


async def test_lookup_state_at_noon_is_off_until_1330(client: Any, cli_env: None) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    await _import_schedule(client, PAGE)

    body = (await _lookup(client, street=STREET, house="71/З")).json()
    assert body["state"] == {
        "value": "off",
        "since": "2026-01-29T06:30:00+02:00",
        "until": "2026-01-29T13:30:00+02:00",
    }
    assert body["next_outage"]["start"] == "2026-01-29T17:00:00+02:00"
    assert body["next_outage"]["end"] == "2026-01-30T00:00:00+02:00"


async def test_lookup_by_building_id(client: Any, cli_env: None) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    await _import_schedule(client, PAGE)
    found = (await _lookup(client, street=STREET, house="71/З")).json()

    body = (await _lookup(client, building_id=str(found["address"]["building_id"]))).json()
    assert body["address"]["house"] == "71/З"
    assert body["queue"] == "36.1"


async def test_lookup_unknown_street_suggests_close_names(client: Any, cli_env: None) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    response = await _lookup(client, street="Здановскої Юлії", house="999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_lookup_unknown_house_suggests_houses(client: Any, cli_env: None) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    response = await _lookup(client, street=STREET, house="7")
    body = response.json()
    assert response.status_code == 404
    assert body["code"] == "address_not_found"
    assert f"{STREET} 8" in body["suggestions"]


async def test_building_fed_by_two_lines_has_no_single_queue(client: Any, cli_env: None) -> None:
    assert await _cli("demo", "load", "--date", "2026-01-29") == 0
    await refresh_indexes(client)

    body = (await _lookup(client, address="вул. Хрещатик 25/3")).json()
    assert body["queue"] is None
    assert body["queues"] == ["1.1", "2.1"]
    assert [q["queue"] for q in body["by_queue"]] == ["1.1", "2.1"]
    assert all(q["state"]["value"] in ("on", "off") for q in body["by_queue"])


async def test_five_day_old_source_is_stale_and_not_today(client: Any, cli_env: None) -> None:
    assert await _cli("demo", "load", "--date", "2026-01-29") == 0
    await refresh_indexes(client)

    later = await client.get(
        "/api/v1/regions/kyiv/outages",
        params={"address": "вул. Хрещатик 22", "at": "2026-02-03T12:00:00+02:00"},
    )
    body = later.json()
    assert body["source"]["stale"] is True
    assert body["source"]["updated_at"] == "2026-01-29T06:00:00+02:00"
    assert body["days"][0] == {
        "date": "2026-02-03",
        "status": "no_data",
        "intervals": [],
        "source": None,
        "version": None,
    }
    assert body["state"]["value"] == "unknown"
    assert body["next_outage_known"] is False


async def test_fresh_source_is_not_stale(client: Any, cli_env: None) -> None:
    assert await _cli("demo", "load", "--date", "2026-01-29") == 0
    await refresh_indexes(client)

    body = (await _lookup(client, address="вул. Хрещатик 22")).json()
    assert body["source"]["stale"] is False


async def test_lookup_is_cacheable_until_state_changes(client: Any, cli_env: None) -> None:
    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    await _import_schedule(client, PAGE)

    first = await _lookup(client, street=STREET, house="71/З")
    cache_control = first.headers["cache-control"]
    assert cache_control.startswith("public, max-age=")
    assert 0 <= int(cache_control.rsplit("=", 1)[1]) <= 60

    repeat = await client.get(
        "/api/v1/regions/kyiv/outages",
        params={"street": STREET, "house": "71/З", "at": NOON},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert repeat.status_code == 304
    assert repeat.content == b""
