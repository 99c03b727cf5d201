"""Schedule changes reach subscribers once each, through the outbox, dramatiq and local receivers."""

import asyncio
import hashlib
import hmac
import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.settings import Settings
from tests.notifications.conftest import (
    SECRET,
    import_schedule,
    real_schedule,
    scalar,
    subscribe,
    subscribe_both,
    with_queue_36_1_changed,
)
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver, wait_until

REMOVED_06_30 = {
    "start": "2026-01-29T06:30:00+02:00",
    "end": "2026-01-29T13:30:00+02:00",
    "state": "off",
}
ADDED_07_30 = {
    "start": "2026-01-29T07:30:00+02:00",
    "end": "2026-01-29T13:30:00+02:00",
    "state": "off",
}


async def test_same_file_twice_notifies_once(
    notify_client: Any, webhook: WebhookReceiver, smtp: SmtpReceiver, settings: Settings
) -> None:
    await subscribe_both(notify_client, webhook, queue="36.1")
    content = real_schedule()
    await import_schedule(notify_client, content)
    await import_schedule(notify_client, content)

    await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)
    await asyncio.sleep(0.5)
    assert webhook.count() == 1
    assert smtp.count() == 1
    assert await scalar(settings.database_url, "SELECT count(*) FROM notifications") == 2
    assert await scalar(settings.database_url, "SELECT count(*) FROM notification_deliveries") == 2


async def test_changed_file_notifies_exact_change(
    notify_client: Any, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    await subscribe_both(notify_client, webhook, queue="36.1")
    content = real_schedule()
    await import_schedule(notify_client, content)
    await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)

    await import_schedule(notify_client, with_queue_36_1_changed(content), "changed.json")
    await wait_until(lambda: webhook.count() == 2 and smtp.count() == 2)

    body = json.loads(webhook.requests[1].body)
    assert [(d["queue"], d["date"]) for d in body["days"]] == [("36.1", "2026-01-29")]
    day = body["days"][0]
    assert day["removed"] == [REMOVED_06_30]
    assert day["added"] == [ADDED_07_30]
    assert day["hours_off_before"] == 14.0
    assert day["hours_off"] == 13.0


async def test_first_import_notifies_every_day_of_queue(
    notify_client: Any, webhook: WebhookReceiver
) -> None:
    await subscribe(notify_client, channel="webhook", url=webhook.url, secret=SECRET, queue="36.1")
    await import_schedule(notify_client, real_schedule())
    await wait_until(lambda: webhook.count() == 1)

    body = json.loads(webhook.requests[0].body)
    assert body["event"] == "schedule.changed"
    assert body["queue"] == "36.1"
    assert {d["queue"] for d in body["days"]} == {"36.1"}
    assert all(d["status_before"] is None for d in body["days"])


async def test_other_queue_change_sends_nothing(
    notify_client: Any, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    await subscribe_both(notify_client, webhook, queue="1.1")
    content = real_schedule()
    await import_schedule(notify_client, content)
    await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)

    await import_schedule(notify_client, with_queue_36_1_changed(content), "changed.json")
    await asyncio.sleep(0.5)
    assert webhook.count() == 1
    assert smtp.count() == 1


async def test_webhook_signature_and_idempotency_key(
    notify_client: Any, webhook: WebhookReceiver
) -> None:
    await subscribe(notify_client, channel="webhook", url=webhook.url, secret=SECRET, queue="36.1")
    await import_schedule(notify_client, real_schedule())
    await wait_until(lambda: webhook.count() == 1)

    request = webhook.requests[0]
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-dso-signature"] == f"sha256={expected}"
    assert request.headers["content-type"] == "application/json"
    notification_id = json.loads(request.body)["notification_id"]
    assert request.headers["idempotency-key"] == str(notification_id)


async def test_email_is_in_ukrainian(
    notify_client: Any, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    await subscribe(notify_client, channel="email", address="abonent@example.com", queue="36.1")
    content = real_schedule()
    await import_schedule(notify_client, content)
    await import_schedule(notify_client, with_queue_36_1_changed(content), "changed.json")
    await wait_until(lambda: smtp.count() == 2)

    message = smtp.messages[1]
    text = message.get_content()
    assert message["Subject"] == "Графік відключень змінився: черга 36.1"
    assert message["To"] == "abonent@example.com"
    assert message["From"] == "grafik@dso.example"
    assert "29.01.2026, черга 36.1: без світла 13 год (до зміни: 14 год)." in text
    assert "Додано відключення: 07:30–13:30" in text
    assert "Скасовано відключення: 06:30–13:30" in text
    assert "Увесь час київський." in text


async def test_email_in_english_on_request(notify_client: Any, smtp: SmtpReceiver) -> None:
    await subscribe(
        notify_client,
        channel="email",
        address="subscriber@example.com",
        queue="36.1",
        language="en",
    )
    content = real_schedule()
    await import_schedule(notify_client, content)
    await import_schedule(notify_client, with_queue_36_1_changed(content), "changed.json")
    await wait_until(lambda: smtp.count() == 2)

    message = smtp.messages[1]
    assert message["Subject"] == "Outage schedule changed: queue 36.1"
    assert "Outages added: 07:30–13:30" in message.get_content()


async def test_failing_webhook_retried_email_unblocked(
    settings: Settings, notify_env: None, smtp: SmtpReceiver
) -> None:
    failing = WebhookReceiver(failures=2)
    failing.start()
    try:
        async with AsyncTestClient(app=create_app(settings)) as client:
            await subscribe_both(client, failing, queue="36.1")
            await import_schedule(client, real_schedule())
            await wait_until(lambda: smtp.count() == 1)
            await wait_until(lambda: failing.count() == 3)
            await asyncio.sleep(0.5)
    finally:
        failing.stop()

    assert failing.count() == 3
    keys = {request.headers["idempotency-key"] for request in failing.requests}
    assert len(keys) == 1
    assert smtp.count() == 1
    delivered = "SELECT count(*) FROM notification_deliveries WHERE channel = 'webhook'"
    assert await scalar(settings.database_url, delivered) == 1
    attempts = "SELECT attempts FROM notification_deliveries WHERE channel = 'webhook'"
    assert await scalar(settings.database_url, attempts) == 3


async def test_restart_sends_nothing(
    settings: Settings, notify_env: None, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe_both(client, webhook, queue="36.1")
        await import_schedule(client, real_schedule())
        await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)

    async with AsyncTestClient(app=create_app(settings)):
        await asyncio.sleep(0.5)
    assert webhook.count() == 1
    assert smtp.count() == 1


async def test_building_subscription_follows_its_queue(
    notify_client: Any, webhook: WebhookReceiver, cli_env: None
) -> None:
    building_id = await _building_71z(notify_client)
    await subscribe(
        notify_client, channel="webhook", url=webhook.url, secret=SECRET, building_id=building_id
    )
    content = real_schedule()
    await import_schedule(notify_client, content)
    await import_schedule(notify_client, with_queue_36_1_changed(content), "changed.json")
    await wait_until(lambda: webhook.count() == 2)

    body = json.loads(webhook.requests[1].body)
    assert body["building_id"] == building_id
    assert body["address"] == "вул. Здановської Юлії 71/З"
    assert [d["added"] for d in body["days"]] == [[ADDED_07_30]]


async def _building_71z(client: Any) -> int:
    from tests.api.test_lookup import HOUSES, STREET, _import_addresses
    from tests.conftest import shared_file

    await _import_addresses(client, "--street", STREET, str(shared_file(HOUSES)))
    response = await client.get(
        "/api/v1/regions/kyiv/outages", params={"street": STREET, "house": "71/З"}
    )
    assert response.status_code == 200, response.text
    building_id: int = response.json()["address"]["building_id"]
    return building_id


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DSO_LOG_LEVEL", "warning")


async def test_deleted_subscription_gets_nothing(
    notify_client: Any, webhook: WebhookReceiver, settings: Settings
) -> None:
    created = await subscribe(
        notify_client, channel="webhook", url=webhook.url, secret=SECRET, queue="36.1"
    )
    response = await notify_client.delete(
        f"/api/v1/regions/kyiv/subscriptions/{created['id']}",
        params={"token": created["unsubscribe_token"]},
    )
    assert response.status_code == 204
    await import_schedule(notify_client, real_schedule())
    await asyncio.sleep(0.5)
    assert webhook.count() == 0
    assert await scalar(settings.database_url, "SELECT count(*) FROM notifications") == 0


async def test_failed_import_writes_no_outbox_rows(notify_client: Any, settings: Settings) -> None:
    await subscribe(notify_client, channel="email", address="abonent@example.com", queue="36.1")
    response = await notify_client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=b'{"36.1": {"today": "broken"}}',
        params={"filename": "broken.json"},
        headers={"Authorization": "Bearer test-staff-token"},
    )
    assert response.status_code >= 400
    assert await scalar(settings.database_url, "SELECT count(*) FROM outbox_messages") == 0


async def test_outbox_row_is_finished_after_delivery(
    notify_client: Any, webhook: WebhookReceiver, settings: Settings
) -> None:
    await subscribe(notify_client, channel="webhook", url=webhook.url, secret=SECRET, queue="36.1")
    await import_schedule(notify_client, real_schedule())
    await wait_until(lambda: webhook.count() == 1)

    finished = "SELECT count(*) FROM outbox_messages WHERE outcome = 'done'"
    for _ in range(100):
        if await scalar(settings.database_url, finished) == 1:
            break
        await asyncio.sleep(0.05)
    assert await scalar(settings.database_url, finished) == 1
