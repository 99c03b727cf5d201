"""Staff routes for planned works and emergency outages, guarded by the staff token."""

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import region_settings, require_staff
from core.outages import staff
from core.outages.schemas_staff import OutageCreate, OutageOut, OutageUpdate
from core.plugins import PluginRegistry
from core.problems import request_locale
from core.settings import Settings


class OutageStaffController(Controller):
    path = "/api/v1/admin/regions/{region:str}/outages"
    tags = ["admin"]
    dependencies = {"_staff": Provide(require_staff, sync_to_thread=False)}

    @post(
        "/",
        operation_id="createOutage",
        summary="Record planned works or an emergency outage",
        status_code=201,
    )
    async def create(
        self,
        region: str,
        data: OutageCreate,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> OutageOut:
        config = region_settings(settings, registry, region)
        index = request.app.state.indexes.address.region(region)
        async with session.begin():
            outage = await staff.create_outage(session, config, index, data)
        return await _published(request, session, outage)

    @patch(
        "/{outage_id:int}",
        operation_id="updateOutage",
        summary="Change the restoration estimate, cause or note",
    )
    async def update(
        self,
        region: str,
        outage_id: int,
        data: OutageUpdate,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> OutageOut:
        region_settings(settings, registry, region)
        async with session.begin():
            outage = await staff.update_outage(session, region, outage_id, data)
        return await _published(request, session, outage)

    @post(
        "/{outage_id:int}/resolve",
        operation_id="resolveOutage",
        summary="Mark an outage resolved",
        status_code=200,
    )
    async def resolve(
        self,
        region: str,
        outage_id: int,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> OutageOut:
        region_settings(settings, registry, region)
        async with session.begin():
            outage = await staff.resolve_outage(session, region, outage_id)
        return await _published(request, session, outage)

    @get("/", operation_id="listOutages", summary="Outages of the region, newest first")
    async def list_all(
        self,
        region: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
        active: bool = Parameter(default=True, description="Only unresolved outages."),
    ) -> list[OutageOut]:
        region_settings(settings, registry, region)
        locale = request_locale(request)
        return [
            await staff.outage_out(session, o, locale)
            for o in await staff.list_outages(session, region, active_only=active)
        ]


async def _published(
    request: Request[Any, Any, Any], session: AsyncSession, outage: Any
) -> OutageOut:
    """Make this worker see the change at once; the others see it at their next poll."""
    await request.app.state.indexes.refresh()
    return await staff.outage_out(session, outage, request_locale(request))
