"""Liveness and readiness probes."""

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import func, select, text

from core.schedules.models import ScheduleVersion


@get("/health/live", operation_id="healthLive", tags=["health"], sync_to_thread=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", tags=["health"])
async def ready(state: State) -> Response[dict[str, Any]]:
    """Report whether the database answers and which schedule version is the newest."""
    try:
        async with state.sessions() as session:
            await session.execute(text("SELECT 1"))
            newest = await session.scalar(select(func.max(ScheduleVersion.id)))
    except Exception as error:
        body = {"status": "unavailable", "database": "unreachable", "error": type(error).__name__}
        return Response(body, status_code=503)
    return Response(
        {
            "status": "ok",
            "database": "ok",
            "schedule_version": newest,
            "regions": state.registry.regions,
        }
    )
