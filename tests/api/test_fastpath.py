"""The ASGI fast path responds to the lookup path exactly as the Litestar routes do.

Two apps share one database: the default app, whose fast path handles requests first, and an
app built with `fast_path=False`, where only the Litestar routes respond. Every case sends the same request
to both and compares the status, the caching headers and the body byte for byte.
"""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote_plus

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.cli import main
from core.fastpath import _unquote
from core.settings import Settings
from tests.conftest import STAFF_TOKEN, refresh_indexes, shared_file, staff_headers

HOUSES = "dtek/dtek-kem_getHomeNum_vul-Zdanovskoi-Yulii_2026-01-29.json"
PAGE = "dtek/dtek-kem_shutdowns-page_DisconSchedule-script_2026-01-29.html"
STREET = "вул. Здановської Юлії"
LOOKUP = "/api/v1/regions/kyiv/outages"
STREETS = "/api/v1/regions/kyiv/addresses/streets"
RESOLVE = "/api/v1/regions/kyiv/addresses/resolve"
NOON = "2026-01-29T12:00:00+02:00"
TODAY = dt.datetime(2026, 1, 29, 9, 15, tzinfo=dt.UTC)
COMPARED_HEADERS = ("content-type", "content-length", "etag", "cache-control", "vary")


@pytest.fixture
async def clients(
    client: AsyncTestClient[Litestar], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], AsyncTestClient[Litestar]]]:
    """The app with its fast path and the app without it, both with one Kyiv street and its schedule.

    Both apps take 2026-01-29 as today, so their in-memory schedules hold the imported day and
    a lookup without `at` is at the same instant in both.
    """
    monkeypatch.setattr("core.indexes.now_utc", lambda: TODAY)
    monkeypatch.setattr("core.deps.now_utc", lambda: TODAY)
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    args = ["import", "addresses", "--region", "kyiv", "--street", STREET, str(shared_file(HOUSES))]
    assert await asyncio.to_thread(main, args) == 0
    page = shared_file(PAGE)
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=page.read_bytes(),
        params={"filename": page.name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text
    await refresh_indexes(client)

    async with AsyncTestClient(app=create_app(settings, fast_path=False)) as routes:
        await refresh_indexes(routes)
        yield client, routes


def _street_id(client: AsyncTestClient[Litestar]) -> int:
    index = client.app.state.indexes.address.region("kyiv")
    return next(iter(index.streets))  # type: ignore[no-any-return]


def _building_id(client: AsyncTestClient[Litestar], house: str) -> int:
    index = client.app.state.indexes.address.region("kyiv")
    building = index.building_by_number(_street_id(client), house)
    assert building is not None, f"house {house} is not in the test data"
    return building.id  # type: ignore[no-any-return]


async def _both(
    clients: tuple[AsyncTestClient[Litestar], AsyncTestClient[Litestar]],
    path: str,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[Any, Any]:
    fast, routes = clients
    return (
        await fast.get(path, params=params, headers=headers),
        await routes.get(path, params=params, headers=headers),
    )


def _assert_same(fast: Any, routes: Any) -> None:
    assert fast.status_code == routes.status_code, fast.text
    for name in COMPARED_HEADERS:
        assert fast.headers.get(name) == routes.headers.get(name), name
    assert fast.content == routes.content


def _litestar_calls(client: AsyncTestClient[Litestar]) -> list[str]:
    """Record the paths that the fast path of `client` passes on to Litestar."""
    fast_path = client.app.asgi_handler
    passed: list[str] = []
    handler = fast_path._next

    async def record(scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["path"])
        await handler(scope, receive, send)

    fast_path._next = record
    return passed


LOOKUP_CASES = {
    "street_id and house": lambda c: {"street_id": _street_id(c), "house": "71/З"},
    "street_id and house spelled loosely": lambda c: {"street_id": _street_id(c), "house": "71з"},
    "street and house": lambda c: {"street": STREET, "house": "71/З"},
    "address text": lambda c: {"address": f"{STREET} 71/З"},
    "building_id": lambda c: {"building_id": _building_id(c, "71/З")},
    "unknown house": lambda c: {"street_id": _street_id(c), "house": "9999"},
    "unknown street_id": lambda c: {"street_id": 987654, "house": "1"},
    "unknown building_id": lambda c: {"building_id": 987654},
    "unknown street text": lambda c: {"street": "вул. Неіснуюча", "house": "1"},
    "address without house": lambda c: {"address": STREET},
    "no address at all": lambda c: {},
    "invalid at": lambda c: {"street_id": _street_id(c), "house": "71/З", "at": "yesterday"},
    "at outside the years": lambda c: {"building_id": 1, "at": "1990-01-01T00:00:00"},
    "english by lang": lambda c: {"street_id": _street_id(c), "house": "9999", "lang": "en"},
}


@pytest.mark.parametrize("case", list(LOOKUP_CASES))
async def test_fastpath_lookup_same_as_route(clients: Any, case: str) -> None:
    params = {"at": NOON, **LOOKUP_CASES[case](clients[0])}
    fast, routes = await _both(clients, LOOKUP, params)
    _assert_same(fast, routes)


@pytest.mark.parametrize("case", ["street_id and house", "unknown house", "unknown street_id"])
async def test_fastpath_lookup_answers_without_litestar(clients: Any, case: str) -> None:
    passed = _litestar_calls(clients[0])
    params = {"at": NOON, **LOOKUP_CASES[case](clients[0])}
    await clients[0].get(LOOKUP, params=params)
    assert passed == []


@pytest.mark.parametrize(
    "params",
    [
        {"street_id": "abc", "house": "1"},
        {"street_id": "0", "house": "1"},
        {"street_id": "007", "house": "1"},
        {"street_id": str(2**31), "house": "1"},
        {"house": "1" * 41, "street_id": "1"},
        {"house": "", "street_id": "1"},
        {"building_id": "1", "cache": "no"},
        [("building_id", "1"), ("building_id", "2")],
    ],
)
async def test_fastpath_invalid_parameters_go_to_litestar(clients: Any, params: Any) -> None:
    passed = _litestar_calls(clients[0])
    fast, routes = await _both(clients, LOOKUP, params)
    _assert_same(fast, routes)
    assert passed == [LOOKUP]


async def test_fastpath_english_by_accept_language(clients: Any) -> None:
    params = {"at": NOON, "street_id": _street_id(clients[0]), "house": "9999"}
    fast, routes = await _both(clients, LOOKUP, params, {"Accept-Language": "en-GB,en;q=0.9"})
    _assert_same(fast, routes)
    assert fast.json()["title"] == "Address not found"


async def test_fastpath_ukrainian_by_default(clients: Any) -> None:
    params = {"at": NOON, "street_id": _street_id(clients[0]), "house": "9999"}
    fast, _routes = await _both(clients, LOOKUP, params)
    assert fast.json()["title"] == "Адресу не знайдено"


async def test_fastpath_if_none_match_gets_304(clients: Any) -> None:
    params = {"at": NOON, "street_id": _street_id(clients[0]), "house": "71/З"}
    first = await clients[0].get(LOOKUP, params=params)
    etag = first.headers["etag"]
    fast, routes = await _both(clients, LOOKUP, params, {"If-None-Match": f'W/{etag}, "other"'})
    _assert_same(fast, routes)
    assert fast.status_code == 304


@pytest.mark.parametrize(
    "at",
    [
        "2026-01-29T12:00:00+02:00",
        "2026-01-29T13:29:59+02:00",
        "2026-01-29T13:30:00+02:00",
        "2026-01-29T08:00:00+02:00",
        "2026-01-29T23:59:00+02:00",
        "2026-01-30T00:30:00+02:00",
        "2026-01-28T10:00:00+02:00",
    ],
)
async def test_fastpath_cached_queue_part_across_state_changes(clients: Any, at: str) -> None:
    # A first lookup at noon fills the cache; each later instant must see its own state.
    street_id = _street_id(clients[0])
    await clients[0].get(LOOKUP, params={"at": NOON, "street_id": street_id, "house": "71/З"})
    for house in ("71/З", "2"):
        params = {"at": at, "street_id": street_id, "house": house}
        fast, routes = await _both(clients, LOOKUP, params)
        _assert_same(fast, routes)


async def test_fastpath_lookup_now_same_as_route(clients: Any) -> None:
    passed = _litestar_calls(clients[0])
    params = {"street_id": _street_id(clients[0]), "house": "71/З"}
    fast, routes = await _both(clients, LOOKUP, params)
    _assert_same(fast, routes)
    assert passed == []


async def test_fastpath_day_outside_memory_goes_to_litestar(clients: Any) -> None:
    passed = _litestar_calls(clients[0])
    params = {"street_id": _street_id(clients[0]), "house": "71/З", "at": "2026-03-01T12:00:00"}
    fast, routes = await _both(clients, LOOKUP, params)
    _assert_same(fast, routes)
    assert passed == [LOOKUP]


SEARCH_CASES = [
    (STREETS, {"q": "Здан"}),
    (STREETS, {"q": "zdan"}),
    (STREETS, {"q": "Здановської", "limit": "3"}),
    (STREETS, {"q": "Здан", "limit": "0"}),
    (STREETS, {"q": "Здан", "limit": "51"}),
    (STREETS, {"q": "   "}),
    (STREETS, {}),
    (STREETS, {"q": "qqqqqqq", "lang": "en"}),
    (RESOLVE, {"address": f"{STREET} 71/З"}),
    (RESOLVE, {"address": f"{STREET}, 71з"}),
    (RESOLVE, {"address": "вул. Неіснуюча 1"}),
    (RESOLVE, {"address": " "}),
    (RESOLVE, {}),
    ("/api/v1/regions/atlantis/addresses/resolve", {"address": "вул. Хрещатик 1"}),
    ("/api/v1/regions/atlantis/outages", {"building_id": "1"}),
]


@pytest.mark.parametrize(("path", "params"), SEARCH_CASES)
async def test_fastpath_search_same_as_route(clients: Any, path: str, params: Any) -> None:
    # Twice, so the second answer comes from the fast path's cache.
    for _ in range(2):
        fast, routes = await _both(clients, path, params)
        _assert_same(fast, routes)


async def test_fastpath_leaves_head_to_litestar(clients: Any) -> None:
    passed = _litestar_calls(clients[0])
    await clients[0].head(LOOKUP, params={"building_id": "1"})
    assert passed == [LOOKUP]


@pytest.mark.parametrize("lang", ["uk", "en"])
async def test_fastpath_building_with_incident_same_as_route(clients: Any, lang: str) -> None:
    fast_client = clients[0]
    building_id = _building_id(fast_client, "71/З")
    created = await fast_client.post(
        "/api/v1/admin/regions/kyiv/outages",
        json={
            "kind": "emergency",
            "cause": "equipment_failure",
            "building_ids": [building_id],
            "starts_at": "2026-01-29T11:00:00+02:00",
            "estimated_restoration": "2026-01-29T18:00:00+02:00",
        },
        headers=staff_headers(),
    )
    assert created.status_code in (200, 201), created.text
    for app_client in clients:
        await refresh_indexes(app_client)

    passed = _litestar_calls(fast_client)
    params = {"at": NOON, "building_id": building_id, "lang": lang}
    fast, routes = await _both(clients, LOOKUP, params)
    _assert_same(fast, routes)
    assert fast.json()["incidents"] != []
    assert passed == []


@pytest.mark.parametrize(
    "text",
    ["%D0%97%D0%B4", "a+b%2Bc", "%D0", "%D0%97%zz%", "%", "%%41", "71%2F%D0%97", "%E2%82"],
)
def test_fastpath_unquote_same_as_urllib(text: str) -> None:
    assert _unquote(text) == unquote_plus(text)
