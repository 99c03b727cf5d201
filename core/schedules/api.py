"""Schedule routes: a queue's day schedule for customers, the import endpoint for staff."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.openapi import ResponseSpec
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import parse_date, region_settings, require_staff
from core.errors import PayloadTooLargeError
from core.http_cache import cached_json
from core.plugins import PluginRegistry
from core.schedules import versions, views
from core.schedules.schemas import ImportReport, QueueDayOut, VersionOut, WeeklyTemplateOut
from core.schedules.service import SourceUpload, import_schedule, read_uploads
from core.settings import Settings
from core.timezone import local_day, now_utc


class QueueScheduleController(Controller):
    path = "/api/v1/regions/{region:str}/queues"
    tags = ["schedules"]

    @get(
        "/{queue:str}/schedule",
        responses={200: ResponseSpec(data_container=QueueDayOut, description="The queue's day")},
        operation_id="getQueueSchedule",
        summary="One queue's schedule on one date",
    )
    async def queue_schedule(
        self,
        region: str,
        queue: str,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        request: Request[Any, Any, Any],
        date: str | None = Parameter(
            default=None, description="Local date YYYY-MM-DD; today by default."
        ),
    ) -> Response[bytes]:
        config = region_settings(settings, registry, region)
        day = parse_date(date, default=local_day(now_utc()))
        return cached_json(request, await views.queue_day(session, config, queue, day))

    @get(
        "/{queue:str}/template",
        responses={
            200: ResponseSpec(data_container=WeeklyTemplateOut, description="The weekly template")
        },
        operation_id="getQueueTemplate",
        summary="One queue's weekly template of possible outages",
    )
    async def queue_template(
        self,
        region: str,
        queue: str,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        config = region_settings(settings, registry, region)
        template = await versions.weekly_template(session, config, views.known_queue(config, queue))
        return cached_json(request, template)


class ScheduleVersionController(Controller):
    path = "/api/v1/regions/{region:str}/schedule"
    tags = ["schedules"]

    @get(
        "/version",
        operation_id="getScheduleVersion",
        summary="The newest schedule version: a cheap check for changes",
    )
    async def version(
        self,
        region: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
    ) -> Response[Any]:
        region_settings(settings, registry, region)
        state = await versions.version_state(session, region)
        headers = {"ETag": state.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == state.etag:
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=state, headers=headers)

    @get(
        "/versions",
        operation_id="listScheduleVersions",
        summary="Versions newer than `since`, with what each changed",
    )
    async def versions(
        self,
        region: str,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        since: int = Parameter(default=0, ge=0, description="Return versions with a larger id."),
        limit: int = Parameter(default=20, ge=1, le=100),
    ) -> list[VersionOut]:
        region_settings(settings, registry, region)
        return await versions.versions_since(session, region, since, limit)


class ScheduleImportController(Controller):
    path = "/api/v1/admin/regions/{region:str}/schedules"
    tags = ["admin"]
    dependencies = {"_staff": Provide(require_staff, sync_to_thread=False)}

    @post(
        "/",
        operation_id="importSchedule",
        summary="Import one schedule source file, sent as the raw request body",
        status_code=200,
        request_max_body_size=None,
    )
    async def import_file(
        self,
        region: str,
        request: Request,  # type: ignore[type-arg]
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
        filename: str = Parameter(
            default="upload", max_length=300, description="Name to record for the file."
        ),
    ) -> ImportReport:
        config = region_settings(settings, registry, region)
        content = await _read_limited(request, settings.platform.limits.max_source_bytes)
        parsed = await read_uploads(
            registry.for_region(region), config, [SourceUpload(filename, content)]
        )
        async with session.begin():
            report = await import_schedule(session, config, parsed)
        await request.app.state.publish_change(region)
        return report


async def _read_limited(request: Request, limit: int) -> bytes:  # type: ignore[type-arg]
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(size=f">{limit}", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)
