"""Planned works and emergencies that staff record beat the schedule at the buildings they cover."""

import asyncio
from typing import Any

import pytest

from core.cli import main
from tests.conftest import STAFF_TOKEN, refresh_indexes, staff_headers

AT = "2026-01-29T12:00:00+02:00"
OUTAGES = "/api/v1/admin/regions/kyiv/outages"


@pytest.fixture
async def demo(client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Demo data for 2026-01-29, and the lookup of one Kyiv building."""
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_SECURITY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")
    assert await asyncio.to_thread(main, ["demo", "load", "--date", "2026-01-29"]) == 0
    await refresh_indexes(client)
    body: dict[str, Any] = (await _lookup(client, "вул. Хрещатик 22")).json()
    return body


async def _lookup(client: Any, address: str) -> Any:
    return await client.get("/api/v1/regions/kyiv/outages", params={"address": address, "at": AT})


async def _create(client: Any, **body: Any) -> Any:
    return await client.post(OUTAGES, json=body, headers=staff_headers())


async def test_emergency_at_building_beats_schedule(client: Any, demo: dict[str, Any]) -> None:
    building_id = demo["address"]["building_id"]
    created = await _create(
        client,
        kind="emergency",
        cause="equipment_failure",
        building_ids=[building_id],
        starts_at="2026-01-29T11:00:00+02:00",
        estimated_restoration="2026-01-29T18:00:00+02:00",
    )
    assert created.status_code == 201, created.text

    body = (await _lookup(client, "вул. Хрещатик 22")).json()
    assert body["state"] == {
        "value": "off",
        "since": "2026-01-29T11:00:00+02:00",
        "until": "2026-01-29T18:00:00+02:00",
    }
    assert body["incidents"][0]["cause_text"] == "Пошкодження обладнання"


async def test_outage_for_street_leaves_other_streets_alone(
    client: Any, demo: dict[str, Any]
) -> None:
    street_id = demo["address"]["street_id"]
    await _create(
        client,
        kind="planned_works",
        cause="maintenance",
        street_id=street_id,
        starts_at="2026-01-29T09:00:00+02:00",
    )

    other = (await _lookup(client, "вул. Здановської Юлії 71/З")).json()
    assert other["planned_works"] == []
    same = (await _lookup(client, "вул. Хрещатик 1")).json()
    assert same["planned_works"][0]["kind"] == "planned_works"
    assert same["state"]["value"] == "off"
    assert same["state"]["until"] is None


async def test_future_planned_works_are_listed_without_changing_state(
    client: Any, demo: dict[str, Any]
) -> None:
    await _create(
        client,
        kind="planned_works",
        cause="maintenance",
        building_ids=[demo["address"]["building_id"]],
        starts_at="2026-01-30T09:00:00+02:00",
        estimated_restoration="2026-01-30T17:00:00+02:00",
    )
    body = (await _lookup(client, "вул. Хрещатик 22")).json()
    assert body["state"] == demo["state"]
    assert body["planned_works"][0]["active"] is False


async def test_new_estimate_is_kept_in_history(client: Any, demo: dict[str, Any]) -> None:
    created = (
        await _create(
            client,
            kind="emergency",
            cause="weather",
            building_ids=[demo["address"]["building_id"]],
            starts_at="2026-01-29T11:00:00+02:00",
            estimated_restoration="2026-01-29T15:00:00+02:00",
        )
    ).json()
    updated = await client.patch(
        f"{OUTAGES}/{created['id']}",
        json={"estimated_restoration": "2026-01-29T20:00:00+02:00"},
        headers=staff_headers(),
    )
    assert updated.status_code == 200, updated.text
    assert [e["estimated_restoration"] for e in updated.json()["estimates"]] == [
        "2026-01-29T15:00:00+02:00",
        "2026-01-29T20:00:00+02:00",
    ]
    body = (await _lookup(client, "вул. Хрещатик 22")).json()
    assert body["state"]["until"] == "2026-01-29T20:00:00+02:00"


async def test_resolved_outage_no_longer_shows(client: Any, demo: dict[str, Any]) -> None:
    created = (
        await _create(
            client,
            kind="emergency",
            cause="other",
            building_ids=[demo["address"]["building_id"]],
            starts_at="2026-01-29T11:00:00+02:00",
        )
    ).json()
    resolved = await client.post(f"{OUTAGES}/{created['id']}/resolve", headers=staff_headers())
    assert resolved.status_code == 200
    body = (await _lookup(client, "вул. Хрещатик 22")).json()
    assert body["incidents"] == []
    assert body["state"] == demo["state"]

    again = await client.patch(
        f"{OUTAGES}/{created['id']}", json={"note": "x"}, headers=staff_headers()
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"kind": "emergency", "cause": "other", "starts_at": "2026-01-29T11:00:00+02:00"},
            "invalid_outage_target",
        ),
        (
            {
                "kind": "emergency",
                "cause": "other",
                "starts_at": "2026-01-29T11:00:00+02:00",
                "street_id": 1,
                "building_ids": [1],
            },
            "invalid_outage_target",
        ),
        (
            {
                "kind": "emergency",
                "cause": "other",
                "starts_at": "2026-01-29T11:00:00+02:00",
                "building_ids": [999999],
            },
            "building_not_found",
        ),
        (
            {
                "kind": "emergency",
                "cause": "other",
                "starts_at": "2026-01-29T11:00:00+02:00",
                "street_id": 999999,
            },
            "street_not_found",
        ),
        (
            {
                "kind": "meteor",
                "cause": "other",
                "starts_at": "2026-01-29T11:00:00+02:00",
                "street_id": 1,
            },
            "invalid_query",
        ),
        (
            {"kind": "emergency", "cause": "other", "starts_at": "yesterday", "street_id": 1},
            "invalid_query",
        ),
    ],
)
async def test_bad_outage_is_4xx_problem(
    client: Any, demo: dict[str, Any], body: dict[str, Any], code: str
) -> None:
    response = await client.post(OUTAGES, json=body, headers=staff_headers())
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


async def test_restoration_before_start_is_rejected(client: Any, demo: dict[str, Any]) -> None:
    response = await _create(
        client,
        kind="emergency",
        cause="other",
        building_ids=[demo["address"]["building_id"]],
        starts_at="2026-01-29T11:00:00+02:00",
        estimated_restoration="2026-01-29T10:00:00+02:00",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_time_range"


async def test_outage_routes_need_staff_token(client: Any) -> None:
    response = await client.get(OUTAGES)
    assert response.status_code == 401
