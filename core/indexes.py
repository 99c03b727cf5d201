"""What each worker process keeps in memory, and how it learns that the data changed.

At start the worker builds its indexes from the database. A background task then reads the
change counters every `poll_seconds` and rebuilds an index whose counter moved, so a change
made by any process reaches every worker within that interval. If the database cannot be
reached, the worker keeps serving the last index it built.
"""

import asyncio
import contextlib
import datetime as dt
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import data_versions
from core.addresses import snapshot
from core.addresses.index import AddressIndex, build_address_index
from core.outages.active import ActiveOutages, load_active_outages
from core.schedules.memory import ScheduleIndex, load_schedule_index
from core.timezone import local_day, now_utc

log = structlog.get_logger(__name__)


def _swap_frozen(swap: Callable[[], None]) -> None:
    """Replace the address index and move the new one out of the garbage collector's way.

    A full collection walks every tracked object, and with a million-building index in memory
    that took about 100 ms per pass under load. The index is read-only once built, so it is
    frozen into the permanent generation; the old one is unfrozen and collected first, or its
    reference cycles would never be freed.
    """
    gc.unfreeze()
    swap()
    gc.collect()
    gc.freeze()


class Indexes:
    """The current in-memory indexes of this worker."""

    def __init__(
        self, sessions: async_sessionmaker[Any], snapshot_path: Path | None = None
    ) -> None:
        self._sessions = sessions
        # Where the address index is saved after a build and loaded from at the next start;
        # `DSO_INDEX_SNAPSHOT` when not given, and no snapshot when that is unset.
        self._snapshot_path = snapshot_path or snapshot.snapshot_path_from_env()
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
                address = await self._address_index(
                    session, versions.get(data_versions.ADDRESSES, 0)
                )
                _swap_frozen(lambda: setattr(self, "address", address))
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

    async def _address_index(self, session: AsyncSession, version: int) -> AddressIndex:
        """Load the address index from the snapshot when it matches the database, else build it.

        A fresh build is saved as the new snapshot. A snapshot that cannot be read or written
        is logged and skipped: the worker then serves from the database build as it would
        without one.
        """
        path = self._snapshot_path
        if path is None:
            return await _build_timed(session, version)

        header = await _snapshot_header(session, version)
        started = time.perf_counter()
        try:
            loaded = snapshot.load_snapshot(path, header)
        except Exception as error:
            log.warning(
                "index.snapshot_load_failed",
                path=str(path),
                error=type(error).__name__,
                detail=str(error)[:200],
            )
            loaded = None
        if loaded is not None:
            log.info(
                "index.snapshot_loaded",
                path=str(path),
                version=version,
                seconds=round(time.perf_counter() - started, 2),
            )
            return loaded

        index = await _build_timed(session, version)
        try:
            seconds = await asyncio.to_thread(snapshot.save_snapshot, path, index, header)
        except OSError as error:
            log.warning(
                "index.snapshot_write_failed",
                path=str(path),
                error=type(error).__name__,
                detail=str(error)[:200],
            )
        else:
            log.info(
                "index.snapshot_written", path=str(path), version=version, seconds=round(seconds, 2)
            )
        return index

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


async def _build_timed(session: AsyncSession, version: int) -> AddressIndex:
    started = time.perf_counter()
    index = await build_address_index(session, version)
    log.info(
        "index.addresses_built",
        version=version,
        buildings=sum(len(region.buildings) for region in index.regions.values()),
        seconds=round(time.perf_counter() - started, 2),
    )
    return index


async def _snapshot_header(session: AsyncSession, version: int) -> snapshot.SnapshotHeader:
    """Describe the database state a snapshot must match: URL, address counter and its time."""
    changed_at = await session.scalar(
        select(data_versions.DataVersion.changed_at).where(
            data_versions.DataVersion.name == data_versions.ADDRESSES
        )
    )
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    return snapshot.snapshot_header(url, version, changed_at.isoformat() if changed_at else "")
