"""Subscriptions and the notifications a new schedule version writes for them.

`enqueue_schedule_changes` runs inside the schedule import transaction: the notifications and
their outbox rows commit or roll back together with the version, so a version that is stored
is always notified and a rolled-back import notifies nobody.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec
import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.index import RegionIndex
from core.addresses.models import Building, Street
from core.addresses.service import building_by_id
from core.errors import (
    ChannelUnavailableError,
    InvalidEmailAddressError,
    InvalidQuietHoursError,
    InvalidTimeOfDayError,
    InvalidWebhookUrlError,
    MissingFieldError,
    SubscriptionNotFoundError,
    SubscriptionTargetError,
    UnknownQueueError,
)
from core.jobs import add_to_outbox
from core.notifications.channels import NotificationSettings
from core.notifications.models import Notification, Subscription
from core.notifications.schemas import SubscriptionCreate, SubscriptionCreated
from core.regions import ensure_region
from core.schedules import codec
from core.schedules.changes import DayChange, hours_off
from core.schedules.model import normalize_queue_id
from core.schedules.models import DayScheduleRow
from core.schedules.schemas import DayChangeOut, IntervalOut
from core.settings import RegionSettings
from core.timezone import local_minute_to_utc, now_utc, to_local

log = structlog.get_logger(__name__)

DELIVER_JOB = "notifications.deliver"
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# A pragmatic check, not RFC 5321: an ASCII local part and a domain of dotted labels.
EMAIL_LOCAL_PART = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Subscriber:
    """A subscription whose queues a version changed, with the building's address if it has one."""

    subscription: Subscription
    queues: frozenset[str]
    address: str | None


async def create_subscription(
    session: AsyncSession,
    region: RegionSettings,
    index: RegionIndex,
    data: SubscriptionCreate,
    config: NotificationSettings,
) -> SubscriptionCreated:
    """Validate and store a subscription in the caller's transaction; raise a 4xx error on bad input."""
    building_id, queue = _check_target(region, index, data)
    target, secret = _check_channel(data, config)
    quiet_from, quiet_until = parse_quiet_hours(data.quiet_from, data.quiet_until)
    token = secrets.token_urlsafe(32)

    await ensure_region(session, region)
    row = Subscription(
        region=region.code,
        building_id=building_id,
        queue=queue,
        channel=data.channel,
        target=target,
        secret=secret,
        language=data.language,
        quiet_from=quiet_from,
        quiet_until=quiet_until,
        token_hash=_token_hash(token),
        created_at=now_utc(),
    )
    session.add(row)
    await session.flush()
    log.info(
        "subscription.created", region=region.code, subscription_id=row.id, channel=row.channel
    )
    return SubscriptionCreated(
        id=row.id,
        region=region.code,
        channel=row.channel,
        building_id=building_id,
        queue=queue,
        language=row.language,
        quiet_from=data.quiet_from if quiet_from is not None else None,
        quiet_until=data.quiet_until if quiet_until is not None else None,
        unsubscribe_token=token,
    )


async def delete_subscription(
    session: AsyncSession, region: str, subscription_id: int, token: str
) -> None:
    """Delete a subscription and its pending notifications; an unknown id or wrong token is a 404."""
    row = await session.get(Subscription, subscription_id)
    if (
        row is None
        or row.region != region
        or not hmac.compare_digest(row.token_hash, _token_hash(token))
    ):
        raise SubscriptionNotFoundError(
            field="token", subscription_id=subscription_id, region=region
        )
    await session.execute(delete(Subscription).where(Subscription.id == subscription_id))
    log.info("subscription.deleted", region=region, subscription_id=subscription_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_target(
    region: RegionSettings, index: RegionIndex, data: SubscriptionCreate
) -> tuple[int | None, str | None]:
    if (data.building_id is None) == (data.queue is None):
        raise SubscriptionTargetError(field="building_id")
    if data.queue is not None:
        return None, _known_queue(region, data.queue)
    assert data.building_id is not None
    building_by_id(index, region.code, data.building_id)
    return data.building_id, None


def _known_queue(region: RegionSettings, queue: str) -> str:
    queues = region.queue_set.ids()
    try:
        queue_id = normalize_queue_id(queue)
    except ValueError:
        queue_id = ""
    if queue_id not in queues:
        raise UnknownQueueError(
            field="queue", queue=queue[:20], region=region.code, queues=f"{queues[0]}–{queues[-1]}"
        )
    return queue_id


def _check_channel(
    data: SubscriptionCreate, config: NotificationSettings
) -> tuple[str, str | None]:
    """Return the validated target and webhook secret of the subscription's channel."""
    if data.channel == "webhook":
        if data.url is None:
            raise MissingFieldError(field="url", name="url", channel="webhook")
        if data.secret is None:
            raise MissingFieldError(field="secret", name="secret", channel="webhook")
        return check_webhook_url(data.url, allow_private=config.allow_private_webhooks), data.secret

    if data.address is None:
        raise MissingFieldError(field="address", name="address", channel="email")
    if not config.smtp_host:
        raise ChannelUnavailableError(field="channel", channel="email")
    return check_email_address(data.address), None


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """Return the URL if it is an absolute http(s) URL without credentials and, unless
    `allow_private`, without a loopback or private host."""
    shown = url[:200]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0..65535
    except ValueError as error:
        raise InvalidWebhookUrlError(
            field="url", url=shown, reason="use an absolute http:// or https:// URL."
        ) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrlError(
            field="url", url=shown, reason="use an absolute http:// or https:// URL."
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidWebhookUrlError(
            field="url", url=shown, reason="remove spaces and control characters from the URL."
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrlError(
            field="url", url=shown, reason="remove the user name and password from the URL."
        )
    if not allow_private and _is_private_host(parts.hostname):
        raise InvalidWebhookUrlError(
            field="url", url=shown, reason="its host is a loopback or private network address."
        )
    return url


def _is_private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def check_email_address(address: str) -> str:
    """Return the address with its domain in IDNA (ASCII) form, or raise for an invalid one."""
    local, at, domain = address.strip().rpartition("@")
    invalid = InvalidEmailAddressError(field="address", address=address[:100])
    if not at or not EMAIL_LOCAL_PART.match(local) or ".." in local:
        raise invalid
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise invalid from error
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        raise invalid
    return f"{local}@{ascii_domain.lower()}"


def parse_quiet_hours(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """Return quiet hours as minutes of the day; both must be given, or neither, and they must differ."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise InvalidQuietHoursError(
            field="quiet_from" if start is None else "quiet_until",
            reason="give both quiet_from and quiet_until, or neither.",
        )
    first = _minute_of_day(start, "quiet_from")
    last = _minute_of_day(end, "quiet_until")
    if first == last:
        raise InvalidQuietHoursError(
            field="quiet_until",
            reason="quiet_from and quiet_until are equal; give different times.",
        )
    return first, last


def _minute_of_day(value: str, field: str) -> int:
    match = TIME_OF_DAY.match(value)
    if match is None:
        raise InvalidTimeOfDayError(field=field, value=value[:20])
    return int(match.group(1)) * 60 + int(match.group(2))


def quiet_hours_end(
    now: dt.datetime, quiet_from: int | None, quiet_until: int | None
) -> dt.datetime:
    """Return when a notification due at `now` may be sent: `now`, or the end of the quiet hours
    that contain it. Quiet hours are Kyiv wall-clock minutes `[from, until)`; `from > until`
    means they span midnight."""
    if quiet_from is None or quiet_until is None:
        return now
    local = to_local(now)
    minute = local.hour * 60 + local.minute
    today = local.date()
    if quiet_from < quiet_until:
        inside = quiet_from <= minute < quiet_until
        return local_minute_to_utc(today, quiet_until) if inside else now
    if minute >= quiet_from:
        return local_minute_to_utc(today + dt.timedelta(days=1), quiet_until)
    if minute < quiet_until:
        return local_minute_to_utc(today, quiet_until)
    return now


async def enqueue_schedule_changes(
    session: AsyncSession, region: str, version_id: int, changes: Sequence[DayChange]
) -> int:
    """Write one notification and one outbox row per subscription whose queues the version
    changed, in the caller's transaction; return how many were written."""
    changed = {change.queue for change in changes}
    subscribers = await _subscribers(session, region, changed) if changed else []
    if not subscribers:
        return 0

    totals = await _hours_off_after(session, version_id, changed)
    now = now_utc()
    rows = [
        _notification(subscriber, region, version_id, changes, totals, now)
        for subscriber in subscribers
    ]
    session.add_all(rows)
    await session.flush()

    for row in rows:
        add_to_outbox(session, DELIVER_JOB, [row.id], available_at=row.due_at)
    await session.flush()
    log.info("notification.enqueued", region=region, version_id=version_id, count=len(rows))
    return len(rows)


async def _subscribers(session: AsyncSession, region: str, changed: set[str]) -> list[Subscriber]:
    """Return the queue subscriptions of the changed queues and the building subscriptions of
    buildings fed by one of them, each with the changed queues it follows."""
    by_queue = await session.scalars(
        select(Subscription)
        .where(Subscription.region == region, Subscription.queue.in_(sorted(changed)))
        .order_by(Subscription.id)
    )
    found = [Subscriber(row, frozenset({row.queue or ""}), None) for row in by_queue]

    by_building = await session.execute(
        select(Subscription, Building.queues, Building.number, Street.name)
        .join(Building, Building.id == Subscription.building_id)
        .join(Street, Street.id == Building.street_id)
        .where(Subscription.region == region, Street.region == region)
        .order_by(Subscription.id)
    )
    for row, queues, number, street in by_building.all():
        followed = frozenset(queues) & changed
        if followed:
            found.append(Subscriber(row, followed, f"{street} {number}"))
    return found


async def _hours_off_after(
    session: AsyncSession, version_id: int, changed: set[str]
) -> dict[tuple[str, dt.date], float]:
    """Return the definite outage hours of each day the version stored, after the change."""
    rows = await session.execute(
        select(DayScheduleRow.queue, DayScheduleRow.day, DayScheduleRow.intervals).where(
            DayScheduleRow.version_id == version_id, DayScheduleRow.queue.in_(sorted(changed))
        )
    )
    return {
        (queue, day): hours_off(codec.intervals_from_json(intervals))
        for queue, day, intervals in rows.all()
    }


def _notification(
    subscriber: Subscriber,
    region: str,
    version_id: int,
    changes: Sequence[DayChange],
    totals: dict[tuple[str, dt.date], float],
    now: dt.datetime,
) -> Notification:
    subscription = subscriber.subscription
    days = [_day_out(c, totals) for c in changes if c.queue in subscriber.queues]
    return Notification(
        subscription_id=subscription.id,
        version_id=version_id,
        region=region,
        content={"address": subscriber.address, "days": msgspec.to_builtins(days)},
        due_at=quiet_hours_end(now, subscription.quiet_from, subscription.quiet_until),
        created_at=now,
        attempts=0,
    )


def _day_out(change: DayChange, totals: dict[tuple[str, dt.date], float]) -> DayChangeOut:
    """Describe one changed day. The hours before are the hours after, less the added definite
    outages, plus the removed ones: the intervals of one day never overlap."""
    after = totals.get((change.queue, change.date), 0.0)
    before = 0.0
    if change.status_before is not None:
        before = round(after - hours_off(change.added) + hours_off(change.removed), 2)
    return DayChangeOut(
        queue=change.queue,
        date=change.date,
        status_before=change.status_before,
        status=change.status,
        added=[
            IntervalOut(to_local(i.start), to_local(i.end), i.state.value) for i in change.added
        ],
        removed=[
            IntervalOut(to_local(i.start), to_local(i.end), i.state.value) for i in change.removed
        ],
        hours_off_before=before,
        hours_off=after,
    )
