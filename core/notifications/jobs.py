"""The delivery job: claim a notification, send it through its channel, record the delivery.

The job takes only the notification id and opens its own sessions. It is idempotent: a
notification with a delivery record is never sent again, and a claim (a lease on the row)
keeps two copies of one message from sending at the same time.

NOTE: a crash after the receiver accepted a notification but before the record committed
sends it once more on the retry. The webhook's `Idempotency-Key` and the e-mail's
`Message-ID` let receivers drop that repeat.
"""

import datetime as dt
from collections.abc import Mapping

import msgspec
import structlog
from sqlalchemy import or_, select, update

from core.crashpoints import crash_point
from core.jobs import Job, JobContext
from core.notifications.channels import (
    DeliveryError,
    NotificationSettings,
    Outgoing,
    PermanentDeliveryError,
    send,
)
from core.notifications.models import Notification, NotificationDelivery, Subscription
from core.notifications.schemas import NotificationContent
from core.notifications.service import DELIVER_JOB
from core.schedules.schemas import DayChangeOut
from core.timezone import now_utc, to_local

log = structlog.get_logger(__name__)


class NotificationBusyError(DeliveryError):
    """Another job has the notification's claim, so this copy retries later in case that job fails."""


def job_definitions(environ: Mapping[str, str] | None = None) -> list[Job]:
    config = NotificationSettings.from_env(environ)

    async def deliver(context: JobContext, notification_id: int) -> None:
        await deliver_notification(context, config, notification_id)

    return [
        Job(
            name=DELIVER_JOB,
            function=deliver,
            queue="notifications",
            max_retries=config.max_retries,
            min_backoff_ms=int(config.min_backoff_seconds * 1000),
            max_backoff_ms=int(config.max_backoff_seconds * 1000),
            permanent_errors=(PermanentDeliveryError,),
        )
    ]


async def deliver_notification(
    context: JobContext, config: NotificationSettings, notification_id: int
) -> None:
    """Send one notification unless it was already delivered; raise DeliveryError to retry."""
    outgoing = await claim(context, notification_id, config.claim_seconds)
    if outgoing is None:
        return
    crash_point("notification.before_send")
    try:
        response = await send(outgoing, config)
    except DeliveryError as error:
        await _release(context, notification_id, str(error))
        log.warning(
            "notification.delivery_failed",
            notification_id=notification_id,
            channel=outgoing.channel,
            error=str(error)[:200],
            retry=not isinstance(error, PermanentDeliveryError),
        )
        raise
    crash_point("notification.after_send")
    await _record_delivery(context, notification_id, outgoing.channel, response)


async def claim(context: JobContext, notification_id: int, claim_seconds: float) -> Outgoing | None:
    """Take the notification's claim and return what to send; None when there is nothing to send."""
    now = now_utc()
    async with context.sessions() as session, session.begin():
        claimed = await session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.delivered_at.is_(None),
                or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
            )
            .values(
                claimed_until=now + dt.timedelta(seconds=claim_seconds),
                attempts=Notification.attempts + 1,
            )
        )
        row = (
            await session.execute(
                select(Notification, Subscription)
                .join(Subscription, Subscription.id == Notification.subscription_id)
                .where(Notification.id == notification_id)
            )
        ).first()

    if row is None:
        log.info("notification.skipped", notification_id=notification_id, reason="deleted")
        return None
    notification, subscription = row
    if notification.delivered_at is not None:
        log.info("notification.skipped", notification_id=notification_id, reason="delivered")
        return None
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        raise NotificationBusyError(f"notification {notification_id} is claimed by another job")
    return _outgoing(context, notification, subscription)


def _outgoing(
    context: JobContext, notification: Notification, subscription: Subscription
) -> Outgoing:
    region = context.settings.regions.get(notification.region)
    region_name = notification.region
    if region is not None:
        region_name = region.name_en if subscription.language == "en" else region.name_uk
    content = NotificationContent(
        notification_id=notification.id,
        event="schedule.changed",
        region=notification.region,
        version_id=notification.version_id,
        subscription_id=subscription.id,
        building_id=subscription.building_id,
        address=notification.content.get("address"),
        queue=subscription.queue,
        created_at=to_local(notification.created_at),
        days=msgspec.convert(notification.content["days"], list[DayChangeOut]),
    )
    return Outgoing(
        channel=subscription.channel,
        target=subscription.target,
        secret=subscription.secret,
        language=subscription.language,
        region_name=region_name,
        content=content,
    )


async def _release(context: JobContext, notification_id: int, error: str) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(claimed_until=None, last_error=error[:500])
        )


async def _record_delivery(
    context: JobContext, notification_id: int, channel: str, response: str
) -> None:
    now = now_utc()
    async with context.sessions() as session, session.begin():
        notification = await session.get(Notification, notification_id)
        attempts = notification.attempts if notification else 1
        session.add(
            NotificationDelivery(
                notification_id=notification_id,
                channel=channel,
                delivered_at=now,
                attempts=attempts,
                response=response[:200],
            )
        )
        await session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(delivered_at=now, claimed_until=None, last_error=None)
        )
    log.info(
        "notification.delivered",
        notification_id=notification_id,
        channel=channel,
        attempts=attempts,
        response=response,
    )
