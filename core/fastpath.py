"""A bare ASGI handler in front of Litestar for the lookup path: outage lookup, autocomplete, resolve.

It exists because the Litestar routes cost more per request than the lookup itself. Measured
with `benchmarks/http/run.sh` (granian, 2 workers, 1,000,000 buildings, 2 cores) on 2026-12-04,
the lookup route served 3,900 to 5,400 requests per second, while a bare Litestar route that
returns a fixed body of the same size served 17,000 to 22,800. The route paid for Litestar's
routing, parameter validation and response object, and built and encoded the whole answer
twice for its ETag. `docs/benchmarks.md` has the numbers with this handler.

The handler matches the path and method itself, parses the query string once, reads only the
worker's in-memory indexes and sends bytes with the headers the Litestar routes send. Errors are
caught here and encoded by `core.problems`, so an unknown address gets its 404 without passing
through Litestar's exception middleware. Whatever it does not handle goes to Litestar unchanged:
other paths and methods (HEAD included), a query with an unknown, repeated, blank or out-of-range
parameter (Litestar rejects it with its validation error), a day outside the in-memory
schedules, and any unexpected error. Tests compare its answers with the routes' answers.

What does not change per request is encoded once and kept until it may change:
- lookup: the part of the answer that depends only on the building's queues, per schedule
  index and until the next state change of those queues; the building's address and `at` are
  joined to it per request;
- autocomplete and resolve: the whole body and ETag per query, per address index.
"""

import datetime as dt
import hashlib
import re
from typing import Any
from urllib.parse import unquote

import msgspec
import structlog
from litestar.datastructures import State
from litestar.types import ASGIApp, Receive, Scope, Send

from core.addresses import search
from core.addresses.api import required_text
from core.addresses.schemas_api import resolution_out
from core.addresses.service import BuildingMatch
from core.deps import clean_text, parse_at, region_settings
from core.errors import DsoError
from core.http_cache import MAX_AGE_SECONDS, seconds_until
from core.i18n import negotiate_locale
from core.outages.api import TAG_EPOCH, answer_max_age, building_for_query, next_outage_starts
from core.outages.schemas import AddressOut, OutageLookupOut
from core.outages.service import lookup_with_indexes
from core.problems import PROBLEM_JSON, dso_error_body
from core.settings import RegionSettings
from core.timezone import local_day, local_midnight_utc, to_local

log = structlog.get_logger(__name__)

PREFIX = "/api/v1/regions/"
LOOKUP, AUTOCOMPLETE, RESOLVE = "outages", "addresses/streets", "addresses/resolve"

# Text parameters of each route with the maximum length the route accepts, or None for no limit.
TEXT_LIMITS: dict[str, dict[str, int | None]] = {
    LOOKUP: {"street": 200, "house": 40, "address": 200, "at": 40, "lang": None},
    AUTOCOMPLETE: {"q": 200, "lang": None},
    RESOLVE: {"address": 200, "lang": None},
}
# Integer parameters of each route with their allowed ranges.
INTEGER_RANGES: dict[str, dict[str, tuple[int, int]]] = {
    LOOKUP: {"street_id": (1, 2**31 - 1), "building_id": (1, 2**31 - 1)},
    AUTOCOMPLETE: {"limit": (1, 50)},
    RESOLVE: {},
}
# Parameters without a default. A request without one gets Litestar's validation error.
REQUIRED = {LOOKUP: (), AUTOCOMPLETE: ("q",), RESOLVE: ("address",)}
# Plain decimal integers only: any other spelling gets Litestar's own validation.
_INTEGER = re.compile(r"[1-9][0-9]{0,9}")
_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")

# Maximum count of encoded autocomplete and resolve replies per worker. Past it, the oldest is dropped.
MAX_CACHED_SEARCHES = 8192
# Maximum count of encoded lookup parts, one per region and combination of queues.
MAX_CACHED_QUEUE_SETS = 4096
AUTOCOMPLETE_LIMIT = 10

_TAG_EPOCH_JSON = msgspec.json.encode(TAG_EPOCH)
_VARY = (b"vary", b"Accept-Language")


class Reply(msgspec.Struct):
    body: bytes
    etag: bytes
    max_age: int


class QueuePart(msgspec.Struct):
    """The encoded lookup answer after `address` for buildings fed by one set of queues.

    It is valid from `valid_from` until `valid_until`, the first instant at which the state, the
    next outage, the day or the staleness of the source may change, and only while the worker
    keeps the same schedule index.
    """

    schedules: Any
    valid_from: dt.datetime
    valid_until: dt.datetime
    tail: bytes
    # The instants that end the answer's max-age: the state's end and the next outages' starts.
    changes: tuple[dt.datetime | None, ...]


class PassThrough(Exception):
    """The request is left to Litestar."""


class FastPath:
    """An ASGI handler that responds to the lookup-path GET requests and passes the rest on."""

    def __init__(self, state: State, handler: ASGIApp) -> None:
        self._state = state
        self._next = handler
        # Set before the app is wrapped and never replaced, unlike the indexes of a lifespan.
        self._settings = state.settings
        self._registry = state.registry
        self._queue_parts: dict[tuple[str, tuple[str, ...]], QueuePart] = {}
        self._searches: dict[tuple[str, str, int], Reply] = {}
        self._searches_index: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _route(scope)
        indexes = getattr(self._state, "indexes", None)
        if route is None or indexes is None:
            await self._next(scope, receive, send)
            return

        endpoint, region = route
        try:
            query = _parse_query(scope["query_string"], endpoint)
            accept_language, if_none_match = _request_headers(scope["headers"])
        except PassThrough:
            await self._next(scope, receive, send)
            return

        locale = negotiate_locale(accept_language, query.get("lang"))
        try:
            reply = await self._answer(endpoint, region, query, locale, indexes)
        except PassThrough:
            await self._next(scope, receive, send)
        except DsoError as error:
            await _send_problem(send, error, locale)
        except Exception as error:
            # Litestar runs the request again and responds through its own error handlers.
            log.warning("fastpath.passed_through", path=scope["path"], error=type(error).__name__)
            await self._next(scope, receive, send)
        else:
            await _send_reply(send, reply, if_none_match)

    async def _answer(
        self, endpoint: str, region: str, query: dict[str, str], locale: str, indexes: Any
    ) -> Reply:
        if endpoint == LOOKUP:
            return await self._lookup(region, query, locale, indexes)

        region_settings(self._settings, self._registry, region)
        if endpoint == AUTOCOMPLETE:
            text = required_text(query.get("q"), "q")
            limit = int(query.get("limit", AUTOCOMPLETE_LIMIT))
            return self._search(indexes, region, text, limit)
        text = required_text(query.get("address"), "address")
        return self._search(indexes, region, text, 0)

    def _search(self, indexes: Any, region: str, text: str, limit: int) -> Reply:
        """Return the autocomplete reply (limit > 0) or the resolve reply (limit 0) for a query."""
        if indexes.address is not self._searches_index:
            self._searches.clear()
            self._searches_index = indexes.address
        key = (region, text, limit)
        reply = self._searches.get(key)
        if reply is not None:
            return reply

        index = indexes.address.region(region)
        if limit:
            body = msgspec.json.encode(search.search_streets(index, text, limit))
        else:
            body = msgspec.json.encode(resolution_out(search.resolve(index, text)))
        reply = Reply(body, _etag(body), MAX_AGE_SECONDS)
        if len(self._searches) >= MAX_CACHED_SEARCHES:
            del self._searches[next(iter(self._searches))]
        self._searches[key] = reply
        return reply

    async def _lookup(self, region: str, query: dict[str, str], locale: str, indexes: Any) -> Reply:
        config = region_settings(self._settings, self._registry, region)
        instant = parse_at(query.get("at"))
        building = building_for_query(
            indexes.address.region(region),
            region,
            _integer(query.get("street_id")),
            _integer(query.get("building_id")),
            clean_text(query.get("street")),
            clean_text(query.get("house")),
            clean_text(query.get("address")),
        )
        today = local_day(instant)
        if not indexes.schedules.covers([today + dt.timedelta(days=d) for d in (-1, 0, 1)]):
            raise PassThrough()

        outages = indexes.outages.affecting(
            config.code, building.building_id, building.street_id, dict(building.nodes)
        )
        if outages or building.other_operator is not None:
            # Planned works, incidents and other operators concern few buildings, so their
            # answers are built whole, as the Litestar route builds them.
            answer = await lookup_with_indexes(
                self._state.sessions, indexes, config, building, instant, locale
            )
            body = msgspec.json.encode(answer)
            tagged = msgspec.json.encode(msgspec.structs.replace(answer, at=TAG_EPOCH))
            return Reply(body, _etag(tagged), answer_max_age(answer, instant))

        part = await self._queue_part(indexes, config, building, instant)
        head = b'{"region":' + msgspec.json.encode(config.code) + b',"at":'
        address = b',"address":' + msgspec.json.encode(_address(building)) + b","
        body = b"".join((head, msgspec.json.encode(to_local(instant)), address, part.tail))
        tag = hashlib.blake2b(head, digest_size=12)
        for piece in (_TAG_EPOCH_JSON, address, part.tail):
            tag.update(piece)
        return Reply(
            body, b'"%b"' % tag.hexdigest().encode(), seconds_until(instant, *part.changes)
        )

    async def _queue_part(
        self, indexes: Any, config: RegionSettings, building: BuildingMatch, instant: dt.datetime
    ) -> QueuePart:
        """Return the encoded part valid at `instant`, computing it when the cached one is not."""
        key = (config.code, building.queues)
        part = self._queue_parts.get(key)
        if (
            part is not None
            and part.schedules is indexes.schedules
            and part.valid_from <= instant < part.valid_until
        ):
            return part

        # Without planned works, incidents or another operator, the locale changes nothing.
        answer = await lookup_with_indexes(
            self._state.sessions, indexes, config, building, instant, "uk"
        )
        tagged = msgspec.json.encode(msgspec.structs.replace(answer, at=TAG_EPOCH))
        head = b'{"region":%b,"at":%b,"address":%b,' % (
            msgspec.json.encode(answer.region),
            _TAG_EPOCH_JSON,
            msgspec.json.encode(answer.address),
        )
        if not tagged.startswith(head):
            raise PassThrough()
        part = QueuePart(
            schedules=indexes.schedules,
            valid_from=instant,
            valid_until=_valid_until(answer, instant, config.stale_after_hours),
            tail=tagged[len(head) :],
            changes=(answer.state.until, *next_outage_starts(answer)),
        )
        if len(self._queue_parts) >= MAX_CACHED_QUEUE_SETS:
            self._queue_parts.clear()
        self._queue_parts[key] = part
        return part


def _route(scope: Scope) -> tuple[str, str] | None:
    """Return the endpoint and region of a lookup-path GET request, or None for any other."""
    if scope["type"] != "http" or scope["method"] != "GET":  # type: ignore[typeddict-item]
        return None
    path = scope["path"]
    if not path.startswith(PREFIX):
        return None
    region, _, endpoint = path[len(PREFIX) :].partition("/")
    if not region or endpoint not in TEXT_LIMITS:
        return None
    return endpoint, region


def _parse_query(raw: bytes, endpoint: str) -> dict[str, str]:
    """Parse the query string as Litestar does, passing on any query its route would reject.

    Litestar decodes the raw query as Latin-1 and hands it to `urllib.parse.parse_qsl`, which
    splits it at "&" and decodes "+" and percent escapes as UTF-8. For an ASCII query, which
    every client that percent-encodes sends, this parse gives the same pairs.
    """
    if not raw.isascii():
        raise PassThrough()
    texts = TEXT_LIMITS[endpoint]
    integers = INTEGER_RANGES[endpoint]
    query: dict[str, str] = {}
    for field in raw.decode("ascii").split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        name, value = _unquote(name), _unquote(value)
        if not value or name in query:
            raise PassThrough()
        if name in texts:
            limit = texts[name]
            if limit is not None and len(value) > limit:
                raise PassThrough()
        elif name in integers:
            low, high = integers[name]
            if not _INTEGER.fullmatch(value) or not low <= int(value) <= high:
                raise PassThrough()
        else:
            raise PassThrough()
        query[name] = value
    if any(name not in query for name in REQUIRED[endpoint]):
        raise PassThrough()
    return query


def _request_headers(headers: Any) -> tuple[str | None, str | None]:
    """Return the Accept-Language and If-None-Match headers, passing on a request that repeats one."""
    accept_language: str | None = None
    if_none_match: str | None = None
    for name, value in headers:
        if name == b"accept-language":
            if accept_language is not None:
                raise PassThrough()
            accept_language = value.decode("latin-1")
        elif name == b"if-none-match":
            if if_none_match is not None:
                raise PassThrough()
            if_none_match = value.decode("latin-1")
    return accept_language, if_none_match


def _unquote(text: str) -> str:
    """Decode "+" and percent escapes as `urllib.parse.unquote_plus` does, for an ASCII text.

    Runs of escapes are decoded with `bytes.fromhex`, which is several times faster than
    `unquote` on Cyrillic text, where nearly every character is escaped. A run that is not valid
    UTF-8 goes to `unquote`, so its replacement characters come out as Litestar's do.
    """
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    decoded = _ESCAPE_RUN.sub(_decode_escape_run, text)
    return unquote(text) if "\ufffd" in decoded else decoded


def _decode_escape_run(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")


def _integer(value: str | None) -> int | None:
    return None if value is None else int(value)


def _address(building: BuildingMatch) -> AddressOut:
    return AddressOut(
        building_id=building.building_id,
        street_id=building.street_id,
        street=building.street,
        house=building.house,
        settlement=building.settlement,
        district=building.district,
    )


def _etag(source: bytes) -> bytes:
    return b'"%b"' % hashlib.blake2b(source, digest_size=12).hexdigest().encode()


def _valid_until(
    answer: OutageLookupOut, instant: dt.datetime, stale_after_hours: float
) -> dt.datetime:
    """Return the first instant after `instant` at which the queue part of the answer may change.

    The candidates are every interval boundary of the answer's days and outlooks, the next
    local midnight (the days shift), and the moment the source turns stale.
    """
    candidates = [local_midnight_utc(local_day(instant) + dt.timedelta(days=1))]
    for outlook in answer.by_queue:
        candidates.extend(i for i in (outlook.state.since, outlook.state.until) if i is not None)
        if outlook.next_outage is not None:
            candidates.extend((outlook.next_outage.start, outlook.next_outage.end))
        for day in outlook.days:
            for interval in day.intervals:
                candidates.extend((interval.start, interval.end))
    source = answer.source
    if source is not None and source.updated_at is not None:
        # The source is stale once `at - updated_at` exceeds the limit, so from one microsecond on.
        stale_at = source.updated_at + dt.timedelta(hours=stale_after_hours)
        candidates.append(stale_at + dt.timedelta(microseconds=1))
    return min(c for c in candidates if c > instant)


async def _send_reply(send: Send, reply: Reply, if_none_match: str | None) -> None:
    """Send the reply with the headers of `core.http_cache.cached_json`, or a 304 when the client has it."""
    headers = [
        (b"etag", reply.etag),
        (b"cache-control", b"public, max-age=%d" % max(0, reply.max_age)),
        _VARY,
    ]
    if if_none_match is not None and reply.etag.decode() in _client_tags(if_none_match):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    headers.append((b"content-type", b"application/json"))
    headers.append((b"content-length", b"%d" % len(reply.body)))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})


def _client_tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


async def _send_problem(send: Send, error: DsoError, locale: str) -> None:
    body = dso_error_body(error, locale)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", b"%d" % len(body)),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
