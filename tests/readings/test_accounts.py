"""Personal accounts: staff creation, customer linking and access to one's own accounts only."""

from pathlib import Path
from typing import Any

from tests.conftest import staff_headers
from tests.readings.conftest import EIC, create_account, linked_account, meter, sign_in

ADMIN = "/api/v1/admin/regions/kyiv_region/accounts"
MINE = "/api/v1/regions/kyiv_region/me/accounts"


async def test_account_needs_staff_token(client: Any) -> None:
    body = {"account_number": "1234567", "eic": EIC, "capacity_kw": 5, "meter": meter()}

    response = await client.post(ADMIN, json=body)

    assert response.status_code == 401


async def test_invalid_eic_is_rejected(client: Any) -> None:
    body = {
        "account_number": "1234567",
        "eic": "62Z000000000001C",
        "capacity_kw": 5,
        "meter": meter(),
    }

    response = await client.post(ADMIN, json=body, headers=staff_headers())

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_eic"
    assert response.json()["field"] == "eic"


async def test_account_number_checked_by_region_pattern(client: Any) -> None:
    body = {"account_number": "AB-12", "eic": EIC, "capacity_kw": 5, "meter": meter()}

    response = await client.post(ADMIN, json=body, headers=staff_headers())

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_account_number"


async def test_initial_readings_must_name_registers(client: Any) -> None:
    body = {
        "account_number": "1234567",
        "eic": EIC,
        "capacity_kw": 5,
        "meter": meter("two_zone", {"T1": 1, "T2": 2}),
    }

    response = await client.post(ADMIN, json=body, headers=staff_headers())

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_meter"


async def test_duplicate_account_is_409(client: Any) -> None:
    await create_account(client)
    body = {"account_number": "1234567890", "eic": EIC, "capacity_kw": 5, "meter": meter()}

    response = await client.post(ADMIN, json=body, headers=staff_headers())

    assert response.status_code == 409


async def test_link_with_wrong_eic_is_404(client: Any, outbox: Path) -> None:
    await create_account(client)
    headers = await sign_in(client, outbox)

    response = await client.post(
        MINE, json={"account_number": "1234567890", "eic": "62X1234567890123"}, headers=headers
    )

    assert response.status_code in (404, 422)


async def test_customer_sees_linked_account(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    listed = await client.get(MINE, headers=headers)

    assert [item["id"] for item in listed.json()] == [account["id"]]


async def test_other_customer_gets_403(client: Any, outbox: Path) -> None:
    account, _ = await linked_account(client, outbox)
    stranger = await sign_in(client, outbox, phone="+380501112233")

    response = await client.get(f"{MINE}/{account['id']}", headers=stranger)
    reading = await client.post(
        f"{MINE}/{account['id']}/readings", json={"registers": {"total": 1100}}, headers=stranger
    )

    assert response.status_code == 403
    assert reading.status_code == 403
    assert reading.json()["code"] == "account_forbidden"


async def test_region_without_account_is_404_for_others(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    response = await client.get(
        f"/api/v1/regions/kyiv/me/accounts/{account['id']}", headers=headers
    )

    assert response.status_code == 403
