"""Planned works and emergency outages that staff create, re-estimate and resolve.

Each change is one transaction that also bumps the outage change counter, so every worker's
lookup shows it within its poll interval, and each change is written to the audit log.
"""

import datetime as dt
from typing import Any

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import data_versions
from core.addresses.index import RegionIndex
from core.errors import (
    BuildingNotFoundError,
    InvalidTimeRangeError,
    OutageNotFoundError,
    OutageResolvedError,
    OutageTargetError,
    StreetNotFoundError,
)
from core.i18n import translate
from core.outages.models import Outage, RestorationEstimate
from core.outages.schemas_staff import (
    CauseCategory,
    EstimateOut,
    OutageCreate,
    OutageOut,
    OutageUpdate,
)
from core.regions import ensure_region
from core.settings import RegionSettings
from core.timezone import KYIV, UTC, now_utc, to_local

audit = structlog.get_logger("audit")

CAUSE_TEXT = {
    CauseCategory.MAINTENANCE: "Planned maintenance",
    CauseCategory.EQUIPMENT_FAILURE: "Equipment failure",
    CauseCategory.WEATHER: "Weather",
    CauseCategory.HOSTILE_ATTACK: "Damage from a hostile attack",
    CauseCategory.GRID_RESTRICTIONS: "Grid restrictions ordered by the transmission system operator",
    CauseCategory.OVERLOAD: "Network overload",
    CauseCategory.CONNECTION_WORKS: "Connection works",
    CauseCategory.OTHER: "Other cause",
}


def cause_text(cause: str, locale: str) -> str:
    return translate(CAUSE_TEXT.get(CauseCategory(cause), "Other cause"), locale)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Read a time without an offset as Kyiv wall clock."""
    return (value if value.tzinfo else value.replace(tzinfo=KYIV)).astimezone(UTC)


async def create_outage(
    session: AsyncSession, region: RegionSettings, index: RegionIndex, body: OutageCreate
) -> Outage:
    target_kind, target = _target(index, region.code, body)
    starts_at = as_utc(body.starts_at)
    estimate = as_utc(body.estimated_restoration) if body.estimated_restoration else None
    _check_range(starts_at, estimate)

    await ensure_region(session, region)
    now = now_utc()
    outage = Outage(
        region=region.code,
        kind=body.kind.value,
        cause=body.cause.value,
        note=body.note[:2000],
        target_kind=target_kind,
        target=target,
        starts_at=starts_at,
        estimated_restoration=estimate,
        created_at=now,
        updated_at=now,
    )
    session.add(outage)
    await session.flush()
    session.add(
        RestorationEstimate(outage_id=outage.id, estimated_restoration=estimate, recorded_at=now)
    )
    await data_versions.bump(session, data_versions.OUTAGES)
    audit.info(
        "audit.outage_created",
        region=region.code,
        outage_id=outage.id,
        kind=outage.kind,
        target_kind=target_kind,
    )
    return outage


async def update_outage(
    session: AsyncSession, region: str, outage_id: int, body: OutageUpdate
) -> Outage:
    outage = await _open_outage(session, region, outage_id)
    now = now_utc()
    if body.estimated_restoration is not msgspec.UNSET:
        estimate = as_utc(body.estimated_restoration) if body.estimated_restoration else None
        _check_range(outage.starts_at, estimate)
        outage.estimated_restoration = estimate
        session.add(
            RestorationEstimate(
                outage_id=outage.id, estimated_restoration=estimate, recorded_at=now
            )
        )
    if isinstance(body.cause, CauseCategory):
        outage.cause = body.cause.value
    if isinstance(body.note, str):
        outage.note = body.note[:2000]
    outage.updated_at = now
    await data_versions.bump(session, data_versions.OUTAGES)
    audit.info("audit.outage_updated", region=region, outage_id=outage.id)
    return outage


async def resolve_outage(session: AsyncSession, region: str, outage_id: int) -> Outage:
    outage = await _open_outage(session, region, outage_id)
    outage.resolved_at = outage.updated_at = now_utc()
    await data_versions.bump(session, data_versions.OUTAGES)
    audit.info("audit.outage_resolved", region=region, outage_id=outage.id)
    return outage


async def get_outage(session: AsyncSession, region: str, outage_id: int) -> Outage:
    outage = await session.get(Outage, outage_id)
    if outage is None or outage.region != region:
        raise OutageNotFoundError(field="outage_id", outage_id=outage_id, region=region)
    return outage


async def list_outages(session: AsyncSession, region: str, *, active_only: bool) -> list[Outage]:
    query = (
        select(Outage).where(Outage.region == region).order_by(Outage.starts_at.desc()).limit(500)
    )
    if active_only:
        query = query.where(Outage.resolved_at.is_(None))
    return list(await session.scalars(query))


async def outage_out(session: AsyncSession, outage: Outage, locale: str) -> OutageOut:
    estimates = await session.scalars(
        select(RestorationEstimate)
        .where(RestorationEstimate.outage_id == outage.id)
        .order_by(RestorationEstimate.id)
    )
    return OutageOut(
        id=outage.id,
        region=outage.region,
        kind=outage.kind,
        cause=outage.cause,
        cause_text=cause_text(outage.cause, locale),
        note=outage.note,
        target_kind=outage.target_kind,
        target=outage.target,
        starts_at=to_local(outage.starts_at),
        estimated_restoration=_local(outage.estimated_restoration),
        resolved_at=_local(outage.resolved_at),
        estimates=[
            EstimateOut(_local(e.estimated_restoration), to_local(e.recorded_at)) for e in estimates
        ],
    )


async def _open_outage(session: AsyncSession, region: str, outage_id: int) -> Outage:
    outage = await get_outage(session, region, outage_id)
    if outage.resolved_at is not None:
        raise OutageResolvedError(
            outage_id=outage_id, resolved_at=to_local(outage.resolved_at).isoformat()
        )
    return outage


def _target(index: RegionIndex, region: str, body: OutageCreate) -> tuple[str, Any]:
    given = [body.building_ids is not None, body.street_id is not None, body.node is not None]
    if sum(given) != 1 or (body.building_ids is not None and not body.building_ids):
        raise OutageTargetError(field="building_ids")
    if body.building_ids is not None:
        for building_id in body.building_ids:
            if building_id not in index.buildings:
                raise BuildingNotFoundError(
                    field="building_ids", building_id=building_id, region=region
                )
        return "buildings", sorted(set(body.building_ids))
    if body.street_id is not None:
        if body.street_id not in index.streets:
            raise StreetNotFoundError(field="street_id", street_id=body.street_id, region=region)
        return "street", body.street_id
    assert body.node is not None
    return "node", {"kind": body.node.kind.value, "id": body.node.id[:100]}


def _check_range(starts_at: dt.datetime, estimate: dt.datetime | None) -> None:
    if estimate is not None and estimate <= starts_at:
        raise InvalidTimeRangeError(
            field="estimated_restoration",
            start=to_local(starts_at).isoformat(),
            end=to_local(estimate).isoformat(),
        )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return to_local(value) if value else None
