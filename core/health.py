"""Liveness and readiness probes.

Readiness reports the database and the in-memory indexes separately: a worker whose database is
down still serves lookups from its last index, so it says how old that index is.
"""

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text

from core.timezone import now_utc, to_local


@get("/health/live", operation_id="healthLive", tags=["health"], sync_to_thread=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", operation_id="healthReady", tags=["health"])
async def ready(state: State) -> Response[dict[str, Any]]:
    """Return 200 when the database responds and 503 when it does not. Both report the index."""
    indexes = state.indexes
    body: dict[str, Any] = {
        "regions": state.registry.regions,
        "index": {
            "versions": indexes.versions,
            "built_at": to_local(indexes.built_at).isoformat() if indexes.built_at else None,
            "age_seconds": round((now_utc() - indexes.built_at).total_seconds(), 1)
            if indexes.built_at
            else None,
            "last_check_ok": indexes.last_check_ok,
        },
    }
    try:
        async with state.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:
        body |= {"status": "degraded", "database": "unreachable", "error": type(error).__name__}
        return Response(body, status_code=503)
    return Response(body | {"status": "ok", "database": "ok"})
