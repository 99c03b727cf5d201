"""Meter reading submissions through the API: outcomes, rollover, replacement and history."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.readings import service
from core.readings.models import ReadingSubmission
from tests.conftest import database_session, staff_headers
from tests.readings.conftest import linked_account, meter

MINE = "/api/v1/regions/kyiv_region/me/accounts"


async def _submit(
    client: Any, account: dict[str, Any], headers: dict[str, str], **body: Any
) -> Any:
    return await client.post(f"{MINE}/{account['id']}/readings", json=body, headers=headers)


async def _stored(client: Any) -> list[ReadingSubmission]:
    async with database_session(client) as session:
        return list(await session.scalars(select(ReadingSubmission).order_by(ReadingSubmission.id)))


async def test_rollover_reading_is_accepted(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox, initial={"total": 99_993}, digits=5)

    response = await _submit(client, account, headers, registers={"total": 11})

    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "accepted"
    assert response.json()["consumption"] == {"total": 18}


async def test_new_meter_counts_from_initial_reading(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox, initial={"total": 54_321}, days_ago=60)
    replaced = await client.post(
        f"/api/v1/admin/regions/kyiv_region/accounts/{account['id']}/meters",
        json=meter(initial={"total": 0}, days_ago=1),
        headers=staff_headers(),
    )
    assert replaced.status_code == 201, replaced.text

    response = await _submit(client, account, headers, registers={"total": 150})

    assert response.status_code == 201, response.text
    assert response.json()["consumption"] == {"total": 150}


async def test_tariff_labels_rejected_and_stored(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(
        client, outbox, meter_type="two_zone", initial={"day": 100, "night": 50}
    )

    response = await _submit(client, account, headers, registers={"T1": 200, "T2": 80})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "register_label"
    assert body["outcome"] == "rejected"
    assert "day" in body["recommendation"]
    stored = await _stored(client)
    assert [(s.outcome, s.reason, s.raw_registers) for s in stored] == [
        ("rejected", "register_label", {"T1": 200, "T2": 80})
    ]


async def test_rejection_detail_in_english(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    response = await client.post(
        f"{MINE}/{account['id']}/readings",
        json={"registers": {"total": 12.5}},
        headers={**headers, "Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("The value of register 'total' is not a whole")


@pytest.mark.parametrize(
    "registers",
    [{"total": -5}, {"total": 10.5}, {}, {"total": 1100, "night": 3}, {"total": "1100"}],
)
async def test_bad_registers_are_4xx(client: Any, outbox: Path, registers: dict[str, Any]) -> None:
    account, headers = await linked_account(client, outbox)

    response = await _submit(client, account, headers, registers=registers)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_extra_field_and_bad_json_are_400(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    extra = await _submit(client, account, headers, registers={"total": 1100}, note="x")
    broken = await client.post(
        f"{MINE}/{account['id']}/readings",
        content=b'{"registers": {"total": 1',
        headers={**headers, "Content-Type": "application/json"},
    )

    assert extra.status_code == 400
    assert broken.status_code == 400
    assert broken.headers["content-type"].startswith("application/problem+json")


async def test_resubmission_replaces_earlier(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    first = await _submit(client, account, headers, registers={"total": 1100})
    second = await _submit(client, account, headers, registers={"total": 1120})

    assert first.status_code == second.status_code == 201
    stored = await _stored(client)
    assert [s.replaced_by_id for s in stored] == [stored[1].id, None]
    assert second.json()["consumption"] == {"total": 120}


async def test_far_consumption_needs_confirmation(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await linked_account(client, outbox, days_ago=0)
    start = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(service, "now_utc", lambda: start + dt.timedelta(days=20))
    usual = await _submit(client, account, headers, registers={"total": 1300})
    assert usual.status_code == 201, usual.text

    monkeypatch.setattr(service, "now_utc", lambda: start + dt.timedelta(days=45))
    far = await _submit(client, account, headers, registers={"total": 4300})
    confirmed = await _submit(client, account, headers, registers={"total": 4300}, confirm=True)

    assert far.status_code == 200
    assert far.json()["outcome"] == "needs_confirmation"
    assert far.json()["confirm"] == ["total"]
    assert confirmed.status_code == 201
    assert confirmed.json()["outcome"] == "accepted"
