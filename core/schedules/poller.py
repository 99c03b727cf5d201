"""Fetch each region's configured schedule sources and import what changed.

Each fetch is a conditional request (If-None-Match and If-Modified-Since from the last response),
so an unchanged source costs one 304. A changed body goes through the same reader and import as
a file given to `dso import schedule`: identical content makes no new version, and a malformed
answer changes nothing.
"""

import asyncio
from typing import Any

import httpx
import msgspec
import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.errors import DsoError
from core.plugins import PluginRegistry
from core.schedules.schemas import ImportReport
from core.schedules.service import SourceUpload, import_schedule, read_uploads
from core.settings import ScheduleSource, Settings

log = structlog.get_logger(__name__)

TIMEOUT_SECONDS = 30.0


class PollResult(msgspec.Struct, frozen=True):
    """One fetch: `status` is `unchanged` (304), `imported`, or `failed` with the reason."""

    region: str
    source: str
    status: str
    report: ImportReport | None = None
    reason: str = ""


class SourcePoller:
    """Conditional fetches of every polled source, remembering each source's validators."""

    def __init__(
        self, settings: Settings, registry: PluginRegistry, sessions: async_sessionmaker[Any]
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.sessions = sessions
        self._validators: dict[tuple[str, str], dict[str, str]] = {}

    def sources(self) -> list[tuple[str, ScheduleSource]]:
        return [
            (code, source)
            for code in self.registry.regions
            for source in self.settings.regions[code].schedule_sources
            if source.url and source.poll_seconds > 0
        ]

    async def poll_once(
        self, client: httpx.AsyncClient, region: str, source: ScheduleSource
    ) -> PollResult:
        key = (region, source.url)
        try:
            response = await client.get(
                source.url, headers=self._validators.get(key, {}), timeout=TIMEOUT_SECONDS
            )
        except httpx.HTTPError as error:
            log.warning(
                "poller.fetch_failed", region=region, url=source.url, error=type(error).__name__
            )
            return PollResult(region, source.name, "failed", reason=type(error).__name__)
        if response.status_code == 304:
            return PollResult(region, source.name, "unchanged")
        if response.status_code != 200:
            log.warning(
                "poller.bad_status", region=region, url=source.url, status=response.status_code
            )
            return PollResult(region, source.name, "failed", reason=f"HTTP {response.status_code}")

        result = await self._import(region, source, response.content)
        if result.status == "imported":
            self._validators[key] = _validators(response)
        return result

    async def _import(self, region: str, source: ScheduleSource, content: bytes) -> PollResult:
        filename = f"{source.name} ({source.url})"
        try:
            parsed = await read_uploads(
                self.registry.for_region(region),
                self.settings.regions[region],
                [SourceUpload(filename, content)],
            )
            async with self.sessions() as session, session.begin():
                report = await import_schedule(session, self.settings.regions[region], parsed)
        except DsoError as error:
            log.error(
                "poller.import_failed",
                region=region,
                url=source.url,
                code=error.code,
                detail=str(error)[:300],
            )
            return PollResult(region, source.name, "failed", reason=error.code)
        return PollResult(region, source.name, "imported", report=report)

    async def run(self, *, rounds: int | None = None) -> None:
        """Poll every source on its own interval; stop after `rounds` passes when given."""
        sources = self.sources()
        if not sources:
            log.info("poller.nothing_to_poll")
            return
        async with httpx.AsyncClient(follow_redirects=True) as client:
            await asyncio.gather(
                *(self._loop(client, region, source, rounds) for region, source in sources)
            )

    async def _loop(
        self, client: httpx.AsyncClient, region: str, source: ScheduleSource, rounds: int | None
    ) -> None:
        done = 0
        while rounds is None or done < rounds:
            result = await self.poll_once(client, region, source)
            log.info("poller.polled", region=region, source=source.name, status=result.status)
            done += 1
            if rounds is None or done < rounds:
                await asyncio.sleep(source.poll_seconds)


def _validators(response: httpx.Response) -> dict[str, str]:
    headers = {}
    if etag := response.headers.get("etag"):
        headers["If-None-Match"] = etag
    if modified := response.headers.get("last-modified"):
        headers["If-Modified-Since"] = modified
    return headers
