"""A customer's reading history: the account's meters, latest submissions and consumption periods.

Consumption is what the rules stored when each reading was accepted: counted past the largest
register value on a rollover, and from a new meter's initial readings after a replacement, so
a replaced meter never shows a negative period.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.readings import delivery, service
from core.readings.models import (
    Meter,
    MeterAccount,
    ReadingBatch,
    ReadingPhoto,
    ReadingSubmission,
)
from core.readings.schemas import (
    ConsumptionPeriodOut,
    DeliveryOut,
    ReadingHistoryOut,
    ReadingRecordOut,
)
from core.timezone import to_local

DEFAULT_LIMIT = 12
MAX_LIMIT = 100


async def reading_history(
    session: AsyncSession, account: MeterAccount, limit: int = DEFAULT_LIMIT, locale: str = "uk"
) -> ReadingHistoryOut:
    """Return the account's meters, its latest `limit` submissions with their delivery into
    billing, and its latest consumption periods."""
    meters = list(
        await session.scalars(
            select(Meter)
            .where(Meter.account_id == account.id)
            .order_by(Meter.installed_at, Meter.id)
        )
    )
    latest = list(
        await session.scalars(
            select(ReadingSubmission)
            .where(ReadingSubmission.account_id == account.id)
            .order_by(ReadingSubmission.submitted_at.desc(), ReadingSubmission.id.desc())
            .limit(limit)
        )
    )
    in_force = list(
        await session.scalars(
            select(ReadingSubmission)
            .where(
                ReadingSubmission.account_id == account.id,
                ReadingSubmission.outcome == service.ACCEPTED,
                ReadingSubmission.replaced_by_id.is_(None),
            )
            .order_by(ReadingSubmission.reading_date.desc(), ReadingSubmission.id.desc())
            .limit(limit)
        )
    )

    photo_counts = await _photo_counts(session, [s.id for s in latest])
    batch_ids = {s.batch_id for s in latest if s.batch_id is not None}
    batches = {
        batch.id: batch
        for batch in await session.scalars(
            select(ReadingBatch).where(ReadingBatch.id.in_(batch_ids))
        )
    }
    serials = {meter.id: meter.serial for meter in meters}
    records = [
        _record(
            s,
            photo_counts.get(s.id, 0),
            delivery.delivery_out(s, batches.get(s.batch_id or 0), locale),
        )
        for s in latest
    ]
    return ReadingHistoryOut(
        account_id=account.id,
        meters=[service._meter_out(meter) for meter in meters],
        readings=records,
        periods=[_period(s, serials) for s in in_force if s.consumption and s.meter_id],
    )


async def _photo_counts(session: AsyncSession, submission_ids: list[int]) -> dict[int, int]:
    if not submission_ids:
        return {}
    rows = await session.execute(
        select(ReadingPhoto.submission_id, func.count(ReadingPhoto.id))
        .where(ReadingPhoto.submission_id.in_(submission_ids))
        .group_by(ReadingPhoto.submission_id)
    )
    return {submission_id: count for submission_id, count in rows}


def _record(
    submission: ReadingSubmission, photos: int, delivery_state: DeliveryOut | None
) -> ReadingRecordOut:
    return ReadingRecordOut(
        id=submission.id,
        meter_id=submission.meter_id,
        channel=submission.channel,
        submitted_at=to_local(submission.submitted_at),
        reading_date=submission.reading_date,
        outcome=submission.outcome,
        reason=submission.reason,
        raw_registers=dict(submission.raw_registers),
        registers=dict(submission.registers) if submission.registers is not None else None,
        consumption=dict(submission.consumption) if submission.consumption is not None else None,
        confirmed=submission.confirmed,
        replaced_by_id=submission.replaced_by_id,
        photos=photos,
        delivery=delivery_state,
    )


def _period(submission: ReadingSubmission, serials: dict[int, str]) -> ConsumptionPeriodOut:
    consumption = {name: int(kwh) for name, kwh in (submission.consumption or {}).items()}
    meter_id = submission.meter_id or 0
    start = submission.period_start or submission.submitted_at
    return ConsumptionPeriodOut(
        submission_id=submission.id,
        meter_id=meter_id,
        meter_serial=serials.get(meter_id, "-"),
        start=to_local(start),
        end=to_local(submission.submitted_at),
        reading_date=submission.reading_date,
        consumption=consumption,
        total_kwh=sum(consumption.values()),
    )
