"""Read models of schedule versions: the change feed, the newest version and the weekly template."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.schedules import codec
from core.schedules.changes import DayChange, changes_from_json
from core.schedules.model import Interval
from core.schedules.models import ScheduleVersion, WeeklyTemplateRow
from core.schedules.schemas import (
    DayChangeOut,
    IntervalOut,
    SourceOut,
    TemplateSpanOut,
    VersionOut,
    VersionStateOut,
    WeeklyTemplateOut,
)
from core.settings import RegionSettings
from core.timezone import to_local


async def version_state(session: AsyncSession, region: str) -> VersionStateOut:
    row = (
        await session.execute(
            select(func.max(ScheduleVersion.id), func.max(ScheduleVersion.imported_at)).where(
                ScheduleVersion.region == region
            )
        )
    ).one()
    version, updated_at = row
    return VersionStateOut(
        region=region,
        version=version,
        updated_at=to_local(updated_at) if updated_at else None,
        etag=f'W/"{region}-{version or 0}"',
    )


async def versions_since(
    session: AsyncSession, region: str, since: int, limit: int
) -> list[VersionOut]:
    """Return the versions of a region newer than `since`, oldest first, with their changes."""
    rows = await session.scalars(
        select(ScheduleVersion)
        .where(ScheduleVersion.region == region, ScheduleVersion.id > since)
        .order_by(ScheduleVersion.id)
        .limit(limit)
    )
    return [_version_out(row) for row in rows]


def _version_out(row: ScheduleVersion) -> VersionOut:
    return VersionOut(
        id=row.id,
        source=row.source_name,
        filename=row.filename,
        imported_at=to_local(row.imported_at),
        source_updated_at=to_local(row.source_updated_at) if row.source_updated_at else None,
        changes=[_change_out(c) for c in changes_from_json(row.changes)],
    )


def _change_out(change: DayChange) -> DayChangeOut:
    return DayChangeOut(
        queue=change.queue,
        date=change.date,
        status_before=change.status_before,
        status=change.status,
        added=[_interval(i) for i in change.added],
        removed=[_interval(i) for i in change.removed],
        hours_off_before=change.hours_off_before,
        hours_off=change.hours_off,
    )


def _interval(interval: Interval) -> IntervalOut:
    return IntervalOut(to_local(interval.start), to_local(interval.end), interval.state.value)


async def weekly_template(
    session: AsyncSession, region: RegionSettings, queue: str
) -> WeeklyTemplateOut:
    """Return the current weekly template of a queue; a queue without one has no spans."""
    row = (
        await session.execute(
            select(WeeklyTemplateRow, ScheduleVersion)
            .join(ScheduleVersion, ScheduleVersion.id == WeeklyTemplateRow.version_id)
            .where(WeeklyTemplateRow.region == region.code, WeeklyTemplateRow.queue == queue)
            .order_by(WeeklyTemplateRow.version_id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return WeeklyTemplateOut(region.code, queue, "weekly_template", [], None, None)
    template, version = row
    spans = [
        TemplateSpanOut(s.weekday, _clock(s.start_minute), _clock(s.end_minute), s.state.value)
        for s in codec.spans_from_json(template.spans)
    ]
    updated = to_local(version.source_updated_at) if version.source_updated_at else None
    return WeeklyTemplateOut(
        region.code,
        queue,
        "weekly_template",
        spans,
        SourceOut(version.source_name, updated),
        version.id,
    )


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
