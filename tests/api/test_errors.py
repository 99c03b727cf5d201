"""Every bad input gets a 4xx problem+json in the request's language, never a 500."""

from typing import Any

import pytest

from tests.conftest import staff_headers

BAD_GETS = [
    ("/api/v1/regions/atlantis/queues/1.1/schedule", {}, 404, "unknown_region"),
    ("/api/v1/regions/kyiv/queues/61.1/schedule", {}, 404, "unknown_queue"),
    ("/api/v1/regions/kyiv/queues/abc/schedule", {}, 404, "unknown_queue"),
    ("/api/v1/regions/odesa/queues/7.1/schedule", {}, 404, "unknown_queue"),
    ("/api/v1/regions/kyiv/queues/36.1/schedule", {"date": "2026-02-30"}, 400, "invalid_date"),
    ("/api/v1/regions/kyiv/queues/36.1/schedule", {"date": "yesterday"}, 400, "invalid_date"),
    ("/api/v1/regions/kyiv/outages", {}, 400, "invalid_query"),
    ("/api/v1/regions/kyiv/outages", {"address": "Хрещатик"}, 400, "invalid_query"),
    (
        "/api/v1/regions/kyiv/outages",
        {"street": "Хрещатик", "house": "22"},
        404,
        "address_not_found",
    ),
    ("/api/v1/regions/kyiv/outages", {"address": "вул. Неіснуюча 5"}, 404, "address_not_found"),
    ("/api/v1/regions/kyiv/outages", {"building_id": "999999"}, 404, "building_not_found"),
    ("/api/v1/regions/kyiv/outages", {"building_id": "-1"}, 400, "invalid_query"),
    ("/api/v1/regions/kyiv/outages", {"building_id": "abc"}, 400, "invalid_query"),
    ("/api/v1/regions/kyiv/outages", {"address": "x" * 10_000}, 400, "invalid_query"),
    ("/api/v1/regions/kyiv/outages", {"address": "вул.\x00\x07 1"}, 404, "address_not_found"),
    (
        "/api/v1/regions/kyiv/outages",
        {"address": "'; DROP TABLE streets; -- 1"},
        404,
        "address_not_found",
    ),
    ("/api/v1/regions/kyiv/outages", {"building_id": "1", "at": "noon"}, 400, "invalid_query"),
    ("/api/v1/regions/atlantis/outages", {"address": "Хрещатик 1"}, 404, "unknown_region"),
    ("/api/v1/nothing-here", {}, 404, "not_found"),
]

BAD_IMPORTS = [
    ("kyiv", b"", 422, "empty_source"),
    ("kyiv", b"\xff\xfe\x00garbage", 422, "malformed_source"),
    ("kyiv", b"<html><body>not the page</body></html>", 422, "malformed_source"),
    (
        "kyiv",
        b'{"data": {"1769637600": {"GPV36.1": {"1": "perhaps"}}}, "update": "28.01.2026 21:36"}',
        422,
        "malformed_source",
    ),
    ("kyiv", b'{"unrelated": true}', 422, "unsupported_source"),
    (
        "odesa",
        b'{"1.1": {"today": {"slots": [], "date": "2026-01-29T00:00:00+02:00", "status": "ScheduleApplies"}, "updatedOn": "2026-01-28T20:48:36Z"}}',
        422,
        "unsupported_source",
    ),
    ("atlantis", b"{}", 404, "unknown_region"),
]


def _assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["detail"]
    return body


@pytest.mark.parametrize(("path", "params", "status", "code"), BAD_GETS)
async def test_bad_request_is_problem(
    client: Any, path: str, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get(path, params=params)
    _assert_problem(response, status, code)


@pytest.mark.parametrize(("region", "content", "status", "code"), BAD_IMPORTS)
async def test_bad_import_is_problem(
    client: Any, region: str, content: bytes, status: int, code: str
) -> None:
    response = await client.post(
        f"/api/v1/admin/regions/{region}/schedules",
        content=content,
        params={"filename": "bad.json"},
        headers=staff_headers(),
    )
    _assert_problem(response, status, code)


async def test_problem_detail_is_ukrainian_by_default(client: Any) -> None:
    body = (await client.get("/api/v1/regions/atlantis/queues/1.1/schedule")).json()
    assert body["detail"].startswith("Регіон «atlantis» тут не обслуговується")
    assert body["title"] == "Невідомий регіон"


async def test_problem_detail_is_english_on_request(client: Any) -> None:
    response = await client.get(
        "/api/v1/regions/atlantis/queues/1.1/schedule",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert response.json()["detail"].startswith("Region 'atlantis' is not served here")


async def test_invalid_date_names_value_and_form(client: Any) -> None:
    body = (
        await client.get(
            "/api/v1/regions/kyiv/queues/36.1/schedule", params={"date": "29.01.2026", "lang": "en"}
        )
    ).json()
    assert "29.01.2026" in body["detail"]
    assert "YYYY-MM-DD" in body["detail"]
    assert body["field"] == "date"


async def test_wrong_token_is_401(client: Any) -> None:
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=b"{}",
        headers={"Authorization": "Bearer wrong"},
    )
    _assert_problem(response, 401, "not_authenticated")


async def test_disabled_region_is_404(settings: Any) -> None:
    from litestar.testing import AsyncTestClient

    from core.app import create_app
    from core.settings import load_settings

    environ = {
        "DSO_DATABASE_URL": settings.database_url,
        "DSO_REGION_ODESA_ENABLED": "false",
        "DSO_LOG_LEVEL": "warning",
    }
    async with AsyncTestClient(app=create_app(load_settings(environ=environ))) as client:
        response = await client.get("/api/v1/regions/odesa/queues/1.1/schedule")
    _assert_problem(response, 404, "region_disabled")


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+05:00", "1999-12-31T12:00:00+02:00"]
)
async def test_far_away_at_is_400(client: Any, at: str) -> None:
    response = await client.get(
        "/api/v1/regions/kyiv/outages", params={"building_id": "1", "at": at}
    )
    _assert_problem(response, 400, "invalid_query")


@pytest.mark.parametrize(
    ("path", "params", "uk", "en"),
    [
        (
            "/api/v1/regions/kyiv/addresses/streets",
            {},
            "Параметр «q» відсутній. Додайте його до запиту.",
            "Parameter 'q' is missing. Add it to the request.",
        ),
        (
            "/api/v1/regions/kyiv/outages",
            {"building_id": "abc"},
            "Параметр «building_id» неправильний: це має бути ціле число",
            "Parameter 'building_id' is invalid: it must be a whole number",
        ),
        (
            "/api/v1/regions/kyiv/outages",
            {"building_id": "-1"},
            "Параметр «building_id» неправильний: це має бути ціле число, не менше за 1",
            "Parameter 'building_id' is invalid: it must be a whole number from 1",
        ),
        (
            "/api/v1/regions/kyiv/addresses/streets",
            {"q": "x" * 300},
            "Параметр «q» неправильний: він може мати щонайбільше 200 символів",
            "Parameter 'q' is invalid: it may have at most 200 characters",
        ),
    ],
)
async def test_invalid_parameter_says_what_to_send(
    client: Any, path: str, params: dict[str, str], uk: str, en: str
) -> None:
    ukrainian = await client.get(path, params=params)
    english = await client.get(path, params={**params, "lang": "en"})

    assert ukrainian.status_code == 400
    assert ukrainian.json()["detail"] == uk
    assert english.json()["detail"] == en


async def test_malformed_json_body_is_localized(client: Any) -> None:
    response = await client.post(
        "/api/v1/auth/codes", content=b"notjson", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.json()["title"] == "Неправильний JSON"
    assert response.json()["detail"].startswith("Тіло запиту не є правильним JSON")
