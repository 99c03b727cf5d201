"""Personal accounts, meters, account links and the judging of meter reading submissions.

A submission is committed as `received` before it is judged, so a reading is kept even when
it is rejected or judging fails. Judging then records the outcome in a second transaction.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.eu import eic as eic_code

from core.addresses.models import Building
from core.errors import (
    AccountExistsError,
    AccountForbiddenError,
    AccountNotFoundError,
    InvalidAccountNumberError,
    InvalidEicError,
    InvalidMeterError,
    NoMeterError,
    ReadingsNotOfferedError,
)
from core.plugins import RegionHooks
from core.readings import delivery, notices, replacement
from core.readings import rules as reading_rules
from core.readings.models import AccountLink, Meter, MeterAccount, ReadingSubmission
from core.readings.schemas import (
    REGISTERS,
    AccountCreate,
    AccountOut,
    MeterIn,
    MeterOut,
    MeterReplacement,
    MeterType,
    ReadingRules,
)
from core.regions import ensure_region
from core.schedules.model import SlotState
from core.schedules.service import current_days
from core.settings import RegionSettings
from core.timezone import KYIV, local_day, now_utc, to_local

log = structlog.get_logger(__name__)

ACCEPTED = "accepted"
NEEDS_CONFIRMATION = "needs_confirmation"
REJECTED = "rejected"
RECEIVED = "received"
# Earlier readings dated this close to one year before count as "the same period last year".
SAME_PERIOD_DAYS = 15
# Outage schedules are read for at most this many days of a consumption period.
MAX_SCHEDULE_DAYS = 400


@dataclasses.dataclass
class Judgement:
    """The stored submission, why it was rejected, and which registers need confirmation."""

    submission: ReadingSubmission
    rejection: reading_rules.Rejection | None = None
    confirm: list[str] = dataclasses.field(default_factory=list)


async def rules_for(hooks: RegionHooks) -> ReadingRules:
    """Return the region's reading rules; raise 404 when its plugin offers no meter readings."""
    rules = await hooks.call("dso_reading_rules")
    if not isinstance(rules, ReadingRules):
        raise ReadingsNotOfferedError(region=hooks.region)
    return rules


def check_account_number(value: str, region: str, rules: ReadingRules) -> str:
    number = value.strip()
    if not re.fullmatch(rules.account_pattern, number):
        raise InvalidAccountNumberError(field="account_number", value=value[:40], region=region)
    return number


def check_eic(value: str) -> str:
    try:
        return str(eic_code.validate(value))
    except ValueError as error:  # stdnum's ValidationError is a ValueError
        raise InvalidEicError(field="eic", value=value[:40]) from error


def _check_meter(meter: MeterIn) -> None:
    expected = REGISTERS[meter.meter_type]
    if set(meter.initial_readings) != set(expected):
        raise InvalidMeterError(field="meter.initial_readings", expected=", ".join(expected))
    if any(value >= 10**meter.digits for value in meter.initial_readings.values()):
        raise InvalidMeterError(field="meter.initial_readings", expected=", ".join(expected))


def _new_meter(account_id: int, meter: MeterIn) -> Meter:
    installed_at = meter.installed_at
    if installed_at.tzinfo is None:
        installed_at = installed_at.replace(tzinfo=KYIV)
    return Meter(
        account_id=account_id,
        serial=meter.serial.strip(),
        meter_type=meter.meter_type.value,
        digits=meter.digits,
        installed_at=installed_at,
        initial_readings=dict(meter.initial_readings),
    )


async def create_account(
    session: AsyncSession, region: RegionSettings, rules: ReadingRules, data: AccountCreate
) -> MeterAccount:
    """Store a personal account with its first meter, in the caller's transaction."""
    number = check_account_number(data.account_number, region.code, rules)
    eic = check_eic(data.eic)
    _check_meter(data.meter)
    await ensure_region(session, region)
    if await _account_by_number(session, region.code, number) is not None:
        raise AccountExistsError(field="account_number", account=number, region=region.code)

    account = MeterAccount(
        region=region.code,
        account_number=number,
        eic=eic,
        capacity_kw=data.capacity_kw,
        building_id=data.building_id,
        created_at=now_utc(),
    )
    session.add(account)
    await session.flush()
    session.add(_new_meter(account.id, data.meter))
    await session.flush()
    log.info("readings.account_created", region=region.code, account_id=account.id)
    return account


async def replace_meter(
    session: AsyncSession, region: str, account_id: int, data: MeterIn
) -> MeterAccount:
    """Record a meter replacement: the current meter ends and the new one counts from its initial readings."""
    account = await session.get(MeterAccount, account_id)
    if account is None or account.region != region:
        raise AccountNotFoundError(region=region, account=str(account_id))
    _check_meter(data)
    current = await current_meter(session, account.id)
    new_meter = _new_meter(account.id, data)
    if isinstance(data, MeterReplacement) and data.final_readings is not None:
        await replacement.close_meter(
            session, account, current, data.final_readings, new_meter.installed_at
        )
    current.removed_at = new_meter.installed_at
    session.add(new_meter)
    await session.flush()
    log.info("readings.meter_replaced", region=region, account_id=account.id, meter_id=new_meter.id)
    return account


async def _account_by_number(
    session: AsyncSession, region: str, number: str
) -> MeterAccount | None:
    return await session.scalar(
        select(MeterAccount).where(
            MeterAccount.region == region, MeterAccount.account_number == number
        )
    )


async def current_meter(session: AsyncSession, account_id: int) -> Meter:
    meter = await session.scalar(
        select(Meter)
        .where(Meter.account_id == account_id, Meter.removed_at.is_(None))
        .order_by(Meter.installed_at.desc())
        .limit(1)
    )
    if meter is None:
        raise NoMeterError(account_id=account_id)
    return meter


async def link_account(
    session: AsyncSession, region: str, rules: ReadingRules, phone: str, number: str, eic: str
) -> MeterAccount:
    """Link the customer's phone to the account whose number and EIC both match."""
    account = await _account_by_number(session, region, check_account_number(number, region, rules))
    if account is None or account.eic != check_eic(eic):
        raise AccountNotFoundError(field="account_number", region=region, account=number[:40])
    linked = await session.scalar(
        select(AccountLink.id).where(
            AccountLink.account_id == account.id, AccountLink.phone == phone
        )
    )
    if linked is None:
        session.add(AccountLink(account_id=account.id, phone=phone, linked_at=now_utc()))
        await session.flush()
        log.info("readings.account_linked", region=region, account_id=account.id)
    return account


async def linked_accounts(session: AsyncSession, region: str, phone: str) -> list[MeterAccount]:
    query = (
        select(MeterAccount)
        .join(AccountLink, AccountLink.account_id == MeterAccount.id)
        .where(MeterAccount.region == region, AccountLink.phone == phone)
        .order_by(MeterAccount.id)
    )
    return list(await session.scalars(query))


async def customer_account(
    session: AsyncSession, region: str, account_id: int, phone: str
) -> MeterAccount:
    """Return the account if it is linked to `phone`; any other id is 403, whether it exists or not."""
    account = await session.scalar(
        select(MeterAccount)
        .join(AccountLink, AccountLink.account_id == MeterAccount.id)
        .where(
            MeterAccount.id == account_id,
            MeterAccount.region == region,
            AccountLink.phone == phone,
        )
    )
    if account is None:
        raise AccountForbiddenError(account_id=account_id)
    return account


async def account_out(session: AsyncSession, account: MeterAccount) -> AccountOut:
    try:
        meter = await current_meter(session, account.id)
    except NoMeterError:
        meter = None
    return AccountOut(
        id=account.id,
        region=account.region,
        account_number=account.account_number,
        eic=account.eic,
        capacity_kw=account.capacity_kw,
        building_id=account.building_id,
        meter=_meter_out(meter) if meter else None,
    )


def _meter_out(meter: Meter) -> MeterOut:
    return MeterOut(
        id=meter.id,
        serial=meter.serial,
        meter_type=MeterType(meter.meter_type),
        digits=meter.digits,
        installed_at=to_local(meter.installed_at),
        initial_readings=dict(meter.initial_readings),
        removed_at=to_local(meter.removed_at) if meter.removed_at else None,
    )


async def submit_reading(
    session: AsyncSession,
    rules: ReadingRules,
    account: MeterAccount,
    phone: str,
    raw: Mapping[str, Any],
    *,
    confirm: bool = False,
    channel: str = "api",
    locale: str = "uk",
) -> Judgement:
    """Store a submission as received, commit it, then judge it and store the outcome.

    An accepted reading from any channel but SMS also gets the acceptance SMS in `locale`,
    enqueued in the transaction that accepts it.
    """
    now = now_utc()
    async with session.begin():
        meter = await current_meter(session, account.id)
        submission = ReadingSubmission(
            account_id=account.id,
            meter_id=meter.id,
            channel=channel,
            phone=phone,
            submitted_at=now,
            reading_date=reading_rules.reading_date(now, rules),
            raw_registers=dict(raw),
            outcome=RECEIVED,
        )
        session.add(submission)

    async with session.begin():
        judgement = await _judge(session, rules, account, meter, submission, confirm)
        if submission.outcome == ACCEPTED and channel != "sms":
            notices.enqueue_acceptance_sms(session, submission.id, locale)
    log.info(
        "readings.submission_judged",
        region=account.region,
        account_id=account.id,
        submission_id=submission.id,
        channel=channel,
        outcome=submission.outcome,
        reason=submission.reason,
    )
    return judgement


async def _judge(
    session: AsyncSession,
    rules: ReadingRules,
    account: MeterAccount,
    meter: Meter,
    submission: ReadingSubmission,
    confirm: bool,
) -> Judgement:
    meter_type = MeterType(meter.meter_type)
    try:
        values = reading_rules.check_registers(meter_type, submission.raw_registers, meter.digits)
        submission.registers = values
        start, previous = await _previous_reading(session, meter, submission)
        hours = max(0.0, (submission.submitted_at - start).total_seconds() / 3600)
        max_kwh = account.capacity_kw * hours
        consumption = {
            name: reading_rules.register_consumption(
                name, int(previous[name]), value, meter.digits, max_kwh
            )
            for name, value in values.items()
        }
    except reading_rules.Rejection as rejection:
        submission.outcome, submission.reason = REJECTED, rejection.reason
        return Judgement(submission, rejection)

    submission.period_start, submission.consumption = start, consumption
    submission.powered_hours = await _powered_hours(
        session, rules, account, meter_type, start, submission.submitted_at
    )
    expected = await _expected(session, account, submission)
    far = [
        name
        for name, kwh in consumption.items()
        if not reading_rules.is_plausible(kwh, expected.get(name), rules)
    ]
    if far and not confirm:
        submission.outcome = NEEDS_CONFIRMATION
        return Judgement(submission, confirm=far)

    submission.outcome, submission.confirmed = ACCEPTED, bool(far)
    await session.flush()
    await _replace_earlier(session, submission)
    delivery.schedule_collect(session, account.region)
    return Judgement(submission)


async def _previous_reading(
    session: AsyncSession, meter: Meter, submission: ReadingSubmission
) -> tuple[dt.datetime, Mapping[str, Any]]:
    """Return the instant and registers the consumption counts from.

    That is the latest accepted reading of the same meter for an earlier date, or the meter's
    initial readings when it was installed, so a replaced meter counts from its new start.
    """
    previous = await session.scalar(
        select(ReadingSubmission)
        .where(
            ReadingSubmission.meter_id == meter.id,
            ReadingSubmission.outcome == ACCEPTED,
            ReadingSubmission.replaced_by_id.is_(None),
            ReadingSubmission.reading_date < submission.reading_date,
        )
        .order_by(ReadingSubmission.reading_date.desc(), ReadingSubmission.id.desc())
        .limit(1)
    )
    if previous is None or previous.registers is None:
        return meter.installed_at, meter.initial_readings
    return previous.submitted_at, previous.registers


async def _powered_hours(
    session: AsyncSession,
    rules: ReadingRules,
    account: MeterAccount,
    meter_type: MeterType,
    start: dt.datetime,
    end: dt.datetime,
) -> dict[str, float]:
    """Return each register's zone hours in `[start, end)` less the hours its queue was scheduled off."""
    outages = await _scheduled_outages(session, account, start, end)
    zones = rules.zone_hours.get(meter_type, {})
    return {
        name: round(
            reading_rules.powered_hours(start, end, zones.get(name, ((0, 24),)), outages), 3
        )
        for name in REGISTERS[meter_type]
    }


async def _scheduled_outages(
    session: AsyncSession, account: MeterAccount, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the definite outage intervals of the building's queue from the stored schedules.

    NOTE: a building fed by several queues has no single schedule, so it gets no reduction.
    """
    if account.building_id is None:
        return []
    building = await session.get(Building, account.building_id)
    if building is None or len(building.queues) != 1:
        return []
    first = max(local_day(start), local_day(end) - dt.timedelta(days=MAX_SCHEDULE_DAYS))
    days = [first + dt.timedelta(days=n) for n in range((local_day(end) - first).days + 1)]
    stored = await current_days(
        session, account.region, days=days, queues=[str(building.queues[0])]
    )
    return [
        (interval.start, interval.end)
        for day in stored.values()
        for interval in day.schedule.intervals
        if interval.state == SlotState.OFF
    ]


async def _expected(
    session: AsyncSession, account: MeterAccount, submission: ReadingSubmission
) -> dict[str, float | None]:
    """Return the expected kWh of each register from the account's accepted history.

    The same period last year is used when the history has it, otherwise the average rate of
    every accepted period. Both count only hours with power on.
    """
    rows = list(
        await session.scalars(
            select(ReadingSubmission).where(
                ReadingSubmission.account_id == account.id,
                ReadingSubmission.outcome == ACCEPTED,
                ReadingSubmission.replaced_by_id.is_(None),
                ReadingSubmission.id != submission.id,
            )
        )
    )
    a_year_before = submission.reading_date - dt.timedelta(days=365)
    last_year = [r for r in rows if abs((r.reading_date - a_year_before).days) <= SAME_PERIOD_DAYS]
    history = last_year or rows
    powered = submission.powered_hours or {}
    return {
        name: reading_rules.expected_consumption(
            (
                (float(r.consumption[name]), float(r.powered_hours[name]))
                for r in history
                if r.consumption and r.powered_hours and name in r.consumption
            ),
            float(hours),
        )
        for name, hours in powered.items()
    }


async def _replace_earlier(session: AsyncSession, submission: ReadingSubmission) -> None:
    """Mark earlier accepted readings of the same meter and date replaced; they stay in history."""
    await session.execute(
        update(ReadingSubmission)
        .where(
            ReadingSubmission.meter_id == submission.meter_id,
            ReadingSubmission.reading_date == submission.reading_date,
            ReadingSubmission.outcome == ACCEPTED,
            ReadingSubmission.replaced_by_id.is_(None),
            ReadingSubmission.id != submission.id,
        )
        .values(replaced_by_id=submission.id)
    )
