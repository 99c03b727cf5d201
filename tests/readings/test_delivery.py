"""Delivery of accepted readings into each region's billing: the CSV file drop, the HTTP
endpoint and the mailbox, their retries, and the delivery state the customer sees."""

import csv
import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.app import create_app
from core.db import create_engine, session_factory
from core.errors import ConfigError
from core.jobs import JobContext
from core.readings import delivery, destinations
from core.readings.destinations import (
    CSV_COLUMNS,
    BatchContent,
    BatchReading,
    BillingDeliveryError,
    PermanentBillingError,
)
from core.readings.models import ReadingBatch, ReadingSubmission
from core.settings import load_settings
from tests.notifications.receivers import SmtpReceiver, wait_until
from tests.readings.delivery_helpers import (
    BILLING_MAILBOX,
    accounts_in,
    app_environ,
    csv_reading_ids,
    destinations_env,
    fast_jobs_env,
    mailbox_reading_ids,
    manifest,
    scalar,
    submit,
    wait_for_value,
)
from tests.readings.receivers import BillingReceiver

DELIVERED = "SELECT count(*) FROM reading_submissions WHERE delivered_at IS NOT NULL"


def _content(batch_id: int = 7, region: str = "dnipro") -> BatchContent:
    submitted = dt.datetime(2026, 1, 30, 21, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    readings = [
        BatchReading(
            reading_id=11,
            account_number="700000001",
            eic="62Z000000000001B",
            meter_serial="NIK-1",
            meter_type="one_zone",
            reading_date=dt.date(2026, 2, 1),
            submitted_at=submitted,
            confirmed=False,
            registers={"total": 1150},
        ),
        BatchReading(
            reading_id=12,
            account_number="700000002",
            eic="62Z000000000001B",
            meter_serial="NIK-2",
            meter_type="two_zone",
            reading_date=dt.date(2026, 2, 1),
            submitted_at=submitted,
            confirmed=True,
            registers={"day": 300, "night": 120},
        ),
    ]
    return BatchContent(batch_id=batch_id, region=region, created_at=submitted, readings=readings)


# The CSV file destination.


async def test_csv_batch_has_header_rows_and_manifest(
    delivery_client: Any, outbox: Path, billing_root: Path, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["dnipro"])

    answer = await submit(delivery_client, "dnipro", accounts["dnipro"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    files = sorted((billing_root / "dnipro").glob("*.csv"))
    assert [path.name for path in files] == ["readings-dnipro-00000001.csv"]
    rows = list(csv.reader(io.StringIO(files[0].read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["reading_id"] == str(answer["id"])
    assert record["account_number"] == accounts["dnipro"]["account_number"]
    assert record["total"] == "1150"
    assert record["day"] == ""


async def test_csv_manifest_names_file_rows_and_hash(
    delivery_client: Any, outbox: Path, billing_root: Path, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["donetsk"])

    await submit(delivery_client, "donetsk", accounts["donetsk"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    folder = billing_root / "donetsk"
    data = manifest(folder / "readings-donetsk-00000001.manifest.json")
    assert data["file"] == "readings-donetsk-00000001.csv"
    assert data["rows"] == 1
    assert data["sha256"] == hashlib.sha256((folder / data["file"]).read_bytes()).hexdigest()
    assert not list(folder.glob(".*"))


def test_csv_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renames: list[tuple[str, str]] = []

    def failing_replace(source: Any, target: Any) -> None:
        renames.append((str(source), str(target)))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(BillingDeliveryError) as raised:
        destinations.write_batch_file(tmp_path, _content())

    assert raised.value.reason == "storage"
    assert list(tmp_path.iterdir()) == []
    source, target = renames[0]
    assert Path(source).parent == Path(target).parent == tmp_path
    assert Path(source).name.startswith(".")


def test_csv_repeat_keeps_existing_file(tmp_path: Path) -> None:
    first = destinations.write_batch_file(tmp_path, _content())
    path = tmp_path / "readings-dnipro-00000007.csv"
    inode = path.stat().st_ino

    second = destinations.write_batch_file(tmp_path, _content())

    assert first == second == "file readings-dnipro-00000007.csv"
    assert path.stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "readings-dnipro-00000007.csv",
        "readings-dnipro-00000007.manifest.json",
    ]


def test_csv_other_content_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "readings-dnipro-00000007.csv").write_text("reading_id\n1\n", encoding="utf-8")

    with pytest.raises(PermanentBillingError):
        destinations.write_batch_file(tmp_path, _content())

    assert (tmp_path / "readings-dnipro-00000007.csv").read_text() == "reading_id\n1\n"


# The HTTP destination.


async def test_http_batch_is_json_with_idempotency_key(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa"])

    answer = await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    assert billing.post_count() == 1
    key, _ = billing.posts[0]
    assert key == "dso-readings-odesa-1"
    body = billing.kept[key]
    assert body["region"] == "odesa"
    assert body["batch_id"] == 1
    assert body["readings"][0]["reading_id"] == answer["id"]
    assert body["readings"][0]["registers"] == {"total": 1150}
    assert body["readings"][0]["eic"] == "62Z000000000001B"


@pytest.mark.parametrize("billing", [{"token": "odesa-billing-token"}], indirect=True)
@pytest.mark.parametrize(
    "extra_delivery_env", [{"DSO_REGION_ODESA_READINGS_DELIVERY_TOKEN": "odesa-billing-token"}]
)
async def test_http_sends_bearer_token(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa"])
    await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    assert billing.post_count() == 1
    assert len(billing.kept_reading_ids()) == 1


@pytest.mark.parametrize("billing", [{"token": "odesa-billing-token"}], indirect=True)
async def test_http_without_token_is_rejected(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa"])

    await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(
        database_url, "SELECT count(*) FROM reading_batches WHERE failed_at IS NOT NULL", 1
    )

    assert billing.post_count() == 1
    assert billing.kept_reading_ids() == []


@pytest.mark.parametrize("billing", [{"failures": [503, 502]}], indirect=True)
async def test_http_5xx_is_retried_with_same_key(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa"])

    await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    assert billing.post_count() == 3
    assert {key for key, _ in billing.posts} == {"dso-readings-odesa-1"}
    assert await _batch_column(database_url, "attempts") == 3


@pytest.mark.parametrize("billing", [{"always": 422}], indirect=True)
async def test_http_4xx_gives_batch_up(
    delivery_client: Any, outbox: Path, billing: BillingReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa"])

    answer = await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    await wait_for_value(
        database_url, "SELECT count(*) FROM reading_batches WHERE failed_at IS NOT NULL", 1
    )

    assert billing.post_count() == 1
    reading = await _reading(delivery_client, "odesa", accounts["odesa"], headers, answer["id"])
    assert reading["delivery"]["state"] == "failed"
    assert reading["delivery"]["last_error"] == "система білінгу відхилила покази"


# The e-mail destination.


async def test_email_batch_content_and_message_id(
    delivery_client: Any, outbox: Path, smtp: SmtpReceiver, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["kyiv"])

    answer = await submit(delivery_client, "kyiv", accounts["kyiv"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    assert smtp.count() == 1
    message = smtp.messages[0]
    assert message["To"] == BILLING_MAILBOX
    assert message["Message-ID"] == "<readings-kyiv-00000001@dso.example>"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert accounts["kyiv"]["account_number"] in body.get_content()
    assert mailbox_reading_ids(smtp) == [answer["id"]]


# Regions apart, batching and replacements.


@pytest.mark.parametrize("billing", [{"always": 503}], indirect=True)
async def test_failing_region_does_not_block_another(
    delivery_client: Any,
    outbox: Path,
    billing: BillingReceiver,
    billing_root: Path,
    database_url: str,
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["odesa", "dnipro"])

    failing = await submit(delivery_client, "odesa", accounts["odesa"], headers, 1150)
    delivered = await submit(delivery_client, "dnipro", accounts["dnipro"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)
    await wait_until(lambda: billing.post_count() >= 2)

    assert csv_reading_ids(billing_root / "dnipro") == [delivered["id"]]
    reading = await _reading(delivery_client, "odesa", accounts["odesa"], headers, failing["id"])
    assert reading["delivery"]["state"] == "retrying"
    assert reading["delivery"]["last_error"] == "система білінгу не відповіла"


async def test_delivered_reading_shows_delivered_state(
    delivery_client: Any, outbox: Path, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["dnipro"])

    answer = await submit(delivery_client, "dnipro", accounts["dnipro"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)
    reading = await _reading(delivery_client, "dnipro", accounts["dnipro"], headers, answer["id"])
    english = await _reading(
        delivery_client, "dnipro", accounts["dnipro"], headers, answer["id"], "en"
    )

    assert answer["delivery"]["state"] == "accepted"
    assert reading["delivery"]["state"] == "delivered"
    assert reading["delivery"]["delivered_at"] is not None
    assert reading["delivery"]["message"].startswith("Передано до білінгу")
    assert english["delivery"]["message"].startswith("Delivered to billing on")


async def test_history_shows_delivery_state(
    delivery_client: Any, outbox: Path, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["dnipro"])
    account = accounts["dnipro"]
    await submit(delivery_client, "dnipro", account, headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)

    response = await delivery_client.get(
        f"/api/v1/regions/dnipro/me/accounts/{account['id']}/readings",
        headers={**headers, "Accept-Language": "en"},
    )

    assert response.status_code == 200, response.text
    records = response.json()["readings"]
    assert len(records) == 1
    assert records[0]["delivery"]["state"] == "delivered"
    assert records[0]["delivery"]["message"].startswith("Delivered to billing on")


async def test_replacement_after_delivery_is_delivered_as_own_row(
    delivery_client: Any, outbox: Path, billing_root: Path, database_url: str
) -> None:
    accounts, headers = await accounts_in(delivery_client, outbox, ["dnipro"])

    first = await submit(delivery_client, "dnipro", accounts["dnipro"], headers, 1150)
    await wait_for_value(database_url, DELIVERED, 1)
    second = await submit(delivery_client, "dnipro", accounts["dnipro"], headers, 1160)
    await wait_for_value(database_url, DELIVERED, 2)

    assert csv_reading_ids(billing_root / "dnipro") == [first["id"], second["id"]]


async def test_reading_replaced_before_gathering_is_not_delivered(
    database_url: str,
    smtp: SmtpReceiver,
    billing: BillingReceiver,
    billing_root: Path,
    outbox: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        **fast_jobs_env(),
        **destinations_env(billing_root, smtp, billing),
        "DSO_READINGS_BATCH_DELAY_SECONDS": "3600",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(environ=app_environ(database_url, env))
    async with AsyncTestClient(app=create_app(settings)) as client:
        accounts, headers = await accounts_in(client, outbox, ["dnipro"])
        first = await submit(client, "dnipro", accounts["dnipro"], headers, 1150)
        second = await submit(client, "dnipro", accounts["dnipro"], headers, 1160)
        reading = await _reading(client, "dnipro", accounts["dnipro"], headers, first["id"])

    batch_id = await _collect_now(settings, "dnipro")

    assert reading["delivery"]["state"] == "replaced"
    assert await _batch_reading_ids(settings, batch_id) == [second["id"]]


# Settings.


def test_unknown_destination_kind_is_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={"DSO_REGION_ODESA_READINGS_DELIVERY_KIND": "ftp"})

    assert "kind 'ftp' is not one of email, csv, http" in str(raised.value)


def test_http_destination_needs_url() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={"DSO_REGION_ODESA_READINGS_DELIVERY_URL": "billing.local"})

    assert "needs `url`" in str(raised.value)


# Helpers.


async def _reading(
    client: Any,
    region: str,
    account: dict[str, Any],
    headers: dict[str, str],
    reading_id: int,
    language: str = "uk",
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/regions/{region}/me/accounts/{account['id']}/readings/{reading_id}",
        headers={**headers, "Accept-Language": language},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _batch_column(database_url: str, column: str) -> Any:
    return await scalar(database_url, f"SELECT {column} FROM reading_batches ORDER BY id LIMIT 1")


async def _collect_now(settings: Any, region: str) -> int | None:
    """Run the region's collect job in the test, as the worker would when it is due."""
    engine = create_engine(settings.database_url)
    try:
        context = JobContext(settings, session_factory(engine))
        return await delivery.collect_batch(context, delivery.DeliverySettings(), region)
    finally:
        await engine.dispose()


async def _batch_reading_ids(settings: Any, batch_id: int | None) -> list[int]:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            batch = await session.get(ReadingBatch, batch_id)
            assert batch is not None
            query = select(ReadingSubmission.id).where(ReadingSubmission.batch_id == batch.id)
            return list(await session.scalars(query))
    finally:
        await engine.dispose()
