"""The plugin contract: every hook a region plugin may implement.

Hooks are grouped by concern. Every hook takes keyword arguments only, and an implementation
may accept any subset of them. A call about one region reaches only that region's plugin and
the core defaults (see `core.plugins`). Implementations may be plain functions or coroutines;
the core awaits either through `core.plugins.resolve`.

Each hook is documented in docs/plugins.md with its exact signature.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import pluggy

from core.addresses.schemas import AddressBatch
from core.readings.schemas import ReadingRules, SmsReading
from core.schedules.model import ScheduleDocument

PROJECT_NAME = "dso"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class RegionInfo(msgspec.Struct, frozen=True):
    """Description of a region's DSO by its plugin. Names, queues and sources come from config/."""

    code: str
    dso_name_uk: str
    dso_name_en: str
    website: str = ""
    phone: str = ""
    time_zone: str = "Europe/Kyiv"
    schedule_formats: tuple[str, ...] = ()
    address_formats: tuple[str, ...] = ()


class SourceFile(msgspec.Struct, frozen=True):
    """A source file: given to the address readers, or written by a plugin for the demo data.

    `kind` is `schedule` or `addresses`; `context` carries what the file itself does not say
    (for example the street a DTEK house list belongs to).
    """

    kind: str
    filename: str
    content: bytes
    context: dict[str, str] = {}


# Identity


@hookspec(firstresult=True)
def dso_region_info() -> RegionInfo:  # type: ignore[empty-body]
    """Describe the region's DSO: legal names, contacts and the source formats it reads.

    Called once at start for every registered region. The first result wins.
    """


# Schedules


@hookspec(firstresult=True)
def dso_read_schedule_source(content: bytes, filename: str) -> ScheduleDocument | None:  # type: ignore[empty-body]
    """Read one schedule source file of the region into the normalized model.

    Fires for every file given to `dso import schedule` or the admin import endpoint. Return
    None when the file is in none of the region's formats; raise `core.errors.SourceFormatError`
    when it is in one of them but malformed. The first non-None result wins.
    """


# Addresses


@hookspec(firstresult=True)
def dso_read_address_sources(  # type: ignore[empty-body]
    uploads: Sequence[SourceFile], context: Mapping[str, str]
) -> list[AddressBatch] | None:
    """Read the region's address source files (street lists, house-to-queue answers).

    Files that only make sense together, such as the three answers of the YASNO street, house
    and group chain, arrive in one call. `context` carries what the files do not say
    themselves, such as the street a house list belongs to. Return None when no file is in one
    of the region's address formats; raise `core.errors.SourceFormatError` for a malformed one.
    The first non-None result wins.
    """


@hookspec(firstresult=True)
def dso_clean_street_name(name: str) -> str | None:  # type: ignore[empty-body]
    """Clean one street string of the region's sources before it is stored and indexed.

    A region removes what its sources add around a street name (a district prefix, doubled
    commas). The core default returns the name with its white space folded. The first
    non-None answer wins.
    """


# Readings


@hookspec(firstresult=True)
def dso_reading_rules() -> ReadingRules | None:  # type: ignore[empty-body]
    """Return the region's meter reading rules: account number pattern, reading window, zone hours.

    Fires for every reading, account and SMS request of the region. Return None when the region
    takes no meter readings on the platform; its reading routes then answer 404. The first
    non-None answer wins.
    """


@hookspec(firstresult=True)
def dso_parse_reading_sms(text: str) -> SmsReading | None:  # type: ignore[empty-body]
    """Read a personal account number and register values from an SMS in the region's format.

    Fires for every SMS the gateway posts for the region. Return None when the text is not in
    the region's format; the customer then gets a reply showing `ReadingRules.sms_format_uk`.
    The first non-None result wins.
    """


# Demo data


@hookspec
def dso_demo_sources(today: dt.date, queues: tuple[str, ...]) -> list[SourceFile]:  # type: ignore[empty-body]
    """Write demo source files for today and tomorrow in the region's native formats.

    `make run` imports them through the same readers as real files. Every plugin contributes.
    """


def all_hook_names() -> list[str]:
    """Return the names of every hook in this contract, in the order they are declared."""
    return [
        name for name, value in globals().items() if name.startswith("dso_") and callable(value)
    ]


__all__: list[Any] = ["RegionInfo", "SourceFile", "hookimpl", "hookspec"]
