"""The final readings of a replaced meter, which close its last consumption period.

The operator records them with the replacement. They are stored as an accepted reading of the
removed meter dated the day of removal, so the history shows the old meter's last period
beside the new meter's first one, which counts from the new meter's initial readings.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FinalReadingRejectedError, InvalidMeterError
from core.readings import rules
from core.readings.models import Meter, MeterAccount, ReadingSubmission
from core.readings.schemas import REGISTERS, MeterType
from core.timezone import local_day

ACCEPTED = "accepted"
CHANNEL = "staff"


async def close_meter(
    session: AsyncSession,
    account: MeterAccount,
    meter: Meter,
    final: Mapping[str, int],
    removed_at: dt.datetime,
) -> ReadingSubmission:
    """Store the removed meter's final readings in the caller's transaction; raise 422 when impossible."""
    expected = REGISTERS[MeterType(meter.meter_type)]
    if set(final) != set(expected) or any(value >= 10**meter.digits for value in final.values()):
        raise InvalidMeterError(field="final_readings", expected=", ".join(expected))

    start, previous = await _last_reading(session, meter, removed_at)
    hours = max(0.0, (removed_at - start).total_seconds() / 3600)
    try:
        consumption = {
            name: rules.register_consumption(
                name, int(previous[name]), value, meter.digits, account.capacity_kw * hours
            )
            for name, value in final.items()
        }
    except rules.Rejection as rejection:
        raise FinalReadingRejectedError(
            field=f"final_readings.{rejection.register}",
            register=rejection.register or "-",
            previous=int(previous.get(rejection.register or "", 0)),
        ) from rejection

    closing = ReadingSubmission(
        account_id=account.id,
        meter_id=meter.id,
        channel=CHANNEL,
        phone="",
        submitted_at=removed_at,
        reading_date=local_day(removed_at),
        period_start=start,
        raw_registers=dict(final),
        registers=dict(final),
        consumption=consumption,
        outcome=ACCEPTED,
    )
    session.add(closing)
    await session.flush()
    return closing


async def _last_reading(
    session: AsyncSession, meter: Meter, before: dt.datetime
) -> tuple[dt.datetime, Mapping[str, Any]]:
    """Return the instant and registers of the meter's last accepted reading, or its installation."""
    last = await session.scalar(
        select(ReadingSubmission)
        .where(
            ReadingSubmission.meter_id == meter.id,
            ReadingSubmission.outcome == ACCEPTED,
            ReadingSubmission.replaced_by_id.is_(None),
            ReadingSubmission.submitted_at <= before,
        )
        .order_by(ReadingSubmission.submitted_at.desc(), ReadingSubmission.id.desc())
        .limit(1)
    )
    if last is None or last.registers is None:
        return meter.installed_at, meter.initial_readings
    return last.submitted_at, last.registers
