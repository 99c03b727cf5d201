"""Schedule import and reads of the current schedule.

An import reads every file through the region's plugin before it writes anything, then stores
all of them in one transaction: a malformed file changes nothing. A file whose content is
already current makes no new version.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import data_versions
from core.errors import EmptySourceError, ForeignQueueError, UnsupportedSourceError
from core.notifications.service import enqueue_schedule_changes
from core.plugins import RegionHooks
from core.regions import ensure_region
from core.schedules import codec
from core.schedules.changes import DayChange, changes_to_json, day_change
from core.schedules.model import DaySchedule, ScheduleDocument, WeeklyTemplate, queue_sort_key
from core.schedules.models import DayScheduleRow, ScheduleVersion, WeeklyTemplateRow
from core.schedules.schemas import DaySummary, FileImport, ImportReport
from core.settings import RegionSettings
from core.timezone import now_utc

log = structlog.get_logger(__name__)


class SourceUpload(msgspec.Struct, frozen=True):
    filename: str
    content: bytes


class ParsedSource(msgspec.Struct, frozen=True):
    upload: SourceUpload
    document: ScheduleDocument
    ignored_queues: list[str]


class StoredDay(msgspec.Struct, frozen=True):
    """The current schedule of one queue on one day, with the version that set it."""

    schedule: DaySchedule
    version_id: int
    source_name: str
    source_updated_at: dt.datetime | None


async def read_uploads(
    hooks: RegionHooks, region: RegionSettings, uploads: Sequence[SourceUpload]
) -> list[ParsedSource]:
    """Read every upload through the region's plugin; raise on the first unreadable one."""
    parsed = []
    for upload in uploads:
        if not upload.content.strip():
            raise EmptySourceError(file=upload.filename)
        document = await hooks.call(
            "dso_read_schedule_source", content=upload.content, filename=upload.filename
        )
        if document is None:
            formats = ", ".join(sorted({s.format for s in region.schedule_sources})) or "-"
            raise UnsupportedSourceError(file=upload.filename, region=region.code, formats=formats)
        parsed.append(_fit_to_queue_set(upload, document, region))
    return parsed


def _fit_to_queue_set(
    upload: SourceUpload, document: ScheduleDocument, region: RegionSettings
) -> ParsedSource:
    """Reject day schedules of foreign queues; drop template queues the region no longer has."""
    known = set(region.queue_set.ids())
    for day in document.days:
        if day.queue not in known:
            raise ForeignQueueError(
                file=upload.filename, queue=day.queue, region=region.code, queues=_describe(known)
            )

    kept = tuple(t for t in document.templates if t.queue in known)
    ignored = sorted({t.queue for t in document.templates} - known, key=queue_sort_key)
    return ParsedSource(upload, msgspec.structs.replace(document, templates=kept), ignored)


def _describe(queues: Iterable[str]) -> str:
    ordered = sorted(queues, key=queue_sort_key)
    return f"{ordered[0]}–{ordered[-1]}" if ordered else "-"


async def import_schedule(
    session: AsyncSession, region: RegionSettings, parsed: Sequence[ParsedSource]
) -> ImportReport:
    """Store the parsed files in the caller's transaction and report what each changed."""
    await ensure_region(session, region)
    files = [await _store_document(session, region, source) for source in parsed]
    if any(item.changed for item in files):
        await data_versions.bump(session, data_versions.SCHEDULES)
    report = ImportReport(region=region.code, files=files)
    for item in files:
        log.info(
            "schedule.imported",
            region=region.code,
            file=item.filename,
            source=item.source,
            version_id=item.version_id,
            changed=item.changed,
            days=len(item.days),
        )
    return report


async def _store_document(
    session: AsyncSession, region: RegionSettings, source: ParsedSource
) -> FileImport:
    document = source.document
    days, templates = await _changes_from_current(session, region.code, document)
    changed = bool(days or templates)
    version_id = None
    if changed:
        version_id = await _write_version(session, region, source, days, templates)
        await enqueue_schedule_changes(session, region.code, version_id, days)
    else:
        await _refresh_update_time(session, region.code, document)

    return FileImport(
        filename=source.upload.filename,
        source=_source_name(region, document.source),
        version_id=version_id,
        changed=changed,
        updated_at=document.updated_at or document.template_updated_at,
        days=_summarize(document.days),
        templates=len(document.templates),
        ignored_queues=source.ignored_queues,
    )


async def _write_version(
    session: AsyncSession,
    region: RegionSettings,
    source: ParsedSource,
    changes: list[DayChange],
    templates: list[WeeklyTemplate],
) -> int:
    """Store a version holding only what changed; unchanged days keep the version that set them."""
    document = source.document
    changed_days = {(c.queue, c.date) for c in changes}
    days = [d for d in document.days if (d.queue, d.day) in changed_days]
    version = ScheduleVersion(
        region=region.code,
        source=document.source,
        source_name=_source_name(region, document.source),
        filename=source.upload.filename[:300],
        content_hash=codec.content_hash(document.days, document.templates),
        source_updated_at=document.updated_at or document.template_updated_at,
        imported_at=now_utc(),
        changes=changes_to_json(changes),
    )
    session.add(version)
    await session.flush()

    session.add_all(
        DayScheduleRow(
            version_id=version.id,
            region=region.code,
            queue=day.queue,
            day=day.day,
            status=day.status.value,
            intervals=codec.intervals_to_json(day.intervals),
        )
        for day in days
    )
    session.add_all(
        WeeklyTemplateRow(
            version_id=version.id,
            region=region.code,
            queue=template.queue,
            spans=codec.spans_to_json(template.spans),
        )
        for template in templates
    )
    await session.flush()
    return version.id


async def _changes_from_current(
    session: AsyncSession, region: str, document: ScheduleDocument
) -> tuple[list[DayChange], list[WeeklyTemplate]]:
    """Return how the day schedules of `document` differ from the current ones, and its new templates."""
    current = await current_days(session, region, days={d.day for d in document.days})
    days = []
    for day in document.days:
        stored = current.get((day.queue, day.day))
        if stored is None or stored.schedule != day:
            days.append(day_change(stored.schedule if stored else None, day))
    templates_now = await current_templates(session, region) if document.templates else {}
    templates = [t for t in document.templates if templates_now.get(t.queue) != t]
    return days, templates


async def _refresh_update_time(
    session: AsyncSession, region: str, document: ScheduleDocument
) -> None:
    """Record a newer publication time on the latest version when the content is unchanged."""
    updated_at = document.updated_at or document.template_updated_at
    if updated_at is None:
        return
    latest = await session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.region == region, ScheduleVersion.source == document.source)
        .order_by(ScheduleVersion.id.desc())
        .limit(1)
    )
    if latest is not None and (
        latest.source_updated_at is None or latest.source_updated_at < updated_at
    ):
        latest.source_updated_at = updated_at


async def current_days(
    session: AsyncSession,
    region: str,
    *,
    days: Iterable[dt.date],
    queues: Iterable[str] | None = None,
) -> dict[tuple[str, dt.date], StoredDay]:
    """Return the current schedule per (queue, day): the row of the newest version that has one."""
    day_list = sorted(set(days))
    if not day_list:
        return {}
    query = (
        select(DayScheduleRow, ScheduleVersion)
        .join(ScheduleVersion, ScheduleVersion.id == DayScheduleRow.version_id)
        .where(DayScheduleRow.region == region, DayScheduleRow.day.in_(day_list))
        .order_by(DayScheduleRow.version_id)
    )
    if queues is not None:
        query = query.where(DayScheduleRow.queue.in_(sorted(set(queues))))

    current: dict[tuple[str, dt.date], StoredDay] = {}
    for row, version in (await session.execute(query)).all():
        schedule = codec.day_from_row(row.queue, row.day, row.status, row.intervals)
        current[(row.queue, row.day)] = StoredDay(
            schedule, version.id, version.source_name, version.source_updated_at
        )
    return current


async def current_templates(session: AsyncSession, region: str) -> dict[str, WeeklyTemplate]:
    """Return the current weekly template of every queue of the region that has one."""
    query = (
        select(WeeklyTemplateRow)
        .where(WeeklyTemplateRow.region == region)
        .order_by(WeeklyTemplateRow.version_id)
    )
    return {
        row.queue: WeeklyTemplate(row.queue, codec.spans_from_json(row.spans))
        for row in (await session.scalars(query))
    }


def _summarize(days: Iterable[DaySchedule]) -> list[DaySummary]:
    by_date: dict[dt.date, Counter[str]] = {}
    for day in days:
        by_date.setdefault(day.day, Counter())[day.status.value] += 1
    return [
        DaySummary(date=date, queues=sum(counts.values()), statuses=dict(sorted(counts.items())))
        for date, counts in sorted(by_date.items())
    ]


def _source_name(region: RegionSettings, source_format: str) -> str:
    for source in region.schedule_sources:
        if source.format == source_format:
            return source.name
    return source_format.upper()


async def latest_source(
    session: AsyncSession, region: str
) -> tuple[str, dt.datetime | None] | None:
    """Return the name and publication time of the region's newest schedule version."""
    row = (
        await session.execute(
            select(ScheduleVersion.source_name, ScheduleVersion.source_updated_at)
            .where(ScheduleVersion.region == region)
            .order_by(ScheduleVersion.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None
