"""The outage lookup route: one building, now."""

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from core.addresses import service as addresses
from core.addresses.index import RegionIndex
from core.deps import clean_text, parse_at, region_settings
from core.errors import InvalidQueryError
from core.http_cache import cached_json, seconds_until
from core.outages.schemas import OutageLookupOut
from core.outages.service import lookup_with_indexes
from core.problems import request_locale


class OutageController(Controller):
    path = "/api/v1/regions/{region:str}/outages"
    tags = ["outages"]

    @get(
        "/",
        responses={
            200: ResponseSpec(
                data_container=OutageLookupOut, description="The outage lookup for one building"
            )
        },
        operation_id="lookupOutages",
        summary="Queue, state now and next outage of one building",
    )
    async def lookup(
        self,
        region: str,
        request: Request[Any, Any, Any],
        street: str | None = Parameter(
            default=None, description="Street as the customer typed it.", max_length=200
        ),
        house: str | None = Parameter(
            default=None, description="House number, e.g. 71/З or 12 корп. 2.", max_length=40
        ),
        address: str | None = Parameter(
            default=None, description="Street and house in one text.", max_length=200
        ),
        street_id: int | None = Parameter(
            default=None, ge=1, le=2**31 - 1, description="A street id from the address search."
        ),
        building_id: int | None = Parameter(
            default=None, ge=1, le=2**31 - 1, description="A building id from the address search."
        ),
        at: str | None = Parameter(
            default=None,
            description="Time to evaluate the lookup at, ISO 8601; now by default.",
            max_length=40,
        ),
    ) -> Response[bytes]:
        # Settings, plugins and the session come from the app state rather than as injected
        # dependencies: on this hot path each dependency costs a task group per request, and
        # the session is opened only when the day lies outside the in-memory schedules.
        state = request.app.state
        config = region_settings(state.settings, state.registry, region)
        instant = parse_at(at)
        index = state.indexes.address.region(region)
        building = building_for_query(
            index,
            region,
            street_id,
            building_id,
            clean_text(street),
            clean_text(house),
            clean_text(address),
        )
        answer = await lookup_with_indexes(
            state.sessions, state.indexes, config, building, instant, request_locale(request)
        )
        return cached_json(
            request,
            answer,
            answer_max_age(answer, instant),
            tagged=msgspec.structs.replace(answer, at=TAG_EPOCH),
        )


# The `at` of the lookup answer is replaced by this instant before the ETag is computed, so
# the tag changes only when the rest of the answer changes.
TAG_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def answer_max_age(answer: OutageLookupOut, instant: dt.datetime) -> int:
    """Return the seconds the answer stays true: until the state changes or an outage starts."""
    return seconds_until(instant, answer.state.until, *next_outage_starts(answer))


def next_outage_starts(answer: OutageLookupOut) -> list[dt.datetime]:
    return [q.next_outage.start for q in answer.by_queue if q.next_outage is not None]


def building_for_query(
    index: RegionIndex,
    region: str,
    street_id: int | None,
    building_id: int | None,
    street: str | None,
    house: str | None,
    address: str | None,
) -> addresses.BuildingMatch:
    """Find the building that the lookup's query names, or raise the error sent to the customer."""
    if building_id is not None:
        return addresses.building_by_id(index, region, building_id)
    if street_id is not None and house:
        return addresses.find_on_street(index, region, street_id, house)
    if street and house:
        return addresses.find_building(index, region, street=street, house=house)
    if address:
        return addresses.resolve_text(index, region, address)
    raise InvalidQueryError(
        field="address",
        name="address",
        reason="give 'street' and 'house', or 'address', or 'street_id' and 'house', or 'building_id'",
    )
