"""Calendar (ICS) feed routes: the outages of one queue or of one building's queues."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses.service import BuildingMatch, building_by_id
from core.deps import parse_at, region_settings
from core.http_cache import conditional_response
from core.i18n import negotiate_locale
from core.outages.calendar import CalendarFeed, QueueSchedules, calendar_ics
from core.plugins import PluginRegistry
from core.schedules.service import current_days, current_templates
from core.schedules.views import known_queue
from core.settings import RegionSettings, Settings
from core.timezone import local_day, now_utc

# Litestar appends "; charset=utf-8" to a text/* media type.
CALENDAR_MEDIA_TYPE = "text/calendar"


class CalendarController(Controller):
    path = "/api/v1/regions/{region:str}"
    tags = ["outages"]

    @get(
        "/queues/{queue:str}/calendar.ics",
        operation_id="getQueueCalendar",
        summary="Calendar feed of one queue's outages",
        media_type=CALENDAR_MEDIA_TYPE,
    )
    async def queue_calendar(
        self,
        region: str,
        queue: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        at: str | None = Parameter(
            default=None,
            description="Build the feed as of this ISO 8601 time; now by default.",
            max_length=40,
        ),
        lang: str | None = Parameter(
            default=None, description="Language of the texts: uk (default) or en.", max_length=8
        ),
    ) -> Response[bytes]:
        config = region_settings(settings, registry, region)
        locale = negotiate_locale(request.headers.get("accept-language"), lang)
        feed = await queue_feed(session, config, known_queue(config, queue), parse_at(at), locale)
        return calendar_response(request, feed, locale, f"{region}-{feed.queues[0].queue}.ics")

    @get(
        "/buildings/{building_id:int}/calendar.ics",
        operation_id="getBuildingCalendar",
        summary="Calendar feed of the outages of every queue that feeds one building",
        media_type=CALENDAR_MEDIA_TYPE,
    )
    async def building_calendar(
        self,
        region: str,
        building_id: int,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        at: str | None = Parameter(
            default=None,
            description="Build the feed as of this ISO 8601 time; now by default.",
            max_length=40,
        ),
        lang: str | None = Parameter(
            default=None, description="Language of the texts: uk (default) or en.", max_length=8
        ),
    ) -> Response[bytes]:
        config = region_settings(settings, registry, region)
        locale = negotiate_locale(request.headers.get("accept-language"), lang)
        building = building_by_id(
            request.app.state.indexes.address.region(region), region, building_id
        )
        feed = await building_feed(session, config, building, parse_at(at), locale)
        return calendar_response(request, feed, locale, f"{region}-building-{building_id}.ics")


async def queue_feed(
    session: AsyncSession, region: RegionSettings, queue: str, at: dt.datetime, locale: str
) -> CalendarFeed:
    """Gather the feed of one known queue as of instant `at`."""
    today = local_day(at)
    schedules = await _queue_schedules(session, region.code, [queue], today)
    return CalendarFeed(region.code, _region_name(region, locale), today, schedules)


async def building_feed(
    session: AsyncSession,
    region: RegionSettings,
    building: BuildingMatch,
    at: dt.datetime,
    locale: str,
) -> CalendarFeed:
    """Gather the feed of every queue that feeds `building` as of instant `at`."""
    today = local_day(at)
    schedules = await _queue_schedules(session, region.code, building.queues, today)
    return CalendarFeed(
        region=region.code,
        region_name=_region_name(region, locale),
        today=today,
        queues=schedules,
        address=_address(building),
        other_operator=_operator(building),
    )


async def _queue_schedules(
    session: AsyncSession, region: str, queues: Sequence[str], today: dt.date
) -> tuple[QueueSchedules, ...]:
    """Read the current day schedules of yesterday through tomorrow, and the weekly templates."""
    if not queues:
        return ()
    days = [today + dt.timedelta(days=offset) for offset in (-1, 0, 1)]
    stored = await current_days(session, region, days=days, queues=queues)
    templates = await current_templates(session, region)
    return tuple(
        QueueSchedules(
            queue=queue,
            days=tuple(stored[(queue, day)].schedule for day in days if (queue, day) in stored),
            template=templates.get(queue),
        )
        for queue in queues
    )


def calendar_response(
    request: Request[Any, Any, Any], feed: CalendarFeed, locale: str, filename: str
) -> Response[bytes]:
    """Return the feed with an ETag of its content, so a calendar app's hourly refresh of an
    unchanged feed gets a 304. The tag leaves out DTSTAMP, which is the time of each request."""
    return conditional_response(
        request,
        calendar_ics(feed, locale=locale, stamp=now_utc()),
        media_type=CALENDAR_MEDIA_TYPE,
        tag_source=msgspec.json.encode((feed, locale)),
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _region_name(region: RegionSettings, locale: str) -> str:
    return region.name_en if locale == "en" else region.name_uk


def _address(building: BuildingMatch) -> str:
    street = f"{building.street} {building.house}"
    return f"{building.settlement}, {street}" if building.settlement else street


def _operator(building: BuildingMatch) -> str | None:
    if building.other_operator is None:
        return None
    contacts = [c for c in (building.other_operator_phone, building.other_operator_website) if c]
    if not contacts:
        return building.other_operator
    return f"{building.other_operator} ({', '.join(contacts)})"
