"""The light web pages: the list of regions and a region's outage lookup by address.

Plain server-rendered HTML with inline CSS, so the page works without JavaScript, loads
nothing from other hosts and can be saved or printed before the power and the internet go.
Errors the platform raises are shown on the page in the request's language, never as JSON.
"""

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Controller, MediaType, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from core.addresses import search
from core.addresses import service as addresses
from core.addresses.index import RegionIndex
from core.deps import clean_text, parse_at, region_settings
from core.errors import DsoError, StreetNotFoundError
from core.http_cache import MAX_AGE_SECONDS, conditional_response
from core.i18n import negotiate_locale, translate
from core.indexes import Indexes
from core.outages.service import lookup_with_indexes
from core.plugins import PluginRegistry
from core.settings import RegionSettings, Settings
from core.timezone import local_day, now_utc
from core.web.views import ResultView, error_message, format_timestamp, result_view, shorten

# NOTE: region plugins cannot override these templates yet. A ChoiceLoader that puts each
# plugin's template folder ahead of this one is the planned way to let them.
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# The pages carry no script and load nothing from other hosts, and this policy makes browsers enforce it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept-Language",
}
log = structlog.get_logger(__name__)

MAX_HOUSE_CHARS = 40
MAX_AT_CHARS = 40
MAX_ID = 2**31 - 1
HOUSE_LINKS = 50
# Schedules exist only for recent days, and date arithmetic overflows near years 1 and 9999.
AT_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
QUERY_KEYS = ("address", "street_id", "house", "at")


class Link(msgspec.Struct, frozen=True):
    text: str
    href: str


class PageQuery(msgspec.Struct, frozen=True):
    """The region page's query parameters, checked; `problem` is the message for invalid input."""

    address: str | None = None
    street_id: int | None = None
    house: str | None = None
    at: dt.datetime | None = None
    at_text: str | None = None
    problem: str | None = None


class SearchOutcome(msgspec.Struct, frozen=True):
    """The result of one address search: a building's outlook, links to choose from, or a message."""

    status: int = 200
    notice: str | None = None
    result: ResultView | None = None
    address: str | None = None
    choices_title: str | None = None
    choices: list[Link] = []


class PageController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def regions(
        self, request: Request[Any, Any, Any], settings: Settings, registry: PluginRegistry
    ) -> Response[str]:
        base = page_base(request)
        links = region_links(settings, registry, base["locale"], base["lang_param"])
        return render("index.html.j2", 200, base, regions=links)

    @get("/regions/{region:str}")
    async def region(
        self,
        region: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
    ) -> Response[str] | Response[bytes]:
        base = page_base(request)
        try:
            region_settings(settings, registry, region)
        except DsoError as error:
            log.info("page.region_unavailable", code=error.code, status=error.status)
            return render(
                "error.html.j2", error.status, base, message=error_message(error, base["locale"])
            )
        query = read_query(request, settings.platform.limits.max_query_chars, base["locale"])
        outcome = await search_outcome(query, request, session, region, base)
        context = region_context(region, settings, registry, base["locale"], query, outcome)
        response = render("region.html.j2", outcome.status, base, **context)
        if outcome.status != 200:
            return response
        max_age = outcome.result.max_age if outcome.result else MAX_AGE_SECONDS
        return conditional_response(
            request,
            response.content.encode(),
            media_type=MediaType.HTML,
            max_age=max_age,
            headers=response.headers,
        )


def render(template: str, status: int, base: dict[str, Any], **context: Any) -> Response[str]:
    html = TEMPLATES.get_template(template).render(**base, **context)
    headers = {**SECURITY_HEADERS, "Content-Language": base["locale"]}
    return Response(content=html, status_code=status, media_type=MediaType.HTML, headers=headers)


def page_base(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Collect what every page shows: language, its switch link and the generation time."""
    explicit = request.query_params.get("lang")
    locale = negotiate_locale(request.headers.get("accept-language"), explicit)
    other = "en" if locale == "uk" else "uk"
    carried = {key: shorten_param(request.query_params.get(key)) for key in QUERY_KEYS}
    switch = page_href(request.url.path, {**carried, "lang": other})

    def gettext(message: str, **params: Any) -> str:
        return translate(message, locale, **params)

    return {
        "locale": locale,
        "lang_param": locale if explicit == locale else None,
        "lang_switch": Link("English" if other == "en" else "Українська", switch),
        "generated": format_timestamp(now_utc()),
        "_": gettext,
    }


def shorten_param(value: str | None) -> str | None:
    """Cut a parameter carried into a link, so a huge input does not make a huge page."""
    return value[:200] if value else None


def page_href(path: str, params: dict[str, str | None]) -> str:
    present = {key: value for key, value in params.items() if value}
    return f"{path}?{urlencode(present)}" if present else path


def region_links(
    settings: Settings, registry: PluginRegistry, locale: str, lang: str | None
) -> list[Link]:
    links = []
    for code in registry.regions:
        config = settings.regions[code]
        name = config.name_en if locale == "en" else config.name_uk
        links.append(Link(name, page_href(f"/regions/{code}", {"lang": lang})))
    return links


def region_context(
    region: str,
    settings: Settings,
    registry: PluginRegistry,
    locale: str,
    query: PageQuery,
    outcome: SearchOutcome,
) -> dict[str, Any]:
    config = settings.regions[region]
    info = registry.region_info(region)
    form_value = outcome.address or query.address or ""
    return {
        "region": region,
        "region_name": config.name_en if locale == "en" else config.name_uk,
        "dso_name": info.dso_name_en if locale == "en" else info.dso_name_uk,
        "max_chars": settings.platform.limits.max_query_chars,
        "form_value": form_value[: settings.platform.limits.max_query_chars],
        "at_text": query.at_text,
        "outcome": outcome,
    }


def read_query(request: Request[Any, Any, Any], max_chars: int, locale: str) -> PageQuery:
    """Read and check the region page's parameters. Invalid input sets `problem` instead of raising."""
    params = request.query_params
    raw_address, raw_house = params.get("address"), params.get("house")
    if raw_address is not None and len(raw_address) > max_chars:
        return PageQuery(problem=too_long("address", len(raw_address), max_chars, locale))
    if raw_house is not None and len(raw_house) > MAX_HOUSE_CHARS:
        return PageQuery(problem=too_long("house", len(raw_house), MAX_HOUSE_CHARS, locale))

    try:
        street_id = read_id(params.get("street_id"))
    except ValueError:
        message = translate("The street link is invalid. Search by address instead.", locale)
        return PageQuery(problem=message)
    at_text = params.get("at") or None
    at = read_at(at_text)
    if at is None:
        message = translate(
            "Time '{value}' is invalid. Use ISO 8601, for example 2026-01-29T12:00:00+02:00.",
            locale,
            value=shorten((at_text or "")[:MAX_AT_CHARS]),
        )
        return PageQuery(problem=message)
    address = clean_text(raw_address)
    return PageQuery(address, street_id, clean_text(raw_house) or None, at, at_text)


def too_long(name: str, length: int, limit: int, locale: str) -> str:
    if name == "address":
        message = (
            "The address is too long: {length} characters."
            " Enter at most {limit}: the street and the house number."
        )
    else:
        message = "The house number is too long: {length} characters. Enter at most {limit}."
    return translate(message, locale, length=length, limit=limit)


def read_id(value: str | None) -> int | None:
    """Return the database id in `value`, or None when it is empty; raise ValueError for any other text."""
    if not value:
        return None
    text = value.strip()
    number = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"'{text[:20]}' is not an id between 1 and {MAX_ID}")
    return number


def read_at(value: str | None) -> dt.datetime | None:
    """Return the instant of `value` (now when empty), or None when it is invalid or out of range."""
    if value is not None and len(value) > MAX_AT_CHARS:
        return None
    try:
        instant = parse_at(value)
        day = local_day(instant)
    except (DsoError, OverflowError):
        return None
    return instant if AT_RANGE[0] <= day < AT_RANGE[1] else None


async def search_outcome(
    query: PageQuery,
    request: Request[Any, Any, Any],
    session: AsyncSession,
    region: str,
    base: dict[str, Any],
) -> SearchOutcome:
    """Run the address search the query requests and look up the building when one is found."""
    locale = base["locale"]
    if query.problem is not None or query.at is None:
        return SearchOutcome(status=400, notice=query.problem)
    index = request.app.state.indexes.address.region(region)
    state = request.app.state
    search_run = AddressSearch(
        index, region, query, query.at, base, state.indexes, state.settings.regions[region]
    )
    try:
        if query.street_id is not None:
            return await search_run.by_street(session, query.street_id, query.house)
        if query.address:
            return await search_run.by_text(session, query.address)
    except DsoError as error:
        log.info("page.search_failed", region=region, code=error.code, status=error.status)
        return search_run.failed(error)
    if query.address is not None:
        return SearchOutcome(notice=translate("Enter a street and a house number.", locale))
    return SearchOutcome()


class AddressSearch:
    """One address search on the region page, with the links it offers to narrow it down."""

    def __init__(
        self,
        index: RegionIndex,
        region: str,
        query: PageQuery,
        at: dt.datetime,
        base: dict[str, Any],
        indexes: Indexes,
        config: RegionSettings,
    ) -> None:
        self.index = index
        self.region = region
        self.query = query
        self.at = at
        self.locale: str = base["locale"]
        self.lang: str | None = base["lang_param"]
        self.indexes = indexes
        self.config = config

    async def by_text(self, session: AsyncSession, text: str) -> SearchOutcome:
        resolution = search.resolve(self.index, text)
        if resolution.status == "found" and resolution.building is not None:
            match = addresses.building_by_id(self.index, self.region, resolution.building.id)
            return await self.found(session, match)

        if resolution.street is not None:
            choices = self.house_links(resolution.street.street_id, resolution.houses)
        else:
            _street, house = search.split_street_and_house(text)
            choices = self.street_links(resolution.candidates, house)
        if resolution.status == "candidates":
            title = translate("Choose the address:", self.locale)
            return SearchOutcome(choices_title=title, choices=choices)
        return self.not_found(text, choices)

    async def by_street(
        self, session: AsyncSession, street_id: int, house: str | None
    ) -> SearchOutcome:
        if house:
            match = addresses.find_on_street(self.index, self.region, street_id, house)
            return await self.found(session, match)
        if street_id not in self.index.streets:
            raise StreetNotFoundError(field="street_id", street_id=street_id, region=self.region)
        buildings = search.list_buildings(self.index, street_id, None, HOUSE_LINKS)
        choices = self.house_links(street_id, [b.number for b in buildings])
        title = translate("Choose the house:", self.locale)
        return SearchOutcome(choices_title=title, choices=choices)

    async def found(self, session: AsyncSession, match: addresses.BuildingMatch) -> SearchOutcome:
        answer = await lookup_with_indexes(
            session, self.indexes, self.config, match, self.at, self.locale
        )
        return SearchOutcome(
            result=result_view(answer, self.locale), address=f"{match.street} {match.house}"
        )

    def not_found(self, text: str, choices: list[Link]) -> SearchOutcome:
        notice = translate(
            "Address '{address}' was not found. Check the street and the house number.",
            self.locale,
            address=shorten(text),
        )
        title = translate("Perhaps you meant:", self.locale) if choices else None
        return SearchOutcome(status=404, notice=notice, choices_title=title, choices=choices)

    def failed(self, error: DsoError) -> SearchOutcome:
        """Show a platform error as a message, with its suggested addresses as links."""
        suggestions = error.params.get("suggestions") or []
        choices = [Link(str(s), self.href({"address": str(s)})) for s in suggestions]
        title = translate("Perhaps you meant:", self.locale) if choices else None
        notice = error_message(error, self.locale)
        return SearchOutcome(error.status, notice, choices_title=title, choices=choices)

    def street_links(self, hits: list[search.StreetHit], house: str | None) -> list[Link]:
        links = []
        for hit in hits:
            text = f"{hit.label} {house}" if house else hit.label
            links.append(Link(text, self.href({"street_id": str(hit.street_id), "house": house})))
        return links

    def house_links(self, street_id: int, houses: list[str]) -> list[Link]:
        street = self.index.streets.get(street_id)
        name = search.label(street, None) if street else ""
        return [
            Link(f"{name} {house}", self.href({"street_id": str(street_id), "house": house}))
            for house in houses
        ]

    def href(self, params: dict[str, str | None]) -> str:
        return page_href(
            f"/regions/{self.region}", {**params, "at": self.query.at_text, "lang": self.lang}
        )
