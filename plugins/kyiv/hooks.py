"""Hook implementations of the Kyiv city region.

Kyiv publishes 60 queues (1.1 to 60.1) on the DTEK site and on the YASNO API (region 25,
DSO 902). Addresses are street -> house with no settlement step; DTEK's street list carries
district prefixes and old spellings.
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

CODE = "kyiv"
SCHEDULE_FORMATS = ("dtek", "yasno", "yasno-legacy")
ADDRESS_FORMATS = (
    "dtek-street-list",
    "dtek-page-streets",
    "dtek-house-queues",
    "yasno-streets",
    "yasno-houses",
    "yasno-group",
    "katottg",
    "kyiv-street-registry",
)
# The legacy YASNO page keys Kyiv's weekly template as "kiev".
LEGACY_YASNO_CITY = "kiev"
# KATOTTG code of Kyiv city, the one settlement this region serves.
ADDRESS_RULES = RegionAddressRules(katottg_prefixes=("UA80",))

DEMO_STREETS: dict[str | None, dict[str, list[str]]] = {
    None: {
        "вул. Хрещатик": ["1", "2", "12/4", "22", "25/3"],
        "вул. Здановської Юлії": ["4", "8", "71/З", "73А", "31/КОРП.2"],
        "просп. Берестейський": ["5", "10", "10-А", "10-Д", "37"],
        "вул. Лук'яненка Левка": ["3", "7", "15/2"],
        "бул. Лесі Українки": ["9", "14", "26"],
    }
}


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(
        code=CODE,
        dso_name_uk="ПрАТ «ДТЕК Київські електромережі»",
        dso_name_en="DTEK Kyiv Electric Networks",
        website="https://www.dtek-kem.com.ua",
        phone="",
        schedule_formats=SCHEDULE_FORMATS,
        address_formats=ADDRESS_FORMATS,
    )


@hookimpl
def dso_read_schedule_source(content: bytes, filename: str) -> ScheduleDocument | None:
    return read_schedule_source(
        content, filename, formats=SCHEDULE_FORMATS, legacy_city=LEGACY_YASNO_CITY
    )


@hookimpl
def dso_read_address_sources(
    uploads: Sequence[SourceFile], context: Mapping[str, str]
) -> list[AddressBatch] | None:
    return read_address_uploads(uploads, context, formats=ADDRESS_FORMATS, rules=ADDRESS_RULES)


@hookimpl
def dso_demo_sources(today: dt.date, queues: tuple[str, ...]) -> list[SourceFile]:
    return demo_sources(CODE, today, queues, DEMO_STREETS, schedule_formats=("dtek", "yasno"))


# Personal account numbers as the platform checks them: 6 to 12 digits.
READING_RULES = ReadingRules(account_pattern=r"\d{6,12}")


@hookimpl
def dso_reading_rules() -> ReadingRules:
    return READING_RULES
