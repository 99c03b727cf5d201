"""Fixtures of the notification tests: local receivers, fast retries and an app that uses them."""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from core.app import create_app
from core.db import create_engine
from core.settings import Settings
from tests.conftest import shared_file, staff_headers
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver

YASNO = "yasno/yasno_planned-outages_kyiv_r25_dso902_2026-01-29.json"
SECRET = "test-webhook-secret-0123456789"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def notify_env(monkeypatch: pytest.MonkeyPatch, smtp: SmtpReceiver) -> None:
    """Point e-mail at the local SMTP server, allow 127.0.0.1 webhooks and retry within 0.5 s."""
    monkeypatch.setenv("DSO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DSO_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("DSO_SMTP_FROM", "grafik@dso.example")
    monkeypatch.setenv("DSO_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS", "true")
    monkeypatch.setenv("DSO_NOTIFICATIONS_MIN_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("DSO_NOTIFICATIONS_MAX_BACKOFF_SECONDS", "0.3")
    monkeypatch.setenv("DSO_JOBS_RELAY_POLL_SECONDS", "0.05")


@pytest.fixture
async def notify_client(
    settings: Settings, notify_env: None
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


async def subscribe(client: Any, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/regions/kyiv/subscriptions", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def subscribe_both(client: Any, webhook: WebhookReceiver, **target: Any) -> None:
    """Subscribe the local webhook and a mailbox of the local SMTP server to one target."""
    await subscribe(client, channel="webhook", url=webhook.url, secret=SECRET, **target)
    await subscribe(client, channel="email", address="abonent@example.com", **target)


async def import_schedule(client: Any, content: bytes, name: str = "yasno.json") -> dict[str, Any]:
    response = await client.post(
        "/api/v1/admin/regions/kyiv/schedules",
        content=content,
        params={"filename": name},
        headers=staff_headers(),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def real_schedule() -> bytes:
    return shared_file(YASNO).read_bytes()


def with_queue_36_1_changed(content: bytes) -> bytes:
    """Move the start of queue 36.1's first outage on 2026-01-29 from 06:30 to 07:30."""
    document = json.loads(content)
    slots = document["36.1"]["today"]["slots"]
    assert slots[0] == {"start": 0, "end": 390, "type": "NotPlanned"}
    slots[0]["end"] = 450
    slots[1]["start"] = 450
    return json.dumps(document).encode()


async def scalar(database_url: str, sql: str) -> Any:
    """Run one SELECT with a separate engine and return its first column of the first row."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def execute(database_url: str, sql: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()
