"""The current day schedules of every region around today, held in memory for the lookup path."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.regions import Region
from core.schedules.service import StoredDay, current_days, latest_source

# Days kept in memory around today: yesterday for "power is on since", tomorrow for "next
# outage", and one more each side so a worker that has not yet noticed midnight still answers.
WINDOW_BEFORE = 2
WINDOW_AFTER = 2


class ScheduleIndex:
    """Current schedules per region for the days around `today`, and each region's newest source."""

    def __init__(self, today: dt.date | None = None, version: int = 0) -> None:
        self.today = today
        self.version = version
        self.days: dict[str, dict[tuple[str, dt.date], StoredDay]] = {}
        self.latest: dict[str, tuple[str, dt.datetime | None]] = {}

    def covers(self, days: list[dt.date]) -> bool:
        if self.today is None:
            return False
        first = self.today - dt.timedelta(days=WINDOW_BEFORE)
        last = self.today + dt.timedelta(days=WINDOW_AFTER)
        return all(first <= day <= last for day in days)

    def for_queues(
        self, region: str, queues: tuple[str, ...], days: list[dt.date]
    ) -> dict[tuple[str, dt.date], StoredDay]:
        stored = self.days.get(region, {})
        return {(q, d): stored[(q, d)] for q in queues for d in days if (q, d) in stored}


async def load_schedule_index(
    session: AsyncSession, today: dt.date, version: int = 0
) -> ScheduleIndex:
    index = ScheduleIndex(today, version)
    days = [today + dt.timedelta(days=offset) for offset in range(-WINDOW_BEFORE, WINDOW_AFTER + 1)]
    for region in await session.scalars(select(Region.code)):
        index.days[region] = await current_days(session, region, days=days)
        latest = await latest_source(session, region)
        if latest is not None:
            index.latest[region] = latest
    return index
