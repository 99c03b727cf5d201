"""Customer sign-in: SMS codes, tokens, rate limits and the lock after wrong codes."""

from pathlib import Path
from typing import Any

from tests.conftest import database_session
from tests.readings.conftest import PHONE, sent_sms, sign_in

CODES = "/api/v1/auth/codes"
TOKENS = "/api/v1/auth/tokens"


async def test_code_request_normalizes_phone(client: Any, outbox: Path) -> None:
    response = await client.post(CODES, json={"phone": "067 123 45 67"})

    assert response.status_code == 202, response.text
    assert sent_sms(outbox)[0]["to"] == PHONE


async def test_code_is_stored_only_hashed(client: Any, outbox: Path, settings: Any) -> None:
    from sqlalchemy import select

    from core.readings.models import SignInCode

    await client.post(CODES, json={"phone": PHONE})
    code = sent_sms(outbox)[0]["text"].split()[3].rstrip(".")
    async with database_session(client) as session:
        stored = (await session.scalars(select(SignInCode))).one()

    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


async def test_foreign_phone_is_rejected(client: Any) -> None:
    response = await client.post(CODES, json={"phone": "+48 601 234 567"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_phone"
    assert "+380" in response.json()["detail"]


async def test_invalid_phone_detail_in_english(client: Any) -> None:
    response = await client.post(CODES, json={"phone": "12"}, headers={"Accept-Language": "en"})

    assert response.json()["detail"].startswith("'12' is not a Ukrainian")


async def test_fourth_code_in_ten_minutes_is_rate_limited(client: Any) -> None:
    statuses = [(await client.post(CODES, json={"phone": PHONE})).status_code for _ in range(4)]

    assert statuses == [202, 202, 202, 429]


async def test_client_address_is_rate_limited(client: Any) -> None:
    phones = [f"+38067123{n:04d}" for n in range(11)]
    statuses = [(await client.post(CODES, json={"phone": p})).status_code for p in phones]

    assert statuses[:10] == [202] * 10
    assert statuses[10] == 429


async def test_valid_code_gives_token(client: Any, outbox: Path) -> None:
    headers = await sign_in(client, outbox)

    listed = await client.get("/api/v1/regions/kyiv_region/me/accounts", headers=headers)
    assert listed.status_code == 200
    assert listed.json() == []


async def test_code_works_once(client: Any, outbox: Path) -> None:
    await client.post(CODES, json={"phone": PHONE})
    code = sent_sms(outbox)[0]["text"].split()[3].rstrip(".")

    first = await client.post(TOKENS, json={"phone": PHONE, "code": code})
    second = await client.post(TOKENS, json={"phone": PHONE, "code": code})

    assert first.status_code == 200
    assert second.status_code == 401


async def test_five_wrong_codes_lock_phone(client: Any, outbox: Path) -> None:
    await client.post(CODES, json={"phone": PHONE})
    code = sent_sms(outbox)[0]["text"].split()[3].rstrip(".")
    wrong = "000000" if code != "000000" else "111111"

    statuses = [
        (await client.post(TOKENS, json={"phone": PHONE, "code": wrong})).status_code
        for _ in range(5)
    ]
    locked = await client.post(TOKENS, json={"phone": PHONE, "code": code})

    assert statuses == [401] * 5
    assert locked.status_code == 429
    assert locked.json()["code"] == "phone_locked"


async def test_customer_route_without_token_is_401(client: Any) -> None:
    response = await client.get("/api/v1/regions/kyiv_region/me/accounts")

    assert response.status_code == 401
    assert response.json()["code"] == "customer_not_authenticated"


async def test_forged_token_is_401(client: Any) -> None:
    import jwt

    forged = jwt.encode(
        {"sub": PHONE, "aud": "dso-customer"},
        "a-guessed-secret-of-thirty-two-bytes!",
        algorithm="HS256",
    )
    response = await client.get(
        "/api/v1/regions/kyiv_region/me/accounts", headers={"Authorization": f"Bearer {forged}"}
    )

    assert response.status_code == 401


async def test_malformed_json_is_problem(client: Any) -> None:
    response = await client.post(
        CODES, content=b"{phone:", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_code_never_reaches_log(client: Any, outbox: Path, capsys: Any) -> None:
    await client.post(CODES, json={"phone": PHONE})
    code = sent_sms(outbox)[0]["text"].split()[3].rstrip(".")

    captured = capsys.readouterr()
    assert code not in captured.out + captured.err
    assert PHONE not in captured.out + captured.err
