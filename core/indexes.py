"""What each worker process keeps in memory, and how it learns that the data changed.

At start the worker builds its indexes from the database. A background task then reads the
change counters every `poll_seconds` and rebuilds an index whose counter moved, so a change
made by any process reaches every worker within that interval. If the database cannot be
reached, the worker keeps serving the last index it built.
"""

import asyncio
import contextlib
import datetime as dt
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker

from core import data_versions
from core.addresses.index import AddressIndex, build_address_index
from core.outages.active import ActiveOutages, load_active_outages
from core.schedules.memory import ScheduleIndex, load_schedule_index
from core.timezone import local_day, now_utc

log = structlog.get_logger(__name__)


class Indexes:
    """The current in-memory indexes of this worker."""

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self.address = AddressIndex(regions={})
        self.outages = ActiveOutages()
        self.schedules = ScheduleIndex()
        self.versions: dict[str, int] = {}
        self.built_at: dt.datetime | None = None
        self.last_check_ok = False
        self._task: asyncio.Task[None] | None = None

    async def refresh(self, *, force: bool = False) -> bool:
        """Rebuild what changed since the last build; return whether anything was rebuilt.

        The schedules are also reloaded when the local day changes, since they are held for the
        days around today.
        """
        today = local_day(now_utc())
        async with self._sessions() as session:
            versions = await data_versions.read_all(session)
            addresses = force or self._moved(versions, data_versions.ADDRESSES)
            outages = force or self._moved(versions, data_versions.OUTAGES)
            schedules = (
                force
                or self._moved(versions, data_versions.SCHEDULES)
                or self.schedules.today != today
            )
            if addresses:
                self.address = await build_address_index(
                    session, versions.get(data_versions.ADDRESSES, 0)
                )
            if outages:
                self.outages = await load_active_outages(
                    session, versions.get(data_versions.OUTAGES, 0)
                )
            if schedules:
                self.schedules = await load_schedule_index(
                    session, today, versions.get(data_versions.SCHEDULES, 0)
                )

        changed = addresses or outages or schedules
        if changed:
            self.built_at = now_utc()
            log.info(
                "index.rebuilt",
                addresses=addresses,
                outages=outages,
                schedules=schedules,
                versions=versions,
            )
        self.versions = versions
        self.last_check_ok = True
        return changed

    def _moved(self, versions: dict[str, int], name: str) -> bool:
        return versions.get(name) != self.versions.get(name)

    def start(self, poll_seconds: float) -> None:
        self._task = asyncio.create_task(self._poll(poll_seconds), name="indexes.poll")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self, poll_seconds: float) -> None:
        while True:
            await asyncio.sleep(poll_seconds)
            try:
                await self.refresh()
            except Exception as error:
                if self.last_check_ok:
                    log.warning(
                        "index.refresh_failed", error=type(error).__name__, detail=str(error)[:200]
                    )
                self.last_check_ok = False
