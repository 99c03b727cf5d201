"""SMS intake of meter readings through the gateway webhook of the Kyiv region."""

from pathlib import Path
from typing import Any

from tests.readings.conftest import GATEWAY_SECRET, PHONE, linked_account, sent_sms

INBOUND = "/api/v1/regions/kyiv_region/sms/inbound"
GATEWAY = {"X-Sms-Gateway-Secret": GATEWAY_SECRET}


async def _sms(client: Any, text: str, sender: str = PHONE) -> Any:
    return await client.post(INBOUND, json={"from": sender, "text": text}, headers=GATEWAY)


async def test_gateway_secret_is_required(client: Any) -> None:
    response = await client.post(INBOUND, json={"from": PHONE, "text": "1234567890 1100"})

    assert response.status_code == 401
    assert response.json()["code"] == "sms_gateway_not_authenticated"


async def test_one_zone_sms_is_accepted(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox)

    response = await _sms(client, "1234567890 1100")

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "accepted"
    assert sent_sms(outbox)[-1] == {"to": PHONE, "text": response.json()["reply"]}
    assert response.json()["reply"].startswith("Покази 1100 прийнято")


async def test_two_zone_sms_sends_night_first(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox, meter_type="two_zone", initial={"day": 1000, "night": 500})

    response = await _sms(client, "1234567890 520 1040")

    assert response.json()["outcome"] == "accepted"


async def test_malformed_sms_gets_format(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox)

    response = await _sms(client, "показники 1100,5")

    assert response.json()["outcome"] == "malformed"
    assert "<особовий рахунок> <покази>" in response.json()["reply"]


async def test_unlinked_phone_is_refused(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox)

    response = await _sms(client, "1234567890 1100", sender="+380501112233")

    assert response.json()["outcome"] == "not_linked"


async def test_sms_with_wrong_zone_count_is_rejected(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox, meter_type="two_zone", initial={"day": 1, "night": 1})

    response = await _sms(client, "1234567890 1100")

    assert response.json()["outcome"] == "rejected"
    assert "<ніч> <день>" in response.json()["reply"]


async def test_region_without_sms_format_is_404(client: Any) -> None:
    response = await client.post(
        "/api/v1/regions/kyiv/sms/inbound",
        json={"from": PHONE, "text": "1234567890 1100"},
        headers=GATEWAY,
    )

    assert response.status_code == 404
