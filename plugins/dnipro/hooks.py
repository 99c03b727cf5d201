"""Hook implementations of the Dnipro region.

Dnipropetrovsk region: DTEK Dnipro Electric Networks, 12 queues; part of the territory is served by another operator (ЦЕК).
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from core.addresses.schemas import AddressBatch, OtherOperator
from core.demo import demo_sources
from core.formats.address_sources import RegionAddressRules, read_address_uploads
from core.formats.schedule_sources import read_schedule_source
from core.hookspecs import RegionInfo, SourceFile, hookimpl
from core.readings.schemas import ReadingRules
from core.schedules.model import ScheduleDocument

CODE = "dnipro"
SCHEDULE_FORMATS = ("dtek", "yasno")
ADDRESS_FORMATS = (
    "dtek-regional-streets",
    "dtek-house-queues",
    "katottg",
    "street-renames",
    "yasno-streets",
    "yasno-houses",
    "yasno-group",
)
# The region's settlements are KATOTTG oblast UA12 and its renames list is Dnipro city's. On
# YASNO, DSO 301 is DTEK Dnipro Electric Networks and DSO 303 is ЦЕК, which serves part of the
# region, so houses YASNO lists under 303 name ЦЕК instead of a queue.
ADDRESS_RULES = RegionAddressRules(
    katottg_prefixes=("UA12",),
    renames_settlement="м. Дніпро",
    yasno_operators={301: None, 303: OtherOperator(name="ЦЕК")},
)

# Demo data: settlement -> street -> house numbers.
DEMO_ADDRESSES: dict[str | None, dict[str, list[str]]] = {
    "м. Дніпро": {
        "просп. Яворницького Дмитра": ["1", "22", "60/2"],
        "вул. Січеславська Набережна": ["5", "15А"],
    },
    "м. Кам’янське": {"просп. Свободи": ["10", "12", "14"]},
    "с. Степове": {"вул. Центральна": ["1", "3", "5"]},
}


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(
        code=CODE,
        dso_name_uk="АТ «ДТЕК Дніпровські електромережі»",
        dso_name_en="DTEK Dnipro Electric Networks",
        website="https://www.dtek-dnem.com.ua",
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
