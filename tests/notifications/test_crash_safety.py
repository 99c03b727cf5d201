"""A crash between accepting a schedule change and sending its notifications loses nothing and
sends nothing twice. The embedded worker is stopped at each point of the pipeline, then the app
starts again."""

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.db import create_engine, session_factory
from core.jobs import JobRunner, build_broker
from core.settings import Settings, load_settings
from tests.conftest import REDIS_URL, STAFF_TOKEN
from tests.notifications.conftest import (
    execute,
    import_schedule,
    real_schedule,
    scalar,
    subscribe_both,
)
from tests.notifications.receivers import SmtpReceiver, WebhookReceiver, wait_until

UNRELAYED = "SELECT count(*) FROM outbox_messages WHERE relayed_at IS NULL"


async def _accept_change_without_relay(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, webhook: WebhookReceiver
) -> None:
    """Subscribe and import in an app whose relay sleeps for an hour after its first look,
    then stop that app: the change and its outbox rows are committed, nothing was sent."""
    monkeypatch.setenv("DSO_JOBS_RELAY_POLL_SECONDS", "3600")
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe_both(client, webhook, queue="36.1")
        await import_schedule(client, real_schedule())
    monkeypatch.setenv("DSO_JOBS_RELAY_POLL_SECONDS", "0.05")
    assert await scalar(settings.database_url, UNRELAYED) == 2


async def _restart_and_expect_one_each(
    settings: Settings, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    async with AsyncTestClient(app=create_app(settings)):
        await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)
        await asyncio.sleep(0.5)
    assert webhook.count() == 1
    assert smtp.count() == 1


async def test_stop_before_relay_delivers_after_restart(
    settings: Settings,
    notify_env: None,
    monkeypatch: pytest.MonkeyPatch,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    await _accept_change_without_relay(settings, monkeypatch, webhook)
    assert webhook.count() == 0
    assert smtp.count() == 0

    await _restart_and_expect_one_each(settings, webhook, smtp)


async def test_stop_after_relay_before_send_delivers(
    settings: Settings,
    notify_env: None,
    monkeypatch: pytest.MonkeyPatch,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    await _accept_change_without_relay(settings, monkeypatch, webhook)

    # The relay hands the rows to the in-memory broker, and the process dies before its worker
    # takes them: the messages are gone, the rows say "relayed".
    engine = create_engine(settings.database_url)
    runner = JobRunner(settings, session_factory(engine))
    assert await runner.relay.relay_once() == 2
    await runner.stop()
    await engine.dispose()
    assert await scalar(settings.database_url, UNRELAYED) == 0
    assert webhook.count() == 0

    await _restart_and_expect_one_each(settings, webhook, smtp)


async def test_stop_after_send_before_finish_sends_once(
    settings: Settings,
    notify_env: None,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe_both(client, webhook, queue="36.1")
        await import_schedule(client, real_schedule())
        await wait_until(lambda: webhook.count() == 1 and smtp.count() == 1)
        await asyncio.sleep(0.3)

    # The notifications went out, but the process died before their outbox rows were finished.
    await execute(
        settings.database_url,
        "UPDATE outbox_messages SET finished_at = NULL, outcome = NULL",
    )
    await _restart_and_expect_one_each(settings, webhook, smtp)
    finished = "SELECT count(*) FROM outbox_messages WHERE outcome = 'done'"
    assert await scalar(settings.database_url, finished) == 2


async def test_redis_worker_delivers_once_across_restart(
    database_url: str,
    notify_env: None,
    redis_namespace: str,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    settings = load_settings(
        environ={
            "DSO_DATABASE_URL": database_url,
            "DSO_REDIS_URL": REDIS_URL,
            "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
            "DSO_LOG_LEVEL": "warning",
        }
    )
    # With Redis the app runs no jobs; the change waits in the outbox for `dso worker`.
    async with AsyncTestClient(app=create_app(settings)) as client:
        await subscribe_both(client, webhook, queue="36.1")
        await import_schedule(client, real_schedule())
        await asyncio.sleep(0.3)
    assert webhook.count() == 0
    assert await scalar(database_url, UNRELAYED) == 2

    for _ in range(2):
        await _run_redis_worker(settings, redis_namespace, webhook, smtp)
    assert webhook.count() == 1
    assert smtp.count() == 1


async def _run_redis_worker(
    settings: Settings, namespace: str, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> Any:
    """Run what `dso worker` runs, with a Redis broker of its own namespace, until both arrived."""
    engine = create_engine(settings.database_url)
    runner = JobRunner(
        settings, session_factory(engine), broker=build_broker(settings, namespace=namespace)
    )
    assert not runner.embedded
    await runner.start()
    try:
        await wait_until(lambda: webhook.count() >= 1 and smtp.count() >= 1)
        await asyncio.sleep(0.5)
    finally:
        await runner.stop()
        await engine.dispose()
