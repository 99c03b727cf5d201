"""Fixtures of the meter reading tests: a development outbox, a signed-in customer, an account."""

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.settings import load_settings
from tests.conftest import staff_headers
from tests.notifications.receivers import SmtpReceiver
from tests.readings.receivers import BillingReceiver

PHONE = "+380671234567"
EIC = "62Z000000000001B"
GATEWAY_SECRET = "test-gateway-secret"


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The development outbox folder of the test, with the SMS gateway secret set."""
    folder = tmp_path / "outbox"
    monkeypatch.setenv("DSO_DEV_OUTBOX_DIR", str(folder))
    monkeypatch.setenv("DSO_SMS_GATEWAY_SECRET", GATEWAY_SECRET)
    return folder


def sent_sms(outbox: Path) -> list[dict[str, str]]:
    """Return the SMS written to the outbox, oldest first."""
    files = sorted((outbox / "sms").glob("*.json")) if (outbox / "sms").exists() else []
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


async def sign_in(client: Any, outbox: Path, phone: str = PHONE) -> dict[str, str]:
    """Sign in through the SMS code and return the customer's authorization header."""
    sent = await client.post("/api/v1/auth/codes", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    code = sent_sms(outbox)[-1]["text"].split()[3].rstrip(".")
    token = await client.post("/api/v1/auth/tokens", json={"phone": phone, "code": code})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def meter(
    meter_type: str = "one_zone",
    initial: dict[str, int] | None = None,
    digits: int = 5,
    days_ago: int = 30,
) -> dict[str, Any]:
    installed = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    return {
        "serial": "NIK-2303-0001",
        "meter_type": meter_type,
        "digits": digits,
        "installed_at": installed.isoformat(),
        "initial_readings": initial or {"total": 1000},
    }


async def create_account(
    client: Any,
    region: str = "kyiv_region",
    number: str = "1234567890",
    capacity_kw: float = 10.0,
    **meter_fields: Any,
) -> dict[str, Any]:
    body = {
        "account_number": number,
        "eic": EIC,
        "capacity_kw": capacity_kw,
        "meter": meter(**meter_fields),
    }
    created = await client.post(
        f"/api/v1/admin/regions/{region}/accounts", json=body, headers=staff_headers()
    )
    assert created.status_code == 201, created.text
    account: dict[str, Any] = created.json()
    return account


async def linked_account(
    client: Any, outbox: Path, region: str = "kyiv_region", **fields: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Create an account, sign the customer in and link it; return the account and the header."""
    account = await create_account(client, region, **fields)
    headers = await sign_in(client, outbox)
    linked = await client.post(
        f"/api/v1/regions/{region}/me/accounts",
        json={"account_number": account["account_number"], "eic": EIC},
        headers=headers,
    )
    assert linked.status_code == 201, linked.text
    return account, headers


@pytest.fixture
def billing(request: pytest.FixtureRequest) -> Iterator[BillingReceiver]:
    """The local billing endpoint; a test sets its responses by parametrizing this fixture."""
    answers: dict[str, Any] = getattr(request, "param", {})
    receiver = BillingReceiver(**answers)
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def billing_root(tmp_path: Path) -> Path:
    return tmp_path / "billing"


@pytest.fixture
def extra_delivery_env() -> dict[str, str]:
    """More environment variables of the delivery app; a test parametrizes this to add some."""
    return {}


@pytest.fixture
async def delivery_client(
    database_url: str,
    smtp: SmtpReceiver,
    billing: BillingReceiver,
    billing_root: Path,
    extra_delivery_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The embedded app with every region's destination pointed at a local receiver or folder."""
    # Imported here: the helpers import this module's account steps.
    from tests.readings.delivery_helpers import app_environ, destinations_env, fast_jobs_env

    env = {
        **fast_jobs_env(),
        **destinations_env(billing_root, smtp, billing),
        **extra_delivery_env,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(environ=app_environ(database_url, env))
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client
