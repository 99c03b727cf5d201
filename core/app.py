"""`create_app(settings)`: the Litestar application and the order its resources open and close."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from core import health
from core.db import create_engine, session_factory
from core.deps import provide_registry, provide_session, provide_settings
from core.logs import configure_logging
from core.outages.api import OutageController
from core.plugins import build_plugin_manager
from core.problems import EXCEPTION_HANDLERS
from core.regions_api import list_regions
from core.schedules.api import QueueScheduleController, ScheduleImportController
from core.settings import Settings, load_settings

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.platform.log_level, settings.platform.log_format)
    registry = build_plugin_manager(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        # The engine opens first and closes last: every other resource may use it.
        engine = create_engine(settings.database_url, echo=settings.platform.database.echo)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        log.info("app.started", regions=registry.regions, database=engine.url.get_backend_name())
        try:
            yield
        finally:
            await engine.dispose()
            log.info("app.stopped")

    async def publish_change(region: str) -> None:
        log.info("schedule.change_published", region=region)

    app = Litestar(
        route_handlers=[
            health.live,
            health.ready,
            list_regions,
            QueueScheduleController,
            OutageController,
            ScheduleImportController,
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
    return app
