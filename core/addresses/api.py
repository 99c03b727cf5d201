"""Address search routes: street autocomplete, a street's buildings, free-text resolution."""

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from core.addresses import search
from core.addresses.schemas_api import BuildingOut, ResolutionOut, building_out, resolution_out
from core.deps import clean_text, region_settings
from core.errors import InvalidQueryError, StreetNotFoundError
from core.http_cache import cached_json
from core.plugins import PluginRegistry
from core.settings import Settings


def _list_of(item: type) -> dict[int, ResponseSpec]:
    return {200: ResponseSpec(data_container=list[item], description="Matches, best first")}  # type: ignore[valid-type]


class AddressController(Controller):
    path = "/api/v1/regions/{region:str}/addresses"
    tags = ["addresses"]

    @get(
        "/streets",
        responses=_list_of(search.StreetHit),
        operation_id="searchStreets",
        summary="Street autocomplete, best match first",
    )
    async def streets(
        self,
        region: str,
        request: Request[Any, Any, Any],
        settings: Settings,
        registry: PluginRegistry,
        q: str = Parameter(description="What the customer typed so far.", max_length=200),
        limit: int = Parameter(default=10, ge=1, le=50),
    ) -> Response[bytes]:
        region_settings(settings, registry, region)
        text = required_text(q, "q")
        hits = search.search_streets(request.app.state.indexes.address.region(region), text, limit)
        return cached_json(request, hits)

    @get(
        "/streets/{street_id:int}/buildings",
        responses=_list_of(BuildingOut),
        operation_id="listBuildings",
        summary="Buildings of one street",
    )
    async def buildings(
        self,
        region: str,
        street_id: int,
        request: Request[Any, Any, Any],
        settings: Settings,
        registry: PluginRegistry,
        q: str | None = Parameter(
            default=None, description="House number typed so far.", max_length=40
        ),
    ) -> Response[bytes]:
        region_settings(settings, registry, region)
        index = request.app.state.indexes.address.region(region)
        if street_id not in index.streets:
            raise StreetNotFoundError(field="street_id", street_id=street_id, region=region)
        return cached_json(
            request,
            [building_out(b) for b in search.list_buildings(index, street_id, clean_text(q))],
        )

    @get(
        "/resolve",
        responses={
            200: ResponseSpec(
                data_container=ResolutionOut, description="One building or candidates"
            )
        },
        operation_id="resolveAddress",
        summary="One building, or candidates to choose from",
    )
    async def resolve(
        self,
        region: str,
        request: Request[Any, Any, Any],
        settings: Settings,
        registry: PluginRegistry,
        address: str = Parameter(description="Street and house in one text.", max_length=200),
    ) -> Response[bytes]:
        region_settings(settings, registry, region)
        text = required_text(address, "address")
        resolution = search.resolve(request.app.state.indexes.address.region(region), text)
        return cached_json(request, resolution_out(resolution))


def required_text(value: str | None, name: str) -> str:
    """Return the cleaned text of a required parameter, or raise when nothing is left of it."""
    text = clean_text(value)
    if not text:
        raise InvalidQueryError(field=name, name=name, reason="the value is empty")
    return text
