"""Read models of the schedules domain, shaped for the API."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import UnknownQueueError
from core.schedules.model import normalize_queue_id
from core.schedules.schemas import IntervalOut, QueueDayOut, SourceOut
from core.schedules.service import current_days
from core.settings import RegionSettings
from core.timezone import local_day, now_utc, to_local


async def queue_day(
    session: AsyncSession, region: RegionSettings, queue: str, day: dt.date
) -> QueueDayOut:
    """Return the current schedule of `queue` on `day`; a day no source published is `no_data`."""
    queue_id = known_queue(region, queue)
    stored = (await current_days(session, region.code, days=[day], queues=[queue_id])).get(
        (queue_id, day)
    )
    stale = day < local_day(now_utc())
    if stored is None:
        return QueueDayOut(region.code, queue_id, day, "no_data", stale, [], None, None)

    schedule = stored.schedule
    return QueueDayOut(
        region=region.code,
        queue=queue_id,
        date=day,
        status=schedule.status.value,
        stale=stale,
        intervals=[
            IntervalOut(to_local(i.start), to_local(i.end), i.state.value)
            for i in schedule.intervals
        ],
        source=SourceOut(
            stored.source_name,
            to_local(stored.source_updated_at) if stored.source_updated_at else None,
        ),
        version=stored.version_id,
    )


def known_queue(region: RegionSettings, queue: str) -> str:
    queues = region.queue_set.ids()
    try:
        queue_id = normalize_queue_id(queue)
    except ValueError:
        queue_id = ""
    if queue_id not in queues:
        raise UnknownQueueError(
            field="queue", queue=queue[:20], region=region.code, queues=f"{queues[0]}–{queues[-1]}"
        )
    return queue_id
