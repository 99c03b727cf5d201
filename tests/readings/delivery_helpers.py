"""Shared steps of the reading delivery tests: the destinations' environment, accounts in
several regions and readings submitted through the API."""

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.db import create_engine
from tests.conftest import STAFF_TOKEN
from tests.notifications.receivers import SmtpReceiver
from tests.readings.conftest import EIC, create_account, sign_in
from tests.readings.receivers import BillingReceiver

# The destination kind of each bundled region, as config/regions/ sets it.
CSV_REGIONS = ("dnipro", "donetsk", "kyiv_region")
BILLING_MAILBOX = "billing@kyiv.dso.example"
SENDER = "readings@dso.example"


def destinations_env(root: Path, smtp: SmtpReceiver, billing: BillingReceiver) -> dict[str, str]:
    """Point each region's destination at a local receiver or a folder under `root`."""
    env = {
        "DSO_SMTP_HOST": "127.0.0.1",
        "DSO_SMTP_PORT": str(smtp.port),
        "DSO_SMTP_FROM": SENDER,
        "DSO_REGION_KYIV_READINGS_DELIVERY_EMAIL_TO": BILLING_MAILBOX,
        "DSO_REGION_ODESA_READINGS_DELIVERY_URL": billing.url,
    }
    for region in CSV_REGIONS:
        variable = f"DSO_REGION_{region.upper()}_READINGS_DELIVERY_DIRECTORY"
        env[variable] = str(root / region)
    return env


def fast_jobs_env() -> dict[str, str]:
    """No batch delay, short claims and retries within a second."""
    return {
        "DSO_READINGS_BATCH_DELAY_SECONDS": "0",
        "DSO_READINGS_CLAIM_SECONDS": "1",
        "DSO_READINGS_MAX_RETRIES": "100",
        "DSO_READINGS_MIN_BACKOFF_SECONDS": "0.05",
        "DSO_READINGS_MAX_BACKOFF_SECONDS": "0.3",
        "DSO_JOBS_RELAY_POLL_SECONDS": "0.05",
        "DSO_INDEX_POLL_SECONDS": "0.1",
    }


def app_environ(database_url: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        "DSO_DATABASE_URL": database_url,
        "DSO_SECURITY_STAFF_TOKEN": STAFF_TOKEN,
        "DSO_LOG_LEVEL": "warning",
        "DSO_INDEX_POLL_SECONDS": "0.1",
        **extra,
    }


async def accounts_in(
    client: Any, outbox: Path, regions: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Create one account per region, sign one customer in and link them all to that phone."""
    accounts = {
        region: await create_account(client, region, number=f"70000{index:04d}")
        for index, region in enumerate(regions)
    }
    headers = await sign_in(client, outbox)
    for region, account in accounts.items():
        linked = await client.post(
            f"/api/v1/regions/{region}/me/accounts",
            json={"account_number": account["account_number"], "eic": EIC},
            headers=headers,
        )
        assert linked.status_code == 201, linked.text
    return accounts, headers


async def submit(
    client: Any, region: str, account: dict[str, Any], headers: dict[str, str], total: int
) -> dict[str, Any]:
    """Submit a one-zone reading that the rules accept; return the answer's body."""
    response = await client.post(
        f"/api/v1/regions/{region}/me/accounts/{account['id']}/readings",
        json={"registers": {"total": total}},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def scalar(database_url: str, sql: str) -> Any:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def wait_for_value(database_url: str, sql: str, expected: Any, timeout: float = 30) -> None:
    """Poll `sql` until it returns `expected`; fail with the last value after `timeout` seconds."""
    value = None
    for _ in range(int(timeout / 0.1)):
        value = await scalar(database_url, sql)
        if value == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{sql!r} returned {value!r}, expected {expected!r}")


def csv_reading_ids(folder: Path) -> list[int]:
    """Return the reading ids of every batch file in the folder, in file name order."""
    ids = []
    for path in sorted(folder.glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        ids.extend(int(row["reading_id"]) for row in rows)
    return ids


def mailbox_reading_ids(smtp: SmtpReceiver) -> list[int]:
    """Return the reading ids of the mailbox, keeping one message per Message-ID as billing does."""
    kept = {}
    for message in smtp.messages:
        kept.setdefault(message["Message-ID"], message)
    ids = []
    for message in kept.values():
        for part in message.iter_attachments():
            content = part.get_content()
            data = content.decode("utf-8") if isinstance(content, bytes) else content
            ids.extend(int(row["reading_id"]) for row in csv.DictReader(io.StringIO(data)))
    return ids


def manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
