"""The SMS a customer gets after a reading is accepted: sent through the outbox, once."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import delete, func, select

from core.app import create_app
from core.db import create_engine, session_factory
from core.jobs import JobContext, OutboxMessage
from core.readings import notices
from core.readings.models import ReadingNotice
from core.settings import Settings
from tests.conftest import database_session
from tests.readings.conftest import GATEWAY_SECRET, PHONE, linked_account, sent_sms

MINE = "/api/v1/regions/kyiv_region/me/accounts"
UK_START = "Покази особового рахунку 1234567890 прийнято на"


async def _submit(
    client: Any, account: dict[str, Any], headers: dict[str, str], **body: Any
) -> Any:
    return await client.post(f"{MINE}/{account['id']}/readings", json=body, headers=headers)


async def acceptance_sms(outbox: Path, count: int = 1) -> list[dict[str, str]]:
    """Wait up to 15 s for `count` acceptance messages in the outbox and return them."""
    for _ in range(150):
        found = [m for m in sent_sms(outbox) if "1234567890" in m["text"]]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} acceptance SMS expected in {outbox}, found {sent_sms(outbox)}")


async def jobs_enqueued(client: Any) -> int:
    async with database_session(client) as session:
        count = await session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.actor_name == notices.ACCEPTANCE_SMS_JOB
            )
        )
    return count or 0


async def run_job(settings: Settings, submission_id: int, locale: str = "uk") -> None:
    """Run the job function once, as a worker would, with its own engine."""
    engine = create_engine(settings.database_url)
    try:
        context = JobContext(settings, session_factory(engine))
        await notices.send_acceptance_sms(context, submission_id, locale)
    finally:
        await engine.dispose()


async def test_accepted_reading_sends_sms_in_ukrainian(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    accepted = await _submit(client, account, headers, registers={"total": 1100})

    assert accepted.status_code == 201, accepted.text
    [message] = await acceptance_sms(outbox)
    assert message["to"] == PHONE
    assert message["text"].startswith(UK_START)
    assert "загальний 1100" in message["text"]
    assert message["text"].endswith("Споживання: 100 кВт·год.")


async def test_acceptance_sms_in_english(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    await client.post(
        f"{MINE}/{account['id']}/readings",
        json={"registers": {"total": 1100}},
        headers={**headers, "Accept-Language": "en"},
    )

    [message] = await acceptance_sms(outbox)
    assert message["text"].startswith("Readings of personal account 1234567890 are accepted for")
    assert "total register 1100" in message["text"]


async def test_two_zone_sms_names_zones(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(
        client, outbox, meter_type="two_zone", initial={"day": 1000, "night": 500}
    )

    await _submit(client, account, headers, registers={"day": 1120, "night": 540})

    [message] = await acceptance_sms(outbox)
    assert "день 1120, ніч 540" in message["text"]
    assert "Споживання: 160 кВт·год." in message["text"]


async def test_rejected_reading_enqueues_no_sms(client: Any, outbox: Path) -> None:
    account, headers = await linked_account(client, outbox)

    rejected = await _submit(client, account, headers, registers={"total": 900})

    assert rejected.status_code == 422
    assert await jobs_enqueued(client) == 0


async def test_sms_reading_gets_only_the_reply(client: Any, outbox: Path) -> None:
    await linked_account(client, outbox)

    reply = await client.post(
        "/api/v1/regions/kyiv_region/sms/inbound",
        json={"from": PHONE, "text": "1234567890 1100"},
        headers={"x-sms-gateway-secret": GATEWAY_SECRET},
    )

    assert reply.json()["outcome"] == "accepted"
    assert await jobs_enqueued(client) == 0


@pytest.fixture
async def quiet_client(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client whose outbox relay waits 60 s between polls, so the test runs the job itself."""
    monkeypatch.setenv("DSO_JOBS_RELAY_POLL_SECONDS", "60")
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


def acceptance_texts(outbox: Path) -> list[str]:
    return [m["text"] for m in sent_sms(outbox) if "1234567890" in m["text"]]


async def test_job_run_again_sends_nothing_twice(
    quiet_client: Any, outbox: Path, settings: Settings
) -> None:
    account, headers = await linked_account(quiet_client, outbox)
    accepted = await _submit(quiet_client, account, headers, registers={"total": 1100})

    await run_job(settings, accepted.json()["id"])
    await run_job(settings, accepted.json()["id"])

    assert len(acceptance_texts(outbox)) == 1


async def test_job_crash_before_commit_sends_once(
    quiet_client: Any, outbox: Path, settings: Settings
) -> None:
    account, headers = await linked_account(quiet_client, outbox)
    accepted = await _submit(quiet_client, account, headers, registers={"total": 1100})
    await run_job(settings, accepted.json()["id"])
    # As if the first run wrote the message and died before recording it.
    async with database_session(quiet_client) as session, session.begin():
        await session.execute(delete(ReadingNotice))

    await run_job(settings, accepted.json()["id"])

    assert len(acceptance_texts(outbox)) == 1
    async with database_session(quiet_client) as session:
        assert await session.get(ReadingNotice, accepted.json()["id"]) is not None


async def test_replaced_reading_gets_no_sms_of_its_own(
    quiet_client: Any, outbox: Path, settings: Settings
) -> None:
    account, headers = await linked_account(quiet_client, outbox)
    first = await _submit(quiet_client, account, headers, registers={"total": 1100})
    second = await _submit(quiet_client, account, headers, registers={"total": 1120})

    await run_job(settings, first.json()["id"])
    await run_job(settings, second.json()["id"])

    texts = acceptance_texts(outbox)
    assert len(texts) == 1
    assert "загальний 1120" in texts[0]


async def test_rejected_reading_job_sends_nothing(
    quiet_client: Any, outbox: Path, settings: Settings
) -> None:
    account, headers = await linked_account(quiet_client, outbox)
    rejected = await _submit(quiet_client, account, headers, registers={"total": 900})

    await run_job(settings, rejected.json()["submission_id"])

    assert acceptance_texts(outbox) == []
