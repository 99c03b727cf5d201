"""Schedule routes: a queue's day schedule for customers, the import endpoint for staff."""

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import parse_date, region_settings, require_staff
from core.errors import PayloadTooLargeError
from core.plugins import PluginRegistry
from core.schedules import views
from core.schedules.schemas import ImportReport, QueueDayOut
from core.schedules.service import SourceUpload, import_schedule, read_uploads
from core.settings import Settings
from core.timezone import local_day, now_utc


class QueueScheduleController(Controller):
    path = "/api/v1/regions/{region:str}/queues"
    tags = ["schedules"]

    @get(
        "/{queue:str}/schedule",
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
        date: str | None = Parameter(
            default=None, description="Local date YYYY-MM-DD; today by default."
        ),
    ) -> QueueDayOut:
        config = region_settings(settings, registry, region)
        day = parse_date(date, default=local_day(now_utc()))
        return await views.queue_day(session, config, queue, day)


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
