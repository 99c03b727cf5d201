"""The outage lookup: which queue feeds a building and what that means now."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.addresses.schemas_api import OperatorOut
from core.addresses.service import BuildingMatch
from core.outages.active import ActiveOutage
from core.outages.outlook import QueueOutlook, compute_outlook, day_or_no_data
from core.outages.schemas import (
    AddressOut,
    DayOut,
    OutageEventOut,
    OutageLookupOut,
    QueueOutlookOut,
    StateOut,
)
from core.outages.staff import cause_text
from core.schedules.memory import ScheduleIndex
from core.schedules.model import Interval
from core.schedules.schemas import IntervalOut, SourceOut
from core.schedules.service import StoredDay, current_days, latest_source
from core.settings import RegionSettings
from core.timezone import local_day, to_local


def interval_out(interval: Interval) -> IntervalOut:
    return IntervalOut(to_local(interval.start), to_local(interval.end), interval.state.value)


async def _stored_from_database(
    session: AsyncSession | async_sessionmaker[Any],
    region: str,
    queues: tuple[str, ...],
    days: list[dt.date],
) -> tuple[dict[tuple[str, dt.date], StoredDay], tuple[str, dt.datetime | None] | None]:
    """Read the schedules of days outside the in-memory window; a session factory opens one here."""
    if isinstance(session, AsyncSession):
        return await current_days(session, region, days=days, queues=queues), await latest_source(
            session, region
        )
    async with session() as opened:
        return await current_days(opened, region, days=days, queues=queues), await latest_source(
            opened, region
        )


async def lookup_with_indexes(
    session: AsyncSession | async_sessionmaker[Any],
    indexes: Any,
    config: RegionSettings,
    building: BuildingMatch,
    at: dt.datetime,
    locale: str,
) -> OutageLookupOut:
    """Answer for a building from a worker's in-memory indexes: schedules and staff outages.

    `session` may be a session factory, so a lookup inside the in-memory window opens none.
    """
    outages = indexes.outages.affecting(
        config.code, building.building_id, building.street_id, dict(building.nodes)
    )
    return await lookup_outages(
        session,
        config.code,
        building,
        at,
        outages=outages,
        locale=locale,
        stale_after=dt.timedelta(hours=config.stale_after_hours),
        schedules=indexes.schedules,
    )


async def lookup_outages(
    session: AsyncSession | async_sessionmaker[Any],
    region: str,
    building: BuildingMatch,
    at: dt.datetime,
    *,
    outages: Sequence[ActiveOutage] = (),
    locale: str = "uk",
    stale_after: dt.timedelta = dt.timedelta(hours=36),
    schedules: ScheduleIndex | None = None,
) -> OutageLookupOut:
    """Answer for `building` at instant `at`, from the current schedules of its queues.

    The schedules come from the worker's in-memory `schedules` when it holds the days around
    `at`, so the lookup path does not touch the database; other days are read from it.
    Planned works or an incident that covers the building now beat the schedule: the state is
    off until the estimated restoration, whatever the queue's schedule says.
    """
    today = local_day(at)
    days = [today + dt.timedelta(days=offset) for offset in (-1, 0, 1)]
    if schedules is not None and schedules.covers(days):
        stored = schedules.for_queues(region, building.queues, days)
        latest = schedules.latest.get(region)
    else:
        stored, latest = await _stored_from_database(session, region, building.queues, days)

    outlooks = [_queue_outlook(queue, days, stored, at) for queue in building.queues]
    single = outlooks[0] if len(outlooks) == 1 and building.other_operator is None else None
    state = single.state if single else StateOut("unknown", None, None)
    current = [o for o in outages if o.starts_at <= at]
    if current:
        state = _outage_state(current)
    events = [_event(o, at, locale) for o in outages]
    return OutageLookupOut(
        region=region,
        at=to_local(at),
        address=_address(building),
        queue=single.queue if single else None,
        queues=list(building.queues),
        other_operator=_operator(building),
        state=state,
        next_outage=single.next_outage if single else None,
        next_outage_known=single.next_outage_known if single else False,
        days=single.days if single else [],
        by_queue=outlooks,
        planned_works=[e for e in events if e.kind == "planned_works"],
        incidents=[e for e in events if e.kind != "planned_works"],
        source=_source(stored, latest, today, at, stale_after),
    )


def _outage_state(current: Sequence[ActiveOutage]) -> StateOut:
    """Off since the earliest start, until the latest estimate; unknown when any has no estimate."""
    since = min(o.starts_at for o in current)
    estimates = [o.estimated_restoration for o in current]
    until = (
        None if any(e is None for e in estimates) else max(e for e in estimates if e is not None)
    )
    return StateOut("off", to_local(since), to_local(until) if until else None)


def _event(outage: ActiveOutage, at: dt.datetime, locale: str) -> OutageEventOut:
    return OutageEventOut(
        id=outage.id,
        kind=outage.kind,
        cause=outage.cause,
        cause_text=cause_text(outage.cause, locale),
        note=outage.note,
        starts_at=to_local(outage.starts_at),
        estimated_restoration=_local_or_none(outage.estimated_restoration),
        estimate_history=[_local_or_none(estimate) for estimate, _recorded in outage.estimates],
        active=outage.starts_at <= at,
    )


def _queue_outlook(
    queue: str, days: list[dt.date], stored: dict[tuple[str, dt.date], StoredDay], at: dt.datetime
) -> QueueOutlookOut:
    schedules = [day_or_no_data(queue, day, _schedule(stored.get((queue, day)))) for day in days]
    outlook: QueueOutlook = compute_outlook(queue, schedules, at)
    state = outlook.state
    return QueueOutlookOut(
        queue=queue,
        state=StateOut(
            state.value,
            to_local(state.since) if state.since else None,
            to_local(state.until) if state.until else None,
        ),
        next_outage=interval_out(outlook.next_outage) if outlook.next_outage else None,
        next_outage_known=outlook.next_outage_known,
        days=[_day_out(stored.get((queue, day.day)), day) for day in schedules[1:]],
    )


def _schedule(stored: StoredDay | None):  # type: ignore[no-untyped-def]
    return stored.schedule if stored else None


def _day_out(stored: StoredDay | None, day) -> DayOut:  # type: ignore[no-untyped-def]
    return DayOut(
        date=day.day,
        status=day.status.value,
        intervals=[interval_out(i) for i in day.intervals],
        source=SourceOut(stored.source_name, _local_or_none(stored.source_updated_at))
        if stored
        else None,
        version=stored.version_id if stored else None,
    )


def _source(
    stored: dict[tuple[str, dt.date], StoredDay],
    latest: tuple[str, dt.datetime | None] | None,
    today: dt.date,
    at: dt.datetime,
    stale_after: dt.timedelta,
) -> SourceOut | None:
    """Return the source of today's schedule, or else the region's newest one, marked stale when old."""
    todays = [s for (_queue, day), s in stored.items() if day >= today]
    if todays:
        newest = max(todays, key=lambda s: s.version_id)
        name, updated_at = newest.source_name, newest.source_updated_at
    elif latest is not None:
        name, updated_at = latest
    else:
        return None
    stale = updated_at is not None and at - updated_at > stale_after
    return SourceOut(name, _local_or_none(updated_at), stale)


def _local_or_none(instant: dt.datetime | None) -> dt.datetime | None:
    return to_local(instant) if instant else None


def _operator(building: BuildingMatch) -> OperatorOut | None:
    if building.other_operator is None:
        return None
    return OperatorOut(
        building.other_operator, building.other_operator_phone, building.other_operator_website
    )


def _address(building: BuildingMatch) -> AddressOut:
    return AddressOut(
        building_id=building.building_id,
        street_id=building.street_id,
        street=building.street,
        house=building.house,
        settlement=building.settlement,
        district=building.district,
    )
