"""The outage lookup route: one building, now."""

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.service import building_by_id, find_building, split_address
from core.deps import clean_text, parse_at, region_settings
from core.errors import InvalidQueryError
from core.outages.schemas import OutageLookupOut
from core.outages.service import lookup_outages
from core.plugins import PluginRegistry
from core.settings import Settings


class OutageController(Controller):
    path = "/api/v1/regions/{region:str}/outages"
    tags = ["outages"]

    @get(
        "/",
        operation_id="lookupOutages",
        summary="Queue, state now and next outage of one building",
    )
    async def lookup(
        self,
        region: str,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        street: str | None = Parameter(
            default=None, description="Street as the customer typed it.", max_length=200
        ),
        house: str | None = Parameter(
            default=None, description="House number, e.g. 71/З or 12 корп. 2.", max_length=40
        ),
        address: str | None = Parameter(
            default=None, description="Street and house in one text.", max_length=200
        ),
        building_id: int | None = Parameter(default=None, ge=1, le=2**31 - 1),
        at: str | None = Parameter(
            default=None,
            description="Answer as of this ISO 8601 time; now by default.",
            max_length=40,
        ),
    ) -> OutageLookupOut:
        region_settings(settings, registry, region)
        instant = parse_at(at)
        if building_id is not None:
            building = await building_by_id(session, region, building_id)
        else:
            street_text, house_text = _street_and_house(
                clean_text(street), clean_text(house), clean_text(address)
            )
            building = await find_building(session, region, street=street_text, house=house_text)
        return await lookup_outages(session, region, building, instant)


def _street_and_house(
    street: str | None, house: str | None, address: str | None
) -> tuple[str, str]:
    if street and street.strip() and house and house.strip():
        return street.strip(), house.strip()
    if address and address.strip():
        return split_address(address)
    raise InvalidQueryError(
        field="address",
        name="address",
        reason="give 'street' and 'house', or 'address', or 'building_id'",
    )
