"""The customer's reading history: meters, latest readings with outcomes and consumption periods."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from core.readings import service
from tests.conftest import staff_headers
from tests.readings.conftest import linked_account, meter, sign_in

MINE = "/api/v1/regions/kyiv_region/me/accounts"


async def _history(
    client: Any, account: dict[str, Any], headers: dict[str, str], **query: Any
) -> Any:
    return await client.get(f"{MINE}/{account['id']}/readings", params=query, headers=headers)


async def _submit(
    client: Any, account: dict[str, Any], headers: dict[str, str], **registers: Any
) -> Any:
    return await client.post(
        f"{MINE}/{account['id']}/readings", json={"registers": registers}, headers=headers
    )


async def rollover_then_replacement(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, str]]:
    """Build a history: a rollover on the first meter, a replacement, a new meter's reading, a rejection."""
    account, headers = await linked_account(client, outbox, initial={"total": 99_993}, days_ago=60)
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(service, "now_utc", lambda: now - dt.timedelta(days=30))
    rollover = await _submit(client, account, headers, total=11)
    assert rollover.status_code == 201, rollover.text

    monkeypatch.setattr(service, "now_utc", lambda: now)
    replaced = await client.post(
        f"/api/v1/admin/regions/kyiv_region/accounts/{account['id']}/meters",
        json={**meter(initial={"total": 0}, days_ago=10), "serial": "NIK-2303-0002"},
        headers=staff_headers(),
    )
    assert replaced.status_code == 201, replaced.text
    fresh = await _submit(client, account, headers, total=25)
    assert fresh.status_code == 201, fresh.text
    rejected = await _submit(client, account, headers, T1=170)
    assert rejected.status_code == 422, rejected.text
    return account, headers


async def test_history_lists_current_and_replaced_meters(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await rollover_then_replacement(client, outbox, monkeypatch)

    response = await _history(client, account, headers)

    assert response.status_code == 200, response.text
    meters = response.json()["meters"]
    assert [m["serial"] for m in meters] == ["NIK-2303-0001", "NIK-2303-0002"]
    assert meters[0]["removed_at"] is not None
    assert meters[1]["removed_at"] is None


async def test_history_lists_readings_newest_first_with_outcomes(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await rollover_then_replacement(client, outbox, monkeypatch)

    readings = (await _history(client, account, headers)).json()["readings"]

    assert [(r["outcome"], r["reason"]) for r in readings] == [
        ("rejected", "register_label"),
        ("accepted", None),
        ("accepted", None),
    ]
    assert readings[0]["raw_registers"] == {"T1": 170}
    assert readings[0]["registers"] is None
    assert readings[2]["registers"] == {"total": 11}
    assert readings[2]["submitted_at"].endswith(("+02:00", "+03:00"))


async def test_periods_count_rollover_and_new_meter(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await rollover_then_replacement(client, outbox, monkeypatch)

    periods = (await _history(client, account, headers)).json()["periods"]

    assert [(p["meter_serial"], p["consumption"], p["total_kwh"]) for p in periods] == [
        ("NIK-2303-0002", {"total": 25}, 25),
        ("NIK-2303-0001", {"total": 18}, 18),
    ]


async def test_period_of_new_meter_starts_at_installation(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await rollover_then_replacement(client, outbox, monkeypatch)

    body = (await _history(client, account, headers)).json()

    new_meter = body["meters"][1]
    assert dt.datetime.fromisoformat(body["periods"][0]["start"]) == dt.datetime.fromisoformat(
        new_meter["installed_at"]
    )


async def test_two_zone_periods_are_per_zone(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(
        client, outbox, meter_type="two_zone", initial={"day": 1000, "night": 500}
    )
    accepted = await _submit(client, account, headers, day=1120, night=540)
    assert accepted.status_code == 201, accepted.text

    periods = (await _history(client, account, headers)).json()["periods"]

    assert [(p["consumption"], p["total_kwh"]) for p in periods] == [
        ({"day": 120, "night": 40}, 160)
    ]


async def test_replaced_resubmission_stays_in_readings_only(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)
    first = await _submit(client, account, headers, total=1100)
    second = await _submit(client, account, headers, total=1120)

    body = (await _history(client, account, headers)).json()

    assert [r["replaced_by_id"] for r in body["readings"]] == [None, second.json()["id"]]
    assert body["readings"][1]["id"] == first.json()["id"]
    assert [p["submission_id"] for p in body["periods"]] == [second.json()["id"]]


async def test_history_limit(client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    account, headers = await rollover_then_replacement(client, outbox, monkeypatch)

    body = (await _history(client, account, headers, limit=1)).json()

    assert len(body["readings"]) == 1
    assert len(body["periods"]) == 1
    assert len(body["meters"]) == 2


@pytest.mark.parametrize("limit", [0, 101, "many"])
async def test_history_bad_limit_is_400(client: Any, outbox: Path, limit: Any) -> None:
    account, headers = await linked_account(client, outbox)

    response = await _history(client, account, headers, limit=limit)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "limit"


async def test_empty_history(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    body = (await _history(client, account, headers)).json()

    assert body["readings"] == []
    assert body["periods"] == []
    assert len(body["meters"]) == 1


async def test_other_customer_gets_403_for_history(client: Any, outbox: Path) -> None:
    stranger = await sign_in(client, outbox, phone="+380501112233")
    account, _ = await linked_account(client, outbox)

    response = await _history(client, account, stranger)

    assert response.status_code == 403
    assert response.json()["code"] == "account_forbidden"


async def test_history_without_token_is_401(client: Any, outbox: Path) -> None:
    account, _ = await linked_account(client, outbox)

    response = await client.get(f"{MINE}/{account['id']}/readings")

    assert response.status_code == 401


async def _replace(client: Any, account: dict[str, Any], **fields: Any) -> Any:
    return await client.post(
        f"/api/v1/admin/regions/kyiv_region/accounts/{account['id']}/meters",
        json={**meter(initial={"total": 0}, days_ago=10), "serial": "NIK-2303-0002", **fields},
        headers=staff_headers(),
    )


async def test_final_readings_close_old_meter_period(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await linked_account(client, outbox, initial={"total": 99_993}, days_ago=60)
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(service, "now_utc", lambda: now - dt.timedelta(days=30))
    assert (await _submit(client, account, headers, total=11)).status_code == 201
    monkeypatch.setattr(service, "now_utc", lambda: now)

    replaced = await _replace(client, account, final_readings={"total": 30})
    fresh = await _submit(client, account, headers, total=5)

    assert replaced.status_code == 201, replaced.text
    assert fresh.status_code == 201, fresh.text
    periods = (await _history(client, account, headers)).json()["periods"]
    assert [(p["meter_serial"], p["total_kwh"]) for p in periods] == [
        ("NIK-2303-0002", 5),
        ("NIK-2303-0001", 19),
        ("NIK-2303-0001", 18),
    ]


async def test_impossible_final_readings_keep_meter(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox, initial={"total": 50_000}, days_ago=60)

    replaced = await _replace(client, account, final_readings={"total": 40_000})

    assert replaced.status_code == 422
    assert replaced.json()["code"] == "final_reading_rejected"
    assert replaced.json()["field"] == "final_readings.total"
    meters = (await _history(client, account, headers)).json()["meters"]
    assert [(m["serial"], m["removed_at"]) for m in meters] == [("NIK-2303-0001", None)]


async def test_final_readings_must_name_old_registers(client: Any, outbox: Path) -> None:
    account, _ = await linked_account(client, outbox)

    replaced = await _replace(client, account, final_readings={"day": 1, "night": 2})

    assert replaced.status_code == 422
    assert replaced.json()["field"] == "final_readings"
