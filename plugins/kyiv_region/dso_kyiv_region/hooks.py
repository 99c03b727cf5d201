"""Hook implementations of the Kyiv region, a plugin outside the platform's own package.

Kyiv region publishes 12 queues (1.1 to 6.2) on the DTEK regional site. Its weekly template moved
30 minutes earlier from 2025-12-03, which the template layer of each import records.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

from core.addresses.schemas import AddressBatch
from core.demo import demo_sources
from core.formats.address_sources import RegionAddressRules, read_address_uploads
from core.formats.schedule_sources import read_schedule_source
from core.hookspecs import RegionInfo, SourceFile, hookimpl
from core.readings.schemas import ReadingRules, SmsReading
from core.schedules.model import ScheduleDocument

CODE = "kyiv_region"
SCHEDULE_FORMATS = ("dtek",)
ADDRESS_FORMATS = ("dtek-regional-streets", "dtek-house-queues", "katottg")
# KATOTTG code of Kyiv oblast, whose settlements this region serves.
ADDRESS_RULES = RegionAddressRules(katottg_prefixes=("UA32",))

DEMO_ADDRESSES: dict[str | None, dict[str, list[str]]] = {
    "м. Бровари": {"вул. Київська": ["1", "143", "253А"], "бул. Незалежності": ["2", "5/1"]},
    "м. Ірпінь": {"вул. Університетська": ["2/1", "8", "17"]},
    "с. Гатне": {"вул. Садова": ["1", "3", "5"]},
}


@hookimpl
def dso_region_info() -> RegionInfo:
    return RegionInfo(
        code=CODE,
        dso_name_uk="ПрАТ «ДТЕК Київські регіональні електромережі»",
        dso_name_en="DTEK Kyiv Regional Electric Networks",
        website="https://www.dtek-krem.com.ua",
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
    return demo_sources(CODE, today, queues, DEMO_ADDRESSES)


# Personal account numbers as the platform checks them: 6 to 12 digits.
READING_RULES = ReadingRules(
    account_pattern=r"\d{6,12}",
    sms_format_uk="<особовий рахунок> <покази>, для двозонного лічильника <ніч> <день>,"
    " для тризонного <пік> <напівпік> <ніч>",
)
# Register order of an SMS by the number of values: two-zone meters send night first.
SMS_REGISTERS = {1: ("total",), 2: ("night", "day"), 3: ("peak", "half_peak", "night")}


@hookimpl
def dso_reading_rules() -> ReadingRules:
    return READING_RULES


@hookimpl
def dso_parse_reading_sms(text: str) -> SmsReading | None:
    """Read `<account> <values>` separated by spaces; None for anything else."""
    parts = text.split()
    account, values = parts[:1], parts[1:]
    if not account or len(values) not in SMS_REGISTERS:
        return None
    if not all(value.isascii() and value.isdigit() for value in values):
        return None
    registers = dict(zip(SMS_REGISTERS[len(values)], (int(v) for v in values), strict=True))
    return SmsReading(account_number=account[0], registers=registers)
