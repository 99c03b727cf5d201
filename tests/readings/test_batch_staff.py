"""Back-office staff list reading batches and send a failed one to billing again."""

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import staff_headers
from tests.readings.delivery_helpers import accounts_in, submit, wait_for_value
from tests.readings.receivers import BillingReceiver

BATCHES = "/api/v1/admin/regions/odesa/readings/batches"
FAILED = "SELECT count(*) FROM reading_batches WHERE failed_at IS NOT NULL"
DELIVERED = "SELECT count(*) FROM reading_batches WHERE delivered_at IS NOT NULL"


async def _failed_batch(client: Any, outbox: Path, database_url: str) -> dict[str, Any]:
    """Submit one Odesa reading that billing rejects, and return the given-up batch."""
    accounts, headers = await accounts_in(client, outbox, ["odesa"])
    await submit(client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(database_url, FAILED, 1)

    listed = await client.get(BATCHES, params={"state": "failed"}, headers=staff_headers())
    assert listed.status_code == 200, listed.text
    batches: list[dict[str, Any]] = listed.json()
    assert len(batches) == 1
    return batches[0]


@pytest.mark.parametrize("billing", [{"always": 422}], indirect=True)
async def test_failed_batch_is_sent_again(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    batch = await _failed_batch(delivery_client, outbox, database_url)
    assert batch["state"] == "failed"
    assert batch["kind"] == "http"
    assert batch["reading_count"] == 1
    assert "422" in batch["last_error"]

    # Billing fixed whatever made it reject the batch.
    billing.always = None
    response = await delivery_client.post(
        f"{BATCHES}/{batch['id']}/redelivery", headers=staff_headers()
    )

    assert response.status_code == 202, response.text
    assert response.json()["state"] == "waiting"
    await wait_for_value(database_url, DELIVERED, 1)
    delivered = (
        await delivery_client.get(BATCHES, params={"state": "delivered"}, headers=staff_headers())
    ).json()
    assert [item["id"] for item in delivered] == [batch["id"]]
    assert delivered[0]["response"] == "HTTP 201"
    assert len(billing.kept_reading_ids()) == 1


@pytest.mark.parametrize("billing", [{"always": 422}], indirect=True)
async def test_delivered_batch_is_not_sent_again(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    batch = await _failed_batch(delivery_client, outbox, database_url)
    billing.always = None
    await delivery_client.post(f"{BATCHES}/{batch['id']}/redelivery", headers=staff_headers())
    await wait_for_value(database_url, DELIVERED, 1)

    again = await delivery_client.post(
        f"{BATCHES}/{batch['id']}/redelivery", headers={**staff_headers(), "Accept-Language": "en"}
    )

    assert again.status_code == 409
    assert again.json()["code"] == "batch_not_failed"
    assert "'delivered'" in again.json()["detail"]
    assert billing.post_count() == 2


async def test_batch_routes_reject_bad_requests(delivery_client: Any) -> None:
    unknown = await delivery_client.post(f"{BATCHES}/999/redelivery", headers=staff_headers())
    bad_state = await delivery_client.get(
        BATCHES, params={"state": "lost"}, headers=staff_headers()
    )
    without_token = await delivery_client.get(BATCHES)

    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Регіон 'odesa' не має пакета показів 999."
    assert bad_state.status_code == 400
    assert bad_state.json()["code"] == "unknown_batch_state"
    assert "lost" in bad_state.json()["detail"]
    assert without_token.status_code in (401, 403)
