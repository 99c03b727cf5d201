"""Request and response bodies of the subscription API, and the content of a notification."""

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.schedules.schemas import DayChangeOut

MAX_URL_CHARS = 2000
MAX_EMAIL_CHARS = 254


class SubscriptionCreate(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A new subscription: `building_id` or `queue`, and the fields of its channel.

    `webhook` needs `url` (http or https) and `secret` (the HMAC-SHA256 key of the
    `X-DSO-Signature` header); `email` needs `address`. Quiet hours are Kyiv wall-clock times.
    """

    channel: Literal["webhook", "email"]
    building_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    queue: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    url: Annotated[str, msgspec.Meta(max_length=MAX_URL_CHARS)] | None = None
    secret: Annotated[str, msgspec.Meta(min_length=16, max_length=256)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=MAX_EMAIL_CHARS)] | None = None
    quiet_from: Annotated[str, msgspec.Meta(max_length=5)] | None = None
    """Start of the quiet hours, HH:MM; a notification due inside them is sent at their end."""
    quiet_until: Annotated[str, msgspec.Meta(max_length=5)] | None = None
    """End of the quiet hours, HH:MM; earlier than `quiet_from` means they span midnight."""
    language: Literal["uk", "en"] = "uk"


class SubscriptionCreated(msgspec.Struct, frozen=True):
    """A stored subscription. `unsubscribe_token` is shown only here; keep it to unsubscribe."""

    id: int
    region: str
    channel: str
    building_id: int | None
    queue: str | None
    language: str
    quiet_from: str | None
    quiet_until: str | None
    unsubscribe_token: str


class NotificationContent(msgspec.Struct, frozen=True):
    """The body of a webhook notification; the e-mail says the same in words."""

    notification_id: int
    event: str
    region: str
    version_id: int
    subscription_id: int
    building_id: int | None
    address: str | None
    queue: str | None
    created_at: dt.datetime
    days: list[DayChangeOut]
