"""Tables of subscriptions, the notifications written for them and their delivery records."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class Subscription(Base):
    """A request for notifications when the schedule of a building or a queue changes.

    Exactly one of `building_id` and `queue` is set. A building's queues are read when a version
    is published, so a building that moves to another queue is followed there.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    building_id: Mapped[int | None] = mapped_column(Integer, default=None)
    queue: Mapped[str | None] = mapped_column(String(10), default=None)
    channel: Mapped[str] = mapped_column(String(10))
    # The webhook URL or the e-mail address.
    target: Mapped[str] = mapped_column(String(2000))
    # HMAC-SHA256 key of webhook payloads; NULL for e-mail.
    secret: Mapped[str | None] = mapped_column(String(256), default=None)
    language: Mapped[str] = mapped_column(String(2), default="uk")
    # Quiet hours in Kyiv wall-clock minutes of the day, [from, until); both NULL or both set.
    quiet_from: Mapped[int | None] = mapped_column(Integer, default=None)
    quiet_until: Mapped[int | None] = mapped_column(Integer, default=None)
    # SHA-256 hex of the unsubscribe token; the token itself is returned once and not stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_subscriptions_region_queue", "region", "queue"),
        Index("ix_subscriptions_region_building", "region", "building_id"),
    )


class Notification(Base):
    """What one schedule version changed for one subscription, and the state of its delivery."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(40))
    # The changed days as `DayChangeOut` objects, plus the address of a building subscription.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # When it may be sent: the import time, or the end of the subscriber's quiet hours.
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A job that is sending the notification keeps its claim until this instant.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (UniqueConstraint("version_id", "subscription_id"),)


class NotificationDelivery(Base):
    """The record of a sent notification; its primary key makes a second record impossible."""

    __tablename__ = "notification_deliveries"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    delivered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    # The receiver's answer, such as `HTTP 200` or `SMTP 250`.
    response: Mapped[str] = mapped_column(String(200))
