"""Request dependencies shared by the domain controllers: sessions, plugins, staff guard, parsers."""

import datetime as dt
import hmac
import unicodedata
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidDateError, InvalidQueryError, NotAuthenticatedError
from core.plugins import PluginRegistry
from core.settings import RegionSettings, Settings
from core.timezone import KYIV, UTC, now_utc


async def provide_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    async with state.sessions() as session:
        yield session


def provide_registry(state: State) -> PluginRegistry:
    return state.registry  # type: ignore[no-any-return]


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def region_settings(settings: Settings, registry: PluginRegistry, region: str) -> RegionSettings:
    """Return the settings of an enabled region; unknown and disabled codes raise a 404 error."""
    registry.for_region(region)
    return settings.regions[region]


def require_staff(request: Request[Any, Any, Any]) -> None:
    """Accept only the static staff token from settings; with no token set, staff endpoints stay closed."""
    expected = request.app.state.settings.platform.security.staff_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(token.strip(), expected)
    ):
        raise NotAuthenticatedError()


def parse_date(value: str | None, *, default: dt.date) -> dt.date:
    if value is None or value == "":
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as error:
        raise InvalidDateError(field="date", value=value[:40]) from error


# Schedules exist for recent years only; far dates would overflow the day arithmetic.
EARLIEST_AT = dt.datetime(2000, 1, 1)
LATEST_AT = dt.datetime(2100, 1, 1)


def parse_at(value: str | None) -> dt.datetime:
    """Parse the `at` instant of a lookup; a time without offset is Kyiv wall clock. Default: now."""
    if value is None or value == "":
        return now_utc()
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as error:
        raise InvalidQueryError(
            field="at",
            name="at",
            reason=f"'{value[:40]}' is not an ISO 8601 time such as 2026-01-29T12:00:00+02:00",
        ) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=KYIV)
    if not EARLIEST_AT <= parsed.replace(tzinfo=None) <= LATEST_AT:
        raise InvalidQueryError(
            field="at", name="at", reason=f"'{value[:40]}' is outside the years 2000 to 2100"
        )
    return parsed.astimezone(UTC)


def clean_text(value: str | None) -> str | None:
    """Turn control characters (NUL, tabs, bell) of a customer's text into spaces and trim it.

    PostgreSQL rejects NUL in text and no address contains control characters, so they never
    reach a query.
    """
    if value is None:
        return None
    if value.isprintable():
        # No control characters, so only the whitespace needs folding.
        return " ".join(value.split())
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value)
    return " ".join(cleaned.split())
