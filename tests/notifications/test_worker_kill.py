"""A worker process killed with SIGKILL while it delivers notifications, then started again,
still delivers each notification once.

The worker kills itself at a crash point (core/crashpoints.py), as the kernel kills a process
out of memory: no cleanup runs, and the claim on the notification stays in the database. With
Redis, the message also stays in the dead worker's unacknowledged set until the heartbeat
timeout returns it to the queue.
"""

import asyncio
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.settings import load_settings
from tests.conftest import REDIS_URL, STAFF_TOKEN, staff_headers
from tests.notifications.conftest import (
    import_schedule,
    real_schedule,
    scalar,
    subscribe_both,
)
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver, free_port, wait_until
from tests.processes import DsoProcess, wait_killed, wait_ready

DELIVERED = "SELECT count(*) FROM notification_deliveries"
YASNO_NAME = "yasno.json"


def _worker_env(database_url: str, smtp: SmtpReceiver) -> dict[str, str]:
    """Environment of a child `dso` process: the test database, the local receivers, short
    claims and retries, and a dead worker noticed within about a second."""
    return {
        "DSO_DATABASE_URL": database_url,
        "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
        "DSO_LOG_LEVEL": "info",
        "DSO_SMTP_HOST": "127.0.0.1",
        "DSO_SMTP_PORT": str(smtp.port),
        "DSO_SMTP_FROM": "grafik@dso.example",
        "DSO_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS": "true",
        "DSO_NOTIFICATIONS_CLAIM_SECONDS": "2",
        "DSO_NOTIFICATIONS_MAX_RETRIES": "100",
        "DSO_NOTIFICATIONS_MIN_BACKOFF_SECONDS": "0.1",
        "DSO_NOTIFICATIONS_MAX_BACKOFF_SECONDS": "0.5",
        "DSO_JOBS_RELAY_POLL_SECONDS": "0.1",
        "DSO_JOBS_HEARTBEAT_SECONDS": "1",
        "DSO_JOBS_MAINTENANCE_CHANCE": "1000000",
        "DSO_INDEX_POLL_SECONDS": "0.1",
    }


async def _accept_change_in_outbox(
    database_url: str, namespace: str, webhook: WebhookReceiver
) -> None:
    """Subscribe a webhook and a mailbox to queue 36.1 and import a schedule that has it,
    in an app of the Redis setup, which writes the outbox rows and runs no jobs itself."""
    settings = load_settings(
        environ={
            "DSO_DATABASE_URL": database_url,
            "DSO_REDIS_URL": REDIS_URL,
            "DSO_JOBS_REDIS_NAMESPACE": namespace,
            "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
            "DSO_LOG_LEVEL": "warning",
        }
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe_both(client, webhook, queue="36.1")
        await import_schedule(client, real_schedule(), YASNO_NAME)


def _start_worker(env: dict[str, str], log: Path, crash_at: str | None) -> DsoProcess:
    extra = {"DSO_CRASH_AT": crash_at} if crash_at else {}
    return DsoProcess(["worker", "--threads", "2"], {**env, **extra}, log)


@pytest.mark.parametrize("crash_at", ["notification.before_send", "notification.after_send"])
async def test_killed_redis_worker_delivers_once(
    database_url: str,
    redis_namespace: str,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash_at: str,
) -> None:
    env = {
        **_worker_env(database_url, smtp),
        "DSO_REDIS_URL": REDIS_URL,
        "DSO_JOBS_REDIS_NAMESPACE": redis_namespace,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    await _accept_change_in_outbox(database_url, redis_namespace, webhook)

    first = _start_worker(env, tmp_path / "worker-1.log", crash_at)
    await wait_killed(first, crash_at)
    sent_before_restart = webhook.count() + smtp.count()
    assert await scalar(database_url, DELIVERED) == 0

    second = _start_worker(env, tmp_path / "worker-2.log", None)
    try:
        await wait_until(lambda: webhook.count() >= 1 and smtp.count() >= 1, timeout=60)
        await _wait_recorded(database_url, 2)
        # Long enough for a wrongly repeated message to come back from Redis.
        await asyncio.sleep(2.5)
    finally:
        assert second.stop() == 0, second.output()

    _assert_once_per_receiver(webhook, smtp, crash_at, sent_before_restart)
    assert await scalar(database_url, DELIVERED) == 2


async def test_killed_embedded_server_delivers_once(
    database_url: str,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The embedded default: `dso serve` runs the jobs itself, so the server process is killed."""
    env = {**_worker_env(database_url, smtp), "DSO_JOBS_RELAY_POLL_SECONDS": "1"}
    monkeypatch.delenv("DSO_REDIS_URL", raising=False)
    port = free_port()
    serve = ["serve", "--server", "uvicorn", "--workers", "1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"

    first = DsoProcess(
        serve, {**env, "DSO_CRASH_AT": "notification.before_send"}, tmp_path / "serve-1.log"
    )
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await wait_ready(client, first)
            await subscribe_both(client, webhook, queue="36.1")
            response = await client.post(
                "/api/v1/admin/regions/kyiv/schedules",
                content=real_schedule(),
                params={"filename": YASNO_NAME},
                headers=staff_headers(),
            )
            assert response.status_code == 200, response.text
        await wait_killed(first, "notification.before_send")
    finally:
        first.kill()
    assert webhook.count() == 0
    assert smtp.count() == 0

    second = DsoProcess(serve, env, tmp_path / "serve-2.log")
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await wait_ready(client, second)
        await wait_until(lambda: webhook.count() >= 1 and smtp.count() >= 1, timeout=60)
        await _wait_recorded(database_url, 2)
        await asyncio.sleep(2.5)
    finally:
        second.stop()

    _assert_once_per_receiver(webhook, smtp, "notification.before_send", 0)
    assert await scalar(database_url, DELIVERED) == 2


async def _wait_recorded(database_url: str, count: int) -> None:
    for _ in range(300):
        if await scalar(database_url, DELIVERED) == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} delivery records were not written within 30 s")


def _assert_once_per_receiver(
    webhook: WebhookReceiver, smtp: SmtpReceiver, crash_at: str, sent_before_restart: int
) -> None:
    """Before the send nothing went out, so each receiver got exactly one message. After the
    send the receivers got it, the record did not commit, and the new worker sent it again with
    the same Idempotency-Key and Message-ID: one distinct notification per receiver."""
    keys = {request.headers["idempotency-key"] for request in webhook.requests}
    message_ids = {message["Message-ID"] for message in smtp.messages}
    assert len(keys) == 1
    assert len(message_ids) == 1
    if crash_at == "notification.before_send":
        assert sent_before_restart == 0
        assert webhook.count() == 1
        assert smtp.count() == 1
    else:
        assert sent_before_restart >= 1
        assert webhook.count() <= 2
        assert smtp.count() <= 2
