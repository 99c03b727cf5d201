"""Hook implementations of the Odesa region.

Odesa region: DTEK Odesa Electric Networks, 12 queues (at times up to five sub-queues per queue).
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

CODE = "odesa"
SCHEDULE_FORMATS = ("dtek",)
ADDRESS_FORMATS = ("dtek-regional-streets", "dtek-house-queues", "katottg")
# KATOTTG code of the oblast whose settlements this region serves.
ADDRESS_RULES = RegionAddressRules(katottg_prefixes=("UA51",))

# Demo data: settlement -> street -> house numbers.
DEMO_ADDRESSES: dict[str | None, dict[str, list[str]]] = {
    "м. Одеса": {"вул. Дерибасівська": ["1", "5", "12А"], "просп. Шевченка": ["2", "4/6", "10"]},
    "м. Чорноморськ": {"вул. Миру": ["3", "7", "9Б"]},
    "с. Фонтанка": {"вул. Степова": ["1", "2", "15"]},
}


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(
        code=CODE,
        dso_name_uk="АТ «ДТЕК Одеські електромережі»",
        dso_name_en="DTEK Odesa Electric Networks",
        website="https://www.dtek-oem.com.ua",
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
