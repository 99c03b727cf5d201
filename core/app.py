"""`create_app(settings)`: the Litestar application and the order its resources open and close."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from core import health
from core.addresses.api import AddressController
from core.db import create_engine, session_factory
from core.deps import provide_registry, provide_session, provide_settings
from core.fastpath import FastPath
from core.indexes import Indexes
from core.jobs import embedded_runner
from core.logs import configure_logging
from core.notifications.api import SubscriptionController
from core.outages.api import OutageController
from core.outages.calendar_api import CalendarController
from core.outages.staff_api import OutageStaffController
from core.plugins import build_plugin_manager
from core.problems import EXCEPTION_HANDLERS
from core.readings.api import (
    AccountAdminController,
    AuthController,
    CustomerAccountController,
    SmsController,
)
from core.readings.staff_api import ReadingBatchStaffController
from core.regions_api import list_regions
from core.schedules.api import (
    QueueScheduleController,
    ScheduleImportController,
    ScheduleVersionController,
)
from core.settings import Settings, load_settings
from core.web.pages import PageController

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, *, fast_path: bool = True) -> Litestar:
    """Build the app. With `fast_path=False` only the Litestar routes serve the lookup path."""
    settings = settings or load_settings()
    configure_logging(settings.platform.log_level, settings.platform.log_format)
    registry = build_plugin_manager(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        # The engine opens first and closes last: every other resource may use it.
        engine = create_engine(settings.database_url, echo=settings.platform.database.echo)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        # The indexes load before the first request and then follow the change counters.
        indexes = Indexes(app.state.sessions)
        app.state.indexes = indexes
        await _first_build(indexes)
        indexes.start(settings.platform.index_poll_seconds)
        # Without Redis, this process also runs the job worker and the outbox relay; it starts
        # after the engine and stops before it, so running jobs can finish their writes.
        jobs = embedded_runner(settings, app.state.sessions)
        if jobs is not None:
            await jobs.start()
        log.info("app.started", regions=registry.regions, database=engine.url.get_backend_name())
        try:
            yield
        finally:
            if jobs is not None:
                await jobs.stop()
            await indexes.stop()
            await engine.dispose()
            log.info("app.stopped")

    async def publish_change(region: str) -> None:
        log.info("schedule.change_published", region=region)
        await app.state.indexes.refresh()

    app = Litestar(
        route_handlers=[
            health.live,
            health.ready,
            list_regions,
            QueueScheduleController,
            ScheduleVersionController,
            OutageController,
            CalendarController,
            AddressController,
            ScheduleImportController,
            OutageStaffController,
            ReadingBatchStaffController,
            SubscriptionController,
            PageController,
            AuthController,
            AccountAdminController,
            CustomerAccountController,
            SmsController,
        ],
        dependencies={
            "session": Provide(provide_session),
            "registry": Provide(provide_registry, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(title="dso-platform", version="0.1.0", path="/schema"),
        request_max_body_size=settings.platform.limits.max_source_bytes,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.publish_change = publish_change
    if fast_path:
        # The fast path handles the lookup-path GET requests before Litestar routes them. The
        # rest, lifespan included, reach Litestar as before.
        app.asgi_handler = FastPath(app.state, app.asgi_handler)
    return app


async def _first_build(indexes: Indexes) -> None:
    """Build the indexes at start; a database that is down leaves them empty until the next poll."""
    try:
        await indexes.refresh(force=True)
    except Exception as error:
        log.error("index.first_build_failed", error=type(error).__name__, detail=str(error)[:200])
