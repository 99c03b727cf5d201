"""Reader for the Kyiv street registry (Реєстр вулиць Києва, 25.10.2020), JSON projection.

The file is an array of records:
`{"uniqueDigitalCode", "fullTitle", "type", "districtsFlags", "namingDate", "oldFullTitle",
"oldType"}`. `type` is a code for the street type, `districtsFlags` a bitmask of city districts,
and `namingDate` the date of the current name as M/D/YYYY. A record with `oldFullTitle` was
renamed on `namingDate`, so its former name was valid until then.
"""

import datetime as dt
from typing import Any

from core.addresses.schemas import AddressBatch, StreetAlias, StreetRecord
from core.errors import SourceFormatError

# Registry type codes -> the type word as DTEK's Kyiv street list writes it before the name.
_TYPE_PREFIXES = {
    0: "вул.",
    1: "пров.",
    2: "пл.",
    3: "лінія",
    4: "просп.",
    5: "бул.",
    6: "узвіз",
    7: "проїзд",
    8: "шосе",
    9: "дорога",
    10: "алея",
    11: "наб.",
    12: "тупик",
    13: "майдан",
}
_LINE_TYPE = 3

# Full type words that some titles, mostly former names, already contain -> the DTEK prefix.
_WRITTEN_TYPES = {
    "вулиця": "вул.",
    "провулок": "пров.",
    "площа": "пл.",
    "проспект": "просп.",
    "бульвар": "бул.",
    "набережна": "наб.",
    "узвіз": "узвіз",
    "проїзд": "проїзд",
    "шосе": "шосе",
    "дорога": "дорога",
    "алея": "алея",
    "тупик": "тупик",
    "майдан": "майдан",
}

# District bits in the registry's order. The spelling is the one the platform stores for Kyiv.
_DISTRICT_BITS = (
    (1, "Дарницький"),
    (2, "Подільський"),
    (4, "Солом'янський"),
    (8, "Дніпровський"),
    (16, "Шевченківський"),
    (32, "Голосіївський"),
    (64, "Деснянський"),
    (128, "Печерський"),
    (256, "Оболонський"),
    (512, "Святошинський"),
)
# Bits from 1024 up mark garden and dacha massifs. The projection does not name them.
_MASSIF_BITS_FROM = 1024
MASSIF_DISTRICT = "садові та дачні масиви"

_REQUIRED_FIELDS = ("fullTitle", "type", "districtsFlags")


def street_display_name(title: str, type_code: int) -> str:
    """Write a registry title with its type word in DTEK's style, such as "вул. Хрещатик".

    A line keeps its title ("Лінія 3"). A title that already starts with a full type word
    ("вулиця Аїстова") gets that word's abbreviation, and one that ends with a type word
    ("Безіменна площа") stays as written, because those words beat the type code in old records.
    """
    words = title.split()
    first, last = words[0].casefold(), words[-1].casefold()
    if type_code == _LINE_TYPE:
        return title if first == "лінія" else f"лінія {title}"
    if first in _WRITTEN_TYPES and len(words) > 1:
        return " ".join([_WRITTEN_TYPES[first], *words[1:]])
    if last in _WRITTEN_TYPES and len(words) > 1:
        return title
    return f"{_TYPE_PREFIXES[type_code]} {title}"


def district_names(flags: int) -> str | None:
    """Name the city districts set in a `districtsFlags` bitmask, in bit order, joined by ", "."""
    names = [name for bit, name in _DISTRICT_BITS if flags & bit]
    if flags >= _MASSIF_BITS_FROM:
        names.append(MASSIF_DISTRICT)
    return ", ".join(names) or None


def _fail(file: str, place: str, reason: str) -> SourceFormatError:
    return SourceFormatError(file=file, place=place, reason=reason)


def _title(value: Any, *, file: str, place: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(file, place, f"expected a non-empty street title, found {value!r}")
    return " ".join(value.split())


def _type_code(value: Any, *, file: str, place: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in _TYPE_PREFIXES:
        raise _fail(file, place, f"expected a street type code from 0 to 13, found {value!r}")
    return value


def _naming_date(value: Any, *, file: str, place: str) -> dt.date | None:
    """Parse an M/D/YYYY date. A null date, which the registry has for old streets, gives None."""
    if value is None:
        return None
    try:
        return dt.datetime.strptime(str(value), "%m/%d/%Y").date()
    except ValueError as error:
        raise _fail(file, place, f"expected a date as M/D/YYYY, found {value!r}") from error


def _former_names(
    item: dict[str, Any], type_code: int, named_on: dt.date | None, *, file: str, place: str
) -> tuple[StreetAlias, ...]:
    """Return the former name of a record as an alias valid until the current name was given."""
    if not item.get("oldFullTitle"):
        return ()
    old_title = _title(item["oldFullTitle"], file=file, place=f"{place}.oldFullTitle")

    # A missing old type means the type did not change.
    old_code = type_code
    if item.get("oldType") is not None:
        old_code = _type_code(item["oldType"], file=file, place=f"{place}.oldType")

    # NOTE: one former name can belong to several streets ("вул. Нова" to 22 of them), so a
    # lookup by a former name needs the district too.
    name = street_display_name(old_title, old_code)
    return (StreetAlias(name=name, former=True, valid_until=named_on),)


def _record(item: Any, *, file: str, place: str) -> StreetRecord:
    """Read one registry record into a street with its former name as an alias."""
    if not isinstance(item, dict):
        raise _fail(file, place, f"expected an object, found {type(item).__name__}")
    missing = [field for field in _REQUIRED_FIELDS if field not in item]
    if missing:
        raise _fail(file, place, f"missing fields: {', '.join(missing)}")

    title = _title(item["fullTitle"], file=file, place=f"{place}.fullTitle")
    type_code = _type_code(item["type"], file=file, place=f"{place}.type")
    flags = item["districtsFlags"]
    if isinstance(flags, bool) or not isinstance(flags, int) or flags < 0:
        raise _fail(file, f"{place}.districtsFlags", f"expected a bitmask, found {flags!r}")
    named_on = _naming_date(item.get("namingDate"), file=file, place=f"{place}.namingDate")

    aliases = _former_names(item, type_code, named_on, file=file, place=place)
    name = street_display_name(title, type_code)
    return StreetRecord(name=name, district=district_names(flags), aliases=aliases)


def read_kyiv_registry(obj: Any, *, file: str) -> AddressBatch:
    """Read the registry array into one street per record, in file order.

    Records that share a title stay apart ("Абрикосова" in three districts is three streets).
    A street in several districts has their names joined by ", ". Raises SourceFormatError
    naming the record index and field for any other shape.
    """
    if not isinstance(obj, list):
        raise _fail(file, "registry", f"expected a JSON array, found {type(obj).__name__}")
    streets = tuple(_record(item, file=file, place=f"[{index}]") for index, item in enumerate(obj))
    return AddressBatch(source="kyiv-street-registry", streets=streets)


def detect_kyiv_registry(obj: Any) -> bool:
    """Tell whether a parsed JSON document is the Kyiv street registry array."""
    return (
        isinstance(obj, list)
        and bool(obj)
        and all(
            isinstance(item, dict) and all(field in item for field in _REQUIRED_FIELDS)
            for item in obj
        )
    )
