"""A worker killed with SIGKILL while it delivers reading batches, then started again, delivers
each reading exactly once to the CSV folder, the HTTP billing endpoint and the billing mailbox.

The worker kills itself at a crash point (core/crashpoints.py). After `readings.after_delivery`
the destination has the batch but the platform has no record of it, so the restarted worker
delivers the same batch again: the file destination sees its own file and writes nothing, the
HTTP endpoint keeps one request per `Idempotency-Key` and the mailbox one message per
`Message-ID`, as the real billing systems do.
"""

import asyncio
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.settings import load_settings
from tests.conftest import REDIS_URL
from tests.notifications.receivers import SmtpReceiver, free_port
from tests.processes import DsoProcess, wait_killed, wait_ready
from tests.readings.delivery_helpers import (
    accounts_in,
    app_environ,
    csv_reading_ids,
    destinations_env,
    fast_jobs_env,
    mailbox_reading_ids,
    submit,
    wait_for_value,
)
from tests.readings.receivers import BillingReceiver

REGIONS = ["kyiv", "dnipro", "odesa"]
DELIVERED = "SELECT count(*) FROM reading_batches WHERE delivered_at IS NOT NULL"


def _child_env(
    database_url: str, root: Path, smtp: SmtpReceiver, billing: BillingReceiver
) -> dict[str, str]:
    """The test database, the local destinations, short claims and retries, and a dead worker
    noticed within about a second."""
    return {
        **app_environ(database_url, {}),
        **fast_jobs_env(),
        **destinations_env(root, smtp, billing),
        "DSO_LOG_LEVEL": "info",
        "DSO_JOBS_RELAY_POLL_SECONDS": "0.1",
        "DSO_JOBS_HEARTBEAT_SECONDS": "1",
        "DSO_JOBS_MAINTENANCE_CHANCE": "1000000",
    }


async def _accept_readings(environ: dict[str, str], outbox: Path, regions: list[str]) -> list[int]:
    """Accept one reading per region in an app that only writes outbox rows; return their ids."""
    async with AsyncTestClient(app=create_app(load_settings(environ=environ))) as client:
        accounts, headers = await accounts_in(client, outbox, regions)
        return [
            (await submit(client, region, accounts[region], headers, 1150))["id"]
            for region in regions
        ]


def _assert_each_reading_once(
    root: Path, smtp: SmtpReceiver, billing: BillingReceiver, ids: dict[str, int]
) -> None:
    assert csv_reading_ids(root / "dnipro") == [ids["dnipro"]]
    assert len(list((root / "dnipro").glob("*.csv"))) == 1
    assert billing.kept_reading_ids() == [ids["odesa"]]
    assert billing.post_count() <= 2
    assert mailbox_reading_ids(smtp) == [ids["kyiv"]]
    assert smtp.count() <= 2


@pytest.mark.parametrize("region", REGIONS)
async def test_worker_killed_after_delivery_delivers_once(
    database_url: str,
    redis_namespace: str,
    smtp: SmtpReceiver,
    billing: BillingReceiver,
    tmp_path: Path,
    outbox: Path,
    monkeypatch: pytest.MonkeyPatch,
    region: str,
) -> None:
    """Only the region under test has a reading when the worker first runs, so the kill is
    certainly between its destination taking the batch and the record."""
    root = tmp_path / "billing"
    env = {
        **_child_env(database_url, root, smtp, billing),
        "DSO_REDIS_URL": REDIS_URL,
        "DSO_JOBS_REDIS_NAMESPACE": redis_namespace,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    first_id = (await _accept_readings(env, outbox, [region]))[0]

    first = DsoProcess(
        ["worker", "--threads", "2"],
        {**env, "DSO_CRASH_AT": "readings.after_delivery"},
        tmp_path / "worker-1.log",
    )
    await wait_killed(first, "readings.after_delivery")
    taken = billing.post_count() + smtp.count() + len(list(root.glob("*/*.csv")))
    assert taken == 1

    second = DsoProcess(["worker", "--threads", "2"], env, tmp_path / "worker-2.log")
    try:
        await wait_for_value(database_url, DELIVERED, 1, timeout=60)
        # Long enough for a wrongly repeated message to come back from Redis.
        await asyncio.sleep(2.5)
    finally:
        assert second.stop() == 0, second.output()

    _assert_region_once(root, smtp, billing, region, first_id)


def _assert_region_once(
    root: Path, smtp: SmtpReceiver, billing: BillingReceiver, region: str, reading_id: int
) -> None:
    if region == "dnipro":
        assert csv_reading_ids(root / "dnipro") == [reading_id]
        assert len(list((root / "dnipro").glob("*.csv"))) == 1
    elif region == "odesa":
        assert billing.kept_reading_ids() == [reading_id]
        assert billing.post_count() <= 2
    else:
        assert mailbox_reading_ids(smtp) == [reading_id]
        assert smtp.count() <= 2


async def test_worker_killed_before_delivery_sends_no_duplicate(
    database_url: str,
    redis_namespace: str,
    smtp: SmtpReceiver,
    billing: BillingReceiver,
    tmp_path: Path,
    outbox: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "billing"
    env = {
        **_child_env(database_url, root, smtp, billing),
        "DSO_REDIS_URL": REDIS_URL,
        "DSO_JOBS_REDIS_NAMESPACE": redis_namespace,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ids = dict(zip(REGIONS, await _accept_readings(env, outbox, REGIONS), strict=True))

    first = DsoProcess(
        ["worker", "--threads", "2"],
        {**env, "DSO_CRASH_AT": "readings.before_delivery"},
        tmp_path / "worker-1.log",
    )
    await wait_killed(first, "readings.before_delivery")
    second = DsoProcess(["worker", "--threads", "2"], env, tmp_path / "worker-2.log")
    try:
        await wait_for_value(database_url, DELIVERED, 3, timeout=60)
        await asyncio.sleep(2.5)
    finally:
        assert second.stop() == 0, second.output()

    _assert_each_reading_once(root, smtp, billing, ids)
    assert billing.post_count() == 1
    assert smtp.count() == 1


async def test_embedded_server_killed_after_delivery_delivers_once(
    database_url: str,
    smtp: SmtpReceiver,
    billing: BillingReceiver,
    tmp_path: Path,
    outbox: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The embedded default: `dso serve` runs the jobs itself, so the server process is killed.

    The readings are accepted by an app whose relay sleeps after its first look, so the outbox
    rows wait for the server under test.
    """
    root = tmp_path / "billing"
    env = _child_env(database_url, root, smtp, billing)
    monkeypatch.delenv("DSO_REDIS_URL", raising=False)
    for name, value in {**env, "DSO_JOBS_RELAY_POLL_SECONDS": "3600"}.items():
        monkeypatch.setenv(name, value)
    ids = dict(zip(REGIONS, await _accept_readings(env, outbox, REGIONS), strict=True))
    monkeypatch.setenv("DSO_JOBS_RELAY_POLL_SECONDS", "0.1")

    port = free_port()
    serve = ["serve", "--server", "uvicorn", "--workers", "1", "--port", str(port)]
    first = DsoProcess(
        serve, {**env, "DSO_CRASH_AT": "readings.after_delivery"}, tmp_path / "serve-1.log"
    )
    try:
        await wait_killed(first, "readings.after_delivery")
    finally:
        first.kill()

    second = DsoProcess(serve, env, tmp_path / "serve-2.log")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            await wait_ready(client, second)
        await wait_for_value(database_url, DELIVERED, 3, timeout=60)
        await asyncio.sleep(1.5)
    finally:
        second.stop()

    _assert_each_reading_once(root, smtp, billing, ids)
