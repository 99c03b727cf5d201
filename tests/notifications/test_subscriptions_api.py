"""The subscription API: valid subscriptions get an id and a token; bad input gets 4xx problem+json."""

from typing import Any

import pytest

from tests.notifications.conftest import SECRET, subscribe

PATH = "/api/v1/regions/kyiv/subscriptions"
HOOK = "https://hooks.example.com/dso"


async def _problem(
    client: Any, body: dict[str, Any], status: int, code: str, **headers: str
) -> Any:
    response = await client.post(PATH, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    return problem


async def test_webhook_subscription_created(notify_client: Any) -> None:
    created = await subscribe(
        notify_client,
        channel="webhook",
        url=HOOK,
        secret=SECRET,
        queue="GPV36.1",
        quiet_from="22:00",
        quiet_until="07:00",
    )
    assert created["queue"] == "36.1"
    assert created["quiet_from"] == "22:00"
    assert len(created["unsubscribe_token"]) >= 40
    assert "secret" not in created


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"channel": "webhook", "url": "ftp://example.com/x", "secret": SECRET, "queue": "36.1"},
            400,
            "invalid_webhook_url",
        ),
        (
            {"channel": "webhook", "url": "example.com/x", "secret": SECRET, "queue": "36.1"},
            400,
            "invalid_webhook_url",
        ),
        (
            {
                "channel": "webhook",
                "url": "http://user:pw@example.com/",
                "secret": SECRET,
                "queue": "36.1",
            },
            400,
            "invalid_webhook_url",
        ),
        (
            {
                "channel": "webhook",
                "url": "http://example.com:99999/",
                "secret": SECRET,
                "queue": "36.1",
            },
            400,
            "invalid_webhook_url",
        ),
        ({"channel": "webhook", "url": HOOK, "queue": "36.1"}, 400, "missing_field"),
        (
            {"channel": "webhook", "url": HOOK, "secret": "short", "queue": "36.1"},
            400,
            "invalid_query",
        ),
        (
            {
                "channel": "webhook",
                "url": HOOK + "/" + "a" * 2000,
                "secret": SECRET,
                "queue": "36.1",
            },
            400,
            "invalid_query",
        ),
        (
            {"channel": "email", "address": "not-an-address", "queue": "36.1"},
            400,
            "invalid_email_address",
        ),
        ({"channel": "email", "address": "a@b", "queue": "36.1"}, 400, "invalid_email_address"),
        (
            {"channel": "email", "address": "a@example.com\r\nBcc: x@example.com", "queue": "36.1"},
            400,
            "invalid_email_address",
        ),
        ({"channel": "email", "address": "a@example.com"}, 400, "invalid_subscription_target"),
        (
            {"channel": "email", "address": "a@example.com", "queue": "36.1", "building_id": 5},
            400,
            "invalid_subscription_target",
        ),
        ({"channel": "email", "address": "a@example.com", "queue": "61.1"}, 404, "unknown_queue"),
        (
            {"channel": "email", "address": "a@example.com", "building_id": 999999},
            404,
            "building_not_found",
        ),
        (
            {
                "channel": "email",
                "address": "a@example.com",
                "queue": "36.1",
                "quiet_from": "25:00",
                "quiet_until": "07:00",
            },
            400,
            "invalid_time_of_day",
        ),
        (
            {
                "channel": "email",
                "address": "a@example.com",
                "queue": "36.1",
                "quiet_from": "22:00",
            },
            400,
            "invalid_quiet_hours",
        ),
        ({"channel": "sms", "address": "a@example.com", "queue": "36.1"}, 400, "invalid_query"),
        (
            {"channel": "email", "address": "a@example.com", "queue": "36.1", "colour": "red"},
            400,
            "invalid_query",
        ),
    ],
)
async def test_bad_subscription_rejected(
    notify_client: Any, body: dict[str, Any], status: int, code: str
) -> None:
    await _problem(notify_client, body, status, code)


async def test_private_webhook_rejected_by_default(
    notify_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSO_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS", "false")
    for url in ("http://127.0.0.1:8080/", "http://localhost/", "http://10.1.2.3/", "http://[::1]/"):
        body = {"channel": "webhook", "url": url, "secret": SECRET, "queue": "36.1"}
        await _problem(notify_client, body, 400, "invalid_webhook_url")


async def test_email_without_smtp_rejected(
    notify_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DSO_SMTP_HOST")
    body = {"channel": "email", "address": "a@example.com", "queue": "36.1"}
    await _problem(notify_client, body, 422, "channel_unavailable")


async def test_unknown_region_rejected(notify_client: Any) -> None:
    body = {"channel": "email", "address": "a@example.com", "queue": "36.1"}
    response = await notify_client.post("/api/v1/regions/atlantis/subscriptions", json=body)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_region"


async def test_problem_detail_in_ukrainian_and_english(notify_client: Any) -> None:
    body = {"channel": "email", "address": "nope", "queue": "36.1"}
    uk = await _problem(notify_client, body, 400, "invalid_email_address")
    en = await _problem(
        notify_client, body, 400, "invalid_email_address", **{"Accept-Language": "en"}
    )
    assert uk["detail"].startswith("«nope» не є правильною адресою")
    assert en["detail"].startswith("'nope' is not a valid e-mail address")
    assert uk["field"] == "address"


async def test_oversized_body_rejected(notify_client: Any) -> None:
    response = await notify_client.post(
        PATH,
        content=b'{"channel": "email", "address": "' + b"a" * 10_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_unicode_email_domain_stored_as_idna(notify_client: Any) -> None:
    created = await subscribe(
        notify_client, channel="email", address="abonent@приклад.укр", queue="36.1"
    )
    assert created["id"] >= 1


async def test_unsubscribe_needs_matching_token(notify_client: Any) -> None:
    created = await subscribe(notify_client, channel="email", address="a@example.com", queue="1.1")
    url = f"{PATH}/{created['id']}"

    wrong = await notify_client.delete(url, params={"token": "wrong"})
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "subscription_not_found"
    other_region = await notify_client.delete(
        f"/api/v1/regions/odesa/subscriptions/{created['id']}",
        params={"token": created["unsubscribe_token"]},
    )
    assert other_region.status_code == 404

    done = await notify_client.delete(url, params={"token": created["unsubscribe_token"]})
    assert done.status_code == 204
    again = await notify_client.delete(url, params={"token": created["unsubscribe_token"]})
    assert again.status_code == 404


async def test_unsubscribe_without_token_rejected(notify_client: Any) -> None:
    response = await notify_client.delete(f"{PATH}/1")
    assert response.status_code == 400
