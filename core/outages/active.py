"""Outages that staff recorded and have not resolved, held in memory for the lookup path."""

import datetime as dt
from collections import defaultdict

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.outages.models import Outage, RestorationEstimate


class ActiveOutage(msgspec.Struct, frozen=True):
    id: int
    region: str
    kind: str
    cause: str
    note: str
    building_ids: frozenset[int]
    street_id: int | None
    node: tuple[str, str] | None
    starts_at: dt.datetime
    estimated_restoration: dt.datetime | None
    estimates: tuple[tuple[dt.datetime | None, dt.datetime], ...]


class ActiveOutages:
    """Unresolved outages of every region, found by building, street or network node."""

    def __init__(self, outages: list[ActiveOutage] | None = None, version: int = 0) -> None:
        self.version = version
        self._by_region: dict[str, list[ActiveOutage]] = defaultdict(list)
        for outage in outages or []:
            self._by_region[outage.region].append(outage)

    def affecting(
        self, region: str, building_id: int, street_id: int, nodes: dict[str, str | None]
    ) -> list[ActiveOutage]:
        """Return the outages whose target covers the building, by id, street or grid node."""
        found = []
        for outage in self._by_region.get(region, []):
            if (
                building_id in outage.building_ids
                or outage.street_id == street_id
                or (outage.node is not None and nodes.get(outage.node[0]) == outage.node[1])
            ):
                found.append(outage)
        return sorted(found, key=lambda o: o.starts_at)


async def load_active_outages(session: AsyncSession, version: int = 0) -> ActiveOutages:
    estimates: dict[int, list[tuple[dt.datetime | None, dt.datetime]]] = defaultdict(list)
    rows = await session.execute(
        select(
            RestorationEstimate.outage_id,
            RestorationEstimate.estimated_restoration,
            RestorationEstimate.recorded_at,
        )
        .join(Outage, Outage.id == RestorationEstimate.outage_id)
        .where(Outage.resolved_at.is_(None))
        .order_by(RestorationEstimate.id)
    )
    for outage_id, estimate, recorded_at in rows.all():
        estimates[outage_id].append((estimate, recorded_at))

    outages = await session.scalars(select(Outage).where(Outage.resolved_at.is_(None)))
    return ActiveOutages([_active(o, estimates[o.id]) for o in outages], version)


def _active(
    outage: Outage, estimates: list[tuple[dt.datetime | None, dt.datetime]]
) -> ActiveOutage:
    target = outage.target
    return ActiveOutage(
        id=outage.id,
        region=outage.region,
        kind=outage.kind,
        cause=outage.cause,
        note=outage.note,
        building_ids=frozenset(target) if outage.target_kind == "buildings" else frozenset(),
        street_id=int(target) if outage.target_kind == "street" else None,
        node=(target["kind"], str(target["id"])) if outage.target_kind == "node" else None,
        starts_at=outage.starts_at,
        estimated_restoration=outage.estimated_restoration,
        estimates=tuple(estimates),
    )
