"""Cases from public reports and the acceptance list of meter readings, end to end through the API."""

import calendar
import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from core.readings import rules, service
from core.readings.models import ReadingSubmission
from core.readings.schemas import ReadingRules
from core.timezone import KYIV
from tests.conftest import database_session
from tests.readings.conftest import linked_account, sign_in

MINE = "/api/v1/regions/kyiv_region/me/accounts"


def kyiv(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=KYIV).astimezone(dt.UTC)


async def _submit(
    client: Any, account: dict[str, Any], headers: dict[str, str], **body: Any
) -> Any:
    return await client.post(f"{MINE}/{account['id']}/readings", json=body, headers=headers)


async def test_last_day_2330_counts_for_next_first(
    client: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, headers = await linked_account(client, outbox, days_ago=31)
    today = dt.datetime.now(KYIV).date()
    last_day = calendar.monthrange(today.year, today.month)[1]
    late = kyiv(today.year, today.month, last_day, 23, 30)
    monkeypatch.setattr(service, "now_utc", lambda: late)

    response = await _submit(client, account, headers, registers={"total": 1100})

    assert response.status_code == 201, response.text
    next_first = today.replace(day=1) + dt.timedelta(days=last_day)
    assert response.json()["reading_date"] == next_first.isoformat()


def test_region_rules_can_widen_the_window() -> None:
    widened = ReadingRules(
        account_pattern=r"\d+", window_days_before_month_end=3, window_last_day=5
    )

    assert rules.reading_date(kyiv(2026, 1, 29, 12, 0), widened) == dt.date(2026, 2, 1)
    assert rules.reading_date(kyiv(2026, 2, 5, 12, 0), widened) == dt.date(2026, 2, 1)
    assert rules.reading_date(kyiv(2026, 2, 6, 0, 30), widened) == dt.date(2026, 2, 6)


def test_default_window_is_last_two_days_through_third() -> None:
    defaults = ReadingRules(account_pattern=r"\d+")

    assert (defaults.window_days_before_month_end, defaults.window_last_day) == (2, 3)
    assert rules.reading_date(kyiv(2026, 2, 26, 23, 59), defaults) == dt.date(2026, 2, 26)
    assert rules.reading_date(kyiv(2026, 2, 27, 0, 0), defaults) == dt.date(2026, 3, 1)


async def test_other_token_cannot_read_or_submit(client: Any, outbox: Path) -> None:
    stranger = await sign_in(client, outbox, phone="+380501112233")
    account, _ = await linked_account(client, outbox)
    base = f"{MINE}/{account['id']}"

    responses = {
        "account": await client.get(base, headers=stranger),
        "history": await client.get(f"{base}/readings", headers=stranger),
        "submit": await client.post(
            f"{base}/readings", json={"registers": {"total": 1100}}, headers=stranger
        ),
        "confirm": await client.post(f"{base}/readings/1/confirmation", headers=stranger),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    async with database_session(client) as session:
        assert list(await session.scalars(select(ReadingSubmission))) == []


BAD_BODIES: list[tuple[str, bytes]] = [
    ("malformed JSON", b'{"registers": {"total": 11'),
    ("not an object", b'["total", 1200]'),
    ("missing register", msgspec.json.encode({"registers": {}})),
    ("extra register", msgspec.json.encode({"registers": {"total": 1200, "night": 5}})),
    ("negative value", msgspec.json.encode({"registers": {"total": -1200}})),
    ("fractional value", msgspec.json.encode({"registers": {"total": 1200.5}})),
    ("value as text", msgspec.json.encode({"registers": {"total": "1200"}})),
    ("tariff label", msgspec.json.encode({"registers": {"T1": 1200}})),
    ("extra field", msgspec.json.encode({"registers": {"total": 1200}, "note": "x"})),
    ("too many registers", msgspec.json.encode({"registers": {f"r{i}": i for i in range(11)}})),
]


@pytest.mark.parametrize(("case", "body"), BAD_BODIES, ids=[case for case, _ in BAD_BODIES])
async def test_bad_input_is_4xx_and_keeps_accepted(
    client: Any, outbox: Path, case: str, body: bytes
) -> None:
    account, headers = await linked_account(client, outbox)
    accepted = await _submit(client, account, headers, registers={"total": 1100})
    assert accepted.status_code == 201, accepted.text

    response = await client.post(
        f"{MINE}/{account['id']}/readings",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )

    assert 400 <= response.status_code < 500, f"{case}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    async with database_session(client) as session:
        stored = await session.get(ReadingSubmission, accepted.json()["id"])
    assert stored is not None
    assert (stored.outcome, stored.replaced_by_id, stored.registers) == (
        "accepted",
        None,
        {"total": 1100},
    )
