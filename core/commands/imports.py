"""`dso import schedule`, `dso import addresses` and `dso demo load`."""

import argparse
import datetime as dt
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.importer import AddressImportReport
from core.addresses.importer import import_addresses as store_addresses
from core.addresses.models import Building, Street
from core.addresses.service import read_address_files
from core.db import create_engine, session_factory
from core.deps import parse_date
from core.errors import UnreadableFileError
from core.hookspecs import SourceFile
from core.plugins import PluginRegistry, build_plugin_manager
from core.schedules.models import ScheduleVersion
from core.schedules.schemas import ImportReport
from core.schedules.service import SourceUpload, read_uploads
from core.schedules.service import import_schedule as store_schedule
from core.settings import Settings
from core.timezone import local_day, now_utc, to_local


async def import_schedule(settings: Settings, args: argparse.Namespace) -> int:
    registry = build_plugin_manager(settings)
    hooks = registry.for_region(args.region)
    uploads = [SourceUpload(str(path), _read(path)) for path in args.files]
    parsed = await read_uploads(hooks, settings.regions[args.region], uploads)
    async with _session(settings) as session, session.begin():
        report = await store_schedule(session, settings.regions[args.region], parsed)
    print_schedule_report(report)
    return 0


async def import_addresses(settings: Settings, args: argparse.Namespace) -> int:
    registry = build_plugin_manager(settings)
    hooks = registry.for_region(args.region)
    context = {
        key: str(value)
        for key, value in {
            "street": args.street,
            "settlement": args.settlement,
            "street_id": args.street_id,
            "house_id": args.house_id,
            "dso_id": args.dso_id,
        }.items()
        if value
    }
    uploads = [SourceFile("addresses", str(path), _read(path)) for path in args.files]
    batches = await read_address_files(hooks, uploads, context)
    async with _session(settings) as session, session.begin():
        reports = [
            await store_addresses(session, hooks, settings.regions[args.region], batch)
            for batch in batches
        ]
    for report in reports:
        print_address_report(report)
    return 0


async def load_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Import every enabled region's demo files through the same readers as real files.

    A region that already contains real data keeps it: see `_load_region_demo` for the rule.
    """
    registry = build_plugin_manager(settings)
    today = parse_date(args.date, default=local_day(now_utc()))
    async with _session(settings) as session:
        for region in registry.regions:
            await _load_region_demo(session, registry, settings, region, today)
    return 0


class _RealDataFound(Exception):
    """The region contains data that the demo files did not write, so the demo must not load."""


async def _load_region_demo(
    session: AsyncSession, registry: PluginRegistry, settings: Settings, region: str, today: dt.date
) -> None:
    """Import one region's demo files unless the region contains real data.

    Real data is a schedule version from a file other than the demo's, or, in a region that
    already has streets, any street or building that the demo would add or change. Then the whole
    demo of that region is rolled back, so a real import never reverts to demo queues.
    """
    hooks = registry.for_region(region)
    config = settings.regions[region]
    files: list[SourceFile] = await hooks.call(
        "dso_demo_sources", today=today, queues=config.queue_set.ids()
    )
    flat = [f for group in files for f in (group if isinstance(group, list) else [group])]

    schedules = [SourceUpload(f.filename, f.content) for f in flat if f.kind == "schedule"]
    parsed = await read_uploads(hooks, config, schedules)
    try:
        async with session.begin():
            await _check_no_real_schedules(session, region, {u.filename for u in schedules})
            before = await _address_snapshot(session, region)
            for source in (f for f in flat if f.kind == "addresses"):
                for batch in await read_address_files(hooks, [source], dict(source.context)):
                    await store_addresses(session, hooks, config, batch)
            if before[0] and await _address_snapshot(session, region) != before:
                raise _RealDataFound(f"region {region} already has addresses")
            report = await store_schedule(session, config, parsed)
    except _RealDataFound as found:
        print(f"{found}; demo data skipped")
        return
    print_schedule_report(report)


async def _check_no_real_schedules(
    session: AsyncSession, region: str, demo_files: set[str]
) -> None:
    real = await session.scalar(
        select(ScheduleVersion.id)
        .where(ScheduleVersion.region == region, ScheduleVersion.filename.not_in(demo_files))
        .limit(1)
    )
    if real is not None:
        raise _RealDataFound(f"region {region} already has schedules from real files")


async def _address_snapshot(
    session: AsyncSession, region: str
) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Return the region's street ids and its buildings with the queues and operator they carry."""
    streets = await session.scalars(
        select(Street.id).where(Street.region == region).order_by(Street.id)
    )
    buildings = await session.execute(
        select(
            Building.id,
            Building.street_id,
            Building.number,
            Building.queues,
            Building.other_operator,
        )
        .join(Street, Building.street_id == Street.id)
        .where(Street.region == region)
        .order_by(Building.id)
    )
    return list(streets), [tuple(row) for row in buildings]


def print_schedule_report(report: ImportReport) -> None:
    for item in report.files:
        outcome = f"new version {item.version_id}" if item.changed else "unchanged, no new version"
        updated = (
            to_local(item.updated_at).strftime("%Y-%m-%d %H:%M %z")
            if item.updated_at
            else "not stated"
        )
        print(
            f"{report.region}: {item.filename}: {outcome} (source {item.source}, updated {updated})"
        )
        for day in item.days:
            statuses = ", ".join(f"{status} {count}" for status, count in day.statuses.items())
            print(f"  {day.date}  {day.queues} queues  {statuses}")
        if not item.days:
            print("  no day schedules in this file")
        if item.templates:
            print(f"  weekly template for {item.templates} queues")
        if item.ignored_queues:
            print(
                f"  template queues this region does not have, ignored: {', '.join(item.ignored_queues)}"
            )


def print_address_report(report: AddressImportReport) -> None:
    print(
        f"{report.region}: {report.source}: settlements {report.settlements_added} new; "
        f"streets {report.streets_added} new, {report.streets_matched} known, "
        f"{report.aliases_added} other names; "
        f"buildings {report.buildings_added} new, {report.buildings_updated} updated"
    )


@asynccontextmanager
async def _session(settings: Settings) -> AsyncGenerator[AsyncSession, None]:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(file=str(path), reason=error.strerror or str(error)) from error
