"""Delivery of accepted meter readings into each region's billing, in batches, exactly once.

Accepting a reading writes an outbox row for the region's collect job, due after a short
batch delay. The collect job gathers the region's accepted, unbatched readings that no later
reading replaced into one `ReadingBatch` and, in the same transaction, writes the outbox row
of the deliver job. The deliver job claims the batch with a lease, hands it to the region's
destination (core/readings/destinations.py) and records the delivery on the batch and its readings.

Both jobs take ids and are idempotent: a second collect finds nothing left to gather, and a
delivered batch is never delivered again.

NOTE: a crash after the destination took a batch but before the record committed delivers
the same batch again on the retry, under the same file name, `Idempotency-Key` or
`Message-ID`. The file destination drops the repeat itself; an HTTP endpoint or a mailbox has
to keep one delivery per key.
"""

import datetime as dt
from collections.abc import Mapping

import msgspec
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.crashpoints import crash_point
from core.errors import ReadingNotFoundError
from core.i18n import translate
from core.jobs import Job, JobContext, add_to_outbox, prefixed_variables, settings_from_env
from core.notifications.channels import NotificationSettings
from core.readings.destinations import (
    NOT_CONFIGURED,
    BatchContent,
    BatchReading,
    BillingDeliveryError,
    PermanentBillingError,
    deliver_batch,
)
from core.readings.models import Meter, MeterAccount, ReadingBatch, ReadingSubmission
from core.readings.schemas import DeliveryOut, ReadingOut
from core.timezone import now_utc, to_local

log = structlog.get_logger(__name__)

COLLECT_JOB = "readings.collect"
DELIVER_JOB = "readings.deliver"
ACCEPTED = "accepted"


class DeliverySettings(msgspec.Struct, frozen=True):
    batch_delay_seconds: float = 60.0
    """How long after an accepted reading its region's batch is gathered, in seconds; readings
    accepted meanwhile go into the same batch."""
    max_batch_readings: int = 1000
    """Maximum readings in one batch; the rest go into the next one."""
    claim_seconds: float = 120.0
    """How long a job that delivers a batch keeps its claim, in seconds; longer than the slowest
    delivery. A job killed while delivering keeps the claim until it runs out."""
    http_timeout_seconds: float = 30.0
    """Timeout of one request to an HTTP billing endpoint, in seconds."""
    max_retries: int = 10
    """Retries of a failed delivery before the batch is given up."""
    min_backoff_seconds: float = 15.0
    """First retry delay, in seconds; each next retry waits about twice as long."""
    max_backoff_seconds: float = 3600.0
    """Maximum retry delay, in seconds."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "DeliverySettings":
        """Read `DSO_READINGS_BATCH_DELAY_SECONDS`, `DSO_READINGS_CLAIM_SECONDS` and the other fields."""
        return settings_from_env(cls, prefixed_variables(cls, "DSO_READINGS_"), environ)


class BatchBusyError(BillingDeliveryError):
    """Another job has the batch's claim, so this copy retries later in case that job fails."""


def schedule_collect(session: AsyncSession, region: str) -> None:
    """Add the region's collect job to the caller's transaction, due after the batch delay."""
    delay = DeliverySettings.from_env().batch_delay_seconds
    available_at = now_utc() + dt.timedelta(seconds=delay)
    add_to_outbox(session, COLLECT_JOB, [region], available_at=available_at)


def job_definitions(environ: Mapping[str, str] | None = None) -> list[Job]:
    config = DeliverySettings.from_env(environ)
    smtp = NotificationSettings.from_env(environ)

    async def collect(context: JobContext, region: str) -> None:
        await collect_batch(context, config, region)

    async def deliver(context: JobContext, batch_id: int) -> None:
        await deliver_reading_batch(context, config, smtp, batch_id)

    return [
        Job(name=COLLECT_JOB, function=collect, queue="readings"),
        Job(
            name=DELIVER_JOB,
            function=deliver,
            queue="readings",
            max_retries=config.max_retries,
            min_backoff_ms=int(config.min_backoff_seconds * 1000),
            max_backoff_ms=int(config.max_backoff_seconds * 1000),
            permanent_errors=(PermanentBillingError,),
        ),
    ]


# Gathering a batch.


async def collect_batch(context: JobContext, config: DeliverySettings, region: str) -> int | None:
    """Gather the region's waiting readings into one batch and enqueue its delivery.

    Return the batch id, or None when nothing was waiting or the region has no destination.
    """
    region_settings = context.settings.regions.get(region)
    destination = region_settings.readings_delivery if region_settings else None
    if destination is None:
        log.info("readings.delivery_not_configured", region=region)
        return None

    async with context.sessions() as session, session.begin():
        batch = ReadingBatch(
            region=region, kind=destination.kind, reading_count=0, created_at=now_utc(), attempts=0
        )
        session.add(batch)
        await session.flush()
        count = await _gather(session, region, batch.id, config.max_batch_readings)
        if count == 0:
            await session.delete(batch)
            return None
        batch.reading_count = count
        add_to_outbox(session, DELIVER_JOB, [batch.id])
        # A full batch may have left readings behind; gather them without waiting.
        if count >= config.max_batch_readings:
            add_to_outbox(session, COLLECT_JOB, [region])

    log.info("readings.batch_gathered", region=region, batch_id=batch.id, reading_count=count)
    return batch.id


async def _gather(session: AsyncSession, region: str, batch_id: int, limit: int) -> int:
    """Set `batch_id` on up to `limit` waiting readings of the region; return how many.

    The `batch_id IS NULL` condition is checked again on each row as it is updated, so two
    collect jobs of one region never put a reading into two batches.
    """
    waiting = (
        select(ReadingSubmission.id)
        .join(MeterAccount, MeterAccount.id == ReadingSubmission.account_id)
        .where(
            MeterAccount.region == region,
            ReadingSubmission.outcome == ACCEPTED,
            ReadingSubmission.batch_id.is_(None),
            ReadingSubmission.replaced_by_id.is_(None),
        )
        .order_by(ReadingSubmission.id)
        .limit(limit)
    )
    ids = list(await session.scalars(waiting))
    if not ids:
        return 0
    result = await session.execute(
        update(ReadingSubmission)
        .where(ReadingSubmission.id.in_(ids), ReadingSubmission.batch_id.is_(None))
        .values(batch_id=batch_id)
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count


# Delivering a batch.


async def deliver_reading_batch(
    context: JobContext, config: DeliverySettings, smtp: NotificationSettings, batch_id: int
) -> None:
    """Deliver one batch unless it was already delivered or given up; raise to retry."""
    content = await claim(context, batch_id, config.claim_seconds)
    if content is None:
        return
    crash_point("readings.before_delivery")

    region_settings = context.settings.regions.get(content.region)
    destination = region_settings.readings_delivery if region_settings else None
    try:
        if destination is None:
            raise BillingDeliveryError(
                f"region {content.region!r} has no [readings_delivery] destination", NOT_CONFIGURED
            )
        response = await deliver_batch(content, destination, smtp, config.http_timeout_seconds)
    except BillingDeliveryError as error:
        await _record_failure(context, config, batch_id, error)
        raise

    crash_point("readings.after_delivery")
    await _record_delivery(context, batch_id, response)


async def claim(context: JobContext, batch_id: int, claim_seconds: float) -> BatchContent | None:
    """Take the batch's claim and return its content; None when there is nothing to deliver."""
    now = now_utc()
    async with context.sessions() as session, session.begin():
        claimed = await session.execute(
            update(ReadingBatch)
            .where(
                ReadingBatch.id == batch_id,
                ReadingBatch.delivered_at.is_(None),
                ReadingBatch.failed_at.is_(None),
                or_(ReadingBatch.claimed_until.is_(None), ReadingBatch.claimed_until < now),
            )
            .values(
                claimed_until=now + dt.timedelta(seconds=claim_seconds),
                attempts=ReadingBatch.attempts + 1,
            )
        )
        batch = await session.get(ReadingBatch, batch_id)
        if batch is None or batch.delivered_at is not None or batch.failed_at is not None:
            reason = "missing" if batch is None else "finished"
            log.info("readings.batch_skipped", batch_id=batch_id, reason=reason)
            return None
        # NOTE: a busy claim uses up one of dramatiq's retries without counting an attempt.
        if claimed.rowcount == 0:  # type: ignore[attr-defined]
            raise BatchBusyError(f"batch {batch_id} is claimed by another job", "busy")
        return await batch_content(session, batch)


async def batch_content(session: AsyncSession, batch: ReadingBatch) -> BatchContent:
    rows = (
        await session.execute(
            select(ReadingSubmission, MeterAccount, Meter)
            .join(MeterAccount, MeterAccount.id == ReadingSubmission.account_id)
            .join(Meter, Meter.id == ReadingSubmission.meter_id)
            .where(ReadingSubmission.batch_id == batch.id)
            .order_by(ReadingSubmission.id)
        )
    ).all()
    readings = [
        BatchReading(
            reading_id=submission.id,
            account_number=account.account_number,
            eic=account.eic,
            meter_serial=meter.serial,
            meter_type=meter.meter_type,
            reading_date=submission.reading_date,
            submitted_at=to_local(submission.submitted_at),
            confirmed=submission.confirmed,
            registers={name: int(value) for name, value in (submission.registers or {}).items()},
        )
        for submission, account, meter in rows
    ]
    return BatchContent(
        batch_id=batch.id,
        region=batch.region,
        created_at=to_local(batch.created_at),
        readings=readings,
    )


async def _record_failure(
    context: JobContext, config: DeliverySettings, batch_id: int, error: BillingDeliveryError
) -> None:
    """Release the claim and keep the error; give the batch up on a permanent error or the last try."""
    async with context.sessions() as session, session.begin():
        batch = await session.get(ReadingBatch, batch_id)
        if batch is None:
            return
        # A given-up batch waits for staff to send it again (core/readings/staff_api.py).
        give_up = isinstance(error, PermanentBillingError) or batch.attempts > config.max_retries
        batch.claimed_until = None
        batch.last_error = str(error)[:500]
        batch.error_reason = error.reason
        if give_up:
            batch.failed_at = now_utc()
    log_event = "readings.batch_failed" if give_up else "readings.batch_delivery_retrying"
    log.warning(
        log_event,
        batch_id=batch_id,
        region=batch.region,
        attempts=batch.attempts,
        reason=error.reason,
        error=str(error)[:200],
    )
    if give_up and not isinstance(error, PermanentBillingError):
        # Dramatiq would retry once more; a permanent error ends the message here.
        raise PermanentBillingError(str(error), error.reason) from error


async def _record_delivery(context: JobContext, batch_id: int, response: str) -> None:
    now = now_utc()
    async with context.sessions() as session, session.begin():
        await session.execute(
            update(ReadingBatch)
            .where(ReadingBatch.id == batch_id)
            .values(delivered_at=now, claimed_until=None, response=response[:200])
        )
        await session.execute(
            update(ReadingSubmission)
            .where(ReadingSubmission.batch_id == batch_id)
            .values(delivered_at=now)
        )
    log.info("readings.batch_delivered", batch_id=batch_id, response=response)


# What the customer sees.

DELIVERY_MESSAGES = {
    "accepted": "Accepted and waiting for delivery to billing.",
    "delivered": "Delivered to billing on {time}.",
    "retrying": "Delivery to billing failed because {error}. It is retried automatically.",
    "failed": "Delivery to billing failed because {error}. Contact your distribution system operator.",
    "replaced": "Replaced by a later reading for the same date, which goes to billing instead.",
}
ERROR_REASONS = {
    "unreachable": "the billing system did not respond",
    "rejected": "the billing system rejected the readings",
    "storage": "the billing file could not be written",
    "not_configured": "the billing destination of the region is not configured",
}


def delivery_out(
    submission: ReadingSubmission, batch: ReadingBatch | None, locale: str
) -> DeliveryOut | None:
    """Return the delivery state of an accepted reading in the customer's language; None otherwise."""
    if submission.outcome != ACCEPTED:
        return None
    error = None
    if batch is not None and batch.error_reason:
        error = translate(
            ERROR_REASONS.get(batch.error_reason, ERROR_REASONS["unreachable"]), locale
        )

    delivered_at = submission.delivered_at or (batch.delivered_at if batch else None)
    if delivered_at is not None:
        local = to_local(delivered_at)
        time = (
            local.strftime("%d.%m.%Y %H:%M") if locale == "uk" else local.strftime("%Y-%m-%d %H:%M")
        )
        message = translate(DELIVERY_MESSAGES["delivered"], locale, time=time)
        return DeliveryOut(state="delivered", message=message, delivered_at=local)
    if batch is None:
        state = "replaced" if submission.replaced_by_id is not None else "accepted"
        return DeliveryOut(state=state, message=translate(DELIVERY_MESSAGES[state], locale))
    if batch.failed_at is not None:
        state = "failed"
    elif error is not None:
        state = "retrying"
    else:
        state = "accepted"
    message = translate(DELIVERY_MESSAGES[state], locale, error=error or "")
    return DeliveryOut(
        state=state, message=message, last_error=error if state != "accepted" else None
    )


async def reading_delivery(
    session: AsyncSession, submission: ReadingSubmission, locale: str
) -> DeliveryOut | None:
    """Load the reading's batch and return its delivery state, as `delivery_out` does."""
    batch = await session.get(ReadingBatch, submission.batch_id) if submission.batch_id else None
    return delivery_out(submission, batch, locale)


async def customer_reading(
    session: AsyncSession, account: MeterAccount, reading_id: int, locale: str
) -> ReadingOut:
    """Return one reading of the account with its delivery state; 404 for another account's id."""
    submission = await session.get(ReadingSubmission, reading_id)
    if submission is None or submission.account_id != account.id:
        raise ReadingNotFoundError(account_id=account.id, submission_id=reading_id)
    return ReadingOut(
        id=submission.id,
        outcome=submission.outcome,
        reading_date=submission.reading_date,
        registers=dict(submission.registers or {}),
        consumption=dict(submission.consumption or {}),
        delivery=await reading_delivery(session, submission, locale),
    )
