"""Every lookup-path response carries an ETag and a Cache-Control, and a repeated request that
names the tag gets a 304 without a body: the queue schedule and template, the calendar feeds
and the region page, besides the lookup, autocomplete and resolve that tests/api/test_lookup.py
and tests/api/test_fastpath.py cover."""

import asyncio
import datetime as dt
import re
from typing import Any

import pytest

from core.cli import main
from core.settings import Settings
from tests.conftest import STAFF_TOKEN, refresh_indexes

AT = "2026-01-29T12:10:00+02:00"


@pytest.fixture
async def demo(client: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    assert await asyncio.to_thread(main, ["demo", "load", "--date", "2026-01-29"]) == 0
    await refresh_indexes(client)


def _max_age(response: Any) -> int:
    found = re.fullmatch(r"public, max-age=(\d+)", response.headers["cache-control"])
    assert found, response.headers["cache-control"]
    return int(found.group(1))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/regions/kyiv/queues/1.1/schedule", {"date": "2026-01-29"}),
        ("/api/v1/regions/kyiv/queues/1.1/template", {}),
        ("/api/v1/regions/kyiv/queues/1.1/calendar.ics", {"at": AT}),
        ("/regions/kyiv", {"address": "вул. Хрещатик 22", "at": AT}),
    ],
)
async def test_repeat_with_etag_is_304(
    client: Any, demo: None, path: str, params: dict[str, str]
) -> None:
    first = await client.get(path, params=params)
    again = await client.get(path, params=params, headers={"If-None-Match": first.headers["etag"]})

    assert first.status_code == 200, first.text
    assert 0 <= _max_age(first) <= 60
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_calendar_tag_ignores_request_time(client: Any, demo: None) -> None:
    """DTSTAMP is the time of each request, so two feeds differ in bytes but share the tag."""
    path = "/api/v1/regions/kyiv/queues/1.1/calendar.ics"
    first = await client.get(path, params={"at": AT})
    await asyncio.sleep(1.1)
    second = await client.get(path, params={"at": AT})

    assert first.content != second.content
    assert first.headers["etag"] == second.headers["etag"]


async def test_page_max_age_ends_at_state_change(client: Any, demo: None) -> None:
    address = "вул. Хрещатик 22"
    lookup = await client.get("/api/v1/regions/kyiv/outages", params={"address": address, "at": AT})
    change = dt.datetime.fromisoformat(lookup.json()["state"]["until"])
    shortly_before = (change - dt.timedelta(seconds=25)).isoformat()

    page = await client.get("/regions/kyiv", params={"address": address, "at": shortly_before})

    assert page.status_code == 200
    assert _max_age(page) == 25


async def test_other_language_gets_other_tag(client: Any, demo: None) -> None:
    path = "/api/v1/regions/kyiv/queues/1.1/calendar.ics"
    ukrainian = await client.get(path, params={"at": AT})
    english = await client.get(path, params={"at": AT, "lang": "en"})

    assert ukrainian.headers["etag"] != english.headers["etag"]
    assert ukrainian.headers["vary"] == "Accept-Language"


async def test_page_error_is_not_cached(client: Any, demo: None) -> None:
    response = await client.get("/regions/kyiv", params={"address": "вул. Неіснуюча 1"})

    assert response.status_code == 404
    assert "etag" not in response.headers
