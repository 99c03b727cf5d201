"""Hook implementations of the Donetsk region.

Donetsk region: DTEK Donetsk Electric Networks, 12 queues; the day schedule has been stale since 2024 while the weekly template stays current.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from core.addresses.schemas import AddressBatch
from core.demo import demo_sources
from core.formats.address_sources import RegionAddressRules, read_address_uploads
from core.formats.schedule_sources import read_schedule_source
from core.hookspecs import RegionInfo, SourceFile, hookimpl
from core.readings.schemas import ReadingRules
from core.schedules.model import ScheduleDocument

CODE = "donetsk"
SCHEDULE_FORMATS = ("dtek",)
ADDRESS_FORMATS = ("dtek-regional-streets", "dtek-house-queues", "katottg")
# KATOTTG code of the oblast whose settlements this region serves.
ADDRESS_RULES = RegionAddressRules(katottg_prefixes=("UA14",))

# Demo data: settlement -> street -> house numbers.
DEMO_ADDRESSES: dict[str | None, dict[str, list[str]]] = {
    "м. Слов’янськ": {"вул. Університетська": ["1", "3", "7А"]},
    "м. Краматорськ": {"бул. Машинобудівників": ["20", "24", "32/1"]},
}


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(
        code=CODE,
        dso_name_uk="ПрАТ «ДТЕК Донецькі електромережі»",
        dso_name_en="DTEK Donetsk Electric Networks",
        website="https://www.dtek-dem.com.ua",
        phone="",
        schedule_formats=SCHEDULE_FORMATS,
        address_formats=ADDRESS_FORMATS,
    )


@hookimpl
def dso_read_schedule_source(content: bytes, filename: str) -> ScheduleDocument | None:
    return read_schedule_source(content, filename, formats=SCHEDULE_FORMATS)


@hookimpl
def dso_read_address_sources(
    uploads: Sequence[SourceFile], context: Mapping[str, str]
) -> list[AddressBatch] | None:
    return read_address_uploads(uploads, context, formats=ADDRESS_FORMATS, rules=ADDRESS_RULES)


@hookimpl
def dso_demo_sources(today: dt.date, queues: tuple[str, ...]) -> list[SourceFile]:
    return demo_sources(CODE, today, queues, DEMO_ADDRESSES, schedule_formats=("dtek",))


# Personal account numbers as the platform checks them: 6 to 12 digits.
READING_RULES = ReadingRules(account_pattern=r"\d{6,12}")


@hookimpl
def dso_reading_rules() -> ReadingRules:
    return READING_RULES
