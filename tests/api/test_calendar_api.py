"""Calendar feeds served over the API, on the real 2026-01-29 Kyiv schedule and demo addresses."""

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from core.cli import main
from core.settings import Settings
from tests.api.test_lookup import QUEUE_36_1
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file, staff_headers

PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
NOON = "2026-01-29T12:00:00+02:00"
QUEUE_URL = "/api/v1/regions/{region}/queues/{queue}/calendar.ics"
BUILDING_URL = "/api/v1/regions/{region}/buildings/{building_id}/calendar.ics"


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")


async def _import_page(client: Any) -> None:
    path = shared_file(PAGE)
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=path.read_bytes(),
        params={"filename": path.name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text


async def _queue_calendar(client: Any, queue: str = "36.1", **params: str) -> Any:
    url = QUEUE_URL.format(region="kyiv", queue=queue)
    return await client.get(url, params={"at": NOON, **params})


def _parse(response: Any) -> Calendar:
    assert response.status_code == 200, response.text
    return Calendar.from_ical(response.content)


def _confirmed(calendar: Calendar) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (_as_utc(event.start), _as_utc(event.end))
        for event in calendar.events
        if event["STATUS"] == "CONFIRMED"
    ]


def _as_utc(value: dt.date) -> dt.datetime:
    assert isinstance(value, dt.datetime), f"{value!r} is a date, not a time"
    return value.astimezone(dt.UTC)


def _caldesc(calendar: Calendar) -> str:
    """Return X-WR-CALDESC without TEXT escapes, because icalendar reads X- properties raw."""
    return str(calendar["X-WR-CALDESC"]).replace("\\,", ",").replace("\\n", "\n")


async def test_queue_calendar_has_real_outages(client: Any) -> None:
    await _import_page(client)
    calendar = _parse(await _queue_calendar(client))
    assert _confirmed(calendar) == QUEUE_36_1


async def test_queue_calendar_is_text_calendar(client: Any) -> None:
    await _import_page(client)
    response = await _queue_calendar(client)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


async def test_queue_calendar_has_kyiv_vtimezone(client: Any) -> None:
    await _import_page(client)
    calendar = _parse(await _queue_calendar(client))
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Kyiv"]
    assert {e["DTSTART"].params["TZID"] for e in calendar.events} == {"Europe/Kyiv"}


async def test_queue_calendar_template_fills_unpublished_tomorrow(client: Any) -> None:
    # The page has no fact for 2026-01-30, so the weekly template covers it as possible.
    await _import_page(client)
    calendar = _parse(await _queue_calendar(client))
    tentative = [e for e in calendar.events if e["STATUS"] == "TENTATIVE"]
    assert tentative
    assert _as_utc(tentative[0].start) == dt.datetime(2026, 1, 29, 22, 0, tzinfo=dt.UTC)
    assert all(e["TRANSP"] == "TRANSPARENT" for e in tentative)


async def test_queue_calendar_uids_stable_when_regenerated(client: Any) -> None:
    await _import_page(client)
    first = _parse(await _queue_calendar(client))
    second = _parse(await _queue_calendar(client))
    assert [str(e["UID"]) for e in first.events] == [str(e["UID"]) for e in second.events]


async def test_queue_calendar_accepts_queue_spelling(client: Any) -> None:
    await _import_page(client)
    calendar = _parse(await _queue_calendar(client, queue="GPV36.1"))
    assert _confirmed(calendar) == QUEUE_36_1


async def test_queue_calendar_in_english(client: Any) -> None:
    await _import_page(client)
    calendar = _parse(await _queue_calendar(client, lang="en"))
    assert calendar.events[0]["SUMMARY"] == "Power outage, queue 36.1"


async def test_queue_calendar_follows_accept_language(client: Any) -> None:
    await _import_page(client)
    url = QUEUE_URL.format(region="kyiv", queue="36.1")
    response = await client.get(url, params={"at": NOON}, headers={"Accept-Language": "en"})
    assert _parse(response).events[0]["SUMMARY"] == "Power outage, queue 36.1"


async def test_queue_calendar_without_schedules_has_no_events(client: Any) -> None:
    calendar = _parse(await _queue_calendar(client))
    assert calendar.events == []
    assert "не опубліковано" in _caldesc(calendar)


async def test_unknown_region_is_problem(client: Any) -> None:
    response = await client.get(QUEUE_URL.format(region="atlantis", queue="1.1"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unknown_region"


async def test_unknown_region_building_is_problem(client: Any) -> None:
    response = await client.get(BUILDING_URL.format(region="atlantis", building_id=1))
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_region"


@pytest.mark.parametrize("queue", ["61.1", "36.2", "abc"])
async def test_unknown_queue_is_problem(client: Any, queue: str) -> None:
    response = await client.get(QUEUE_URL.format(region="kyiv", queue=queue))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unknown_queue"


async def test_unknown_building_is_problem(client: Any) -> None:
    response = await client.get(BUILDING_URL.format(region="kyiv", building_id=999999))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "building_not_found"


async def test_invalid_at_is_problem(client: Any) -> None:
    response = await _queue_calendar(client, at="yesterday")
    assert response.status_code == 400
    assert response.json()["field"] == "at"


async def test_building_with_two_queues_has_both(client: Any, cli_env: None) -> None:
    assert await asyncio.to_thread(main, ["demo", "load", "--date", "2026-01-29"]) == 0
    await refresh_indexes(client)
    lookup = await client.get(
        "/api/v1/regions/kyiv/outages", params={"address": "вул. Хрещатик 25/3", "at": NOON}
    )
    building_id = lookup.json()["address"]["building_id"]

    url = BUILDING_URL.format(region="kyiv", building_id=building_id)
    calendar = _parse(await client.get(url, params={"at": NOON}))
    summaries = {str(e["SUMMARY"]) for e in calendar.events}
    assert "Відключення світла, черга 1.1" in summaries
    assert "Відключення світла, черга 2.1" in summaries


def _write_other_operator_house(folder: Path) -> list[str]:
    """Write the YASNO street, house and group responses of one Dnipro house that ЦЕК (DSO 303) serves."""
    answers: dict[str, Any] = {
        "yasno_addresses-v2-streets_r3_dso303_query-sadova.json": [
            {"id": 610, "value": "вул. Садова"}
        ],
        "yasno_addresses-v2-houses_r3_dso303_street610_query-12.json": [
            {"id": 7120, "value": "12"}
        ],
        "yasno_addresses-v2-group_r3_dso303_street610_house7120.json": {
            "group": 2,
            "subgroup": 1,
        },
    }
    paths = []
    for name, content in answers.items():
        path = folder / name
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    return paths


async def test_other_operator_building_has_no_events(
    client: Any, cli_env: None, tmp_path: Path
) -> None:
    paths = _write_other_operator_house(tmp_path)
    assert await asyncio.to_thread(main, ["import", "addresses", "--region", "dnipro", *paths]) == 0
    await refresh_indexes(client)
    lookup = await client.get(
        "/api/v1/regions/dnipro/outages", params={"address": "вул. Садова 12"}
    )
    building_id = lookup.json()["address"]["building_id"]

    url = BUILDING_URL.format(region="dnipro", building_id=building_id)
    calendar = _parse(await client.get(url, params={"at": NOON}))
    assert calendar.events == []
    assert "інший оператор: ЦЕК" in _caldesc(calendar)
