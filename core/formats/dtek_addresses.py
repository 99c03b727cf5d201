"""Readers for the address lists of the DTEK regional sites.

Three shapes occur. Kyiv city publishes a flat array of street strings as
`DisconSchedule.streets` on its shutdowns page. The regional sites publish an object
`{"<settlement>": [street, ...]}` there. The `getHomeNum` AJAX response lists one street's houses
with their queues. Spellings of one street that differ only in apostrophe, spacing or a glued
abbreviation become one `StreetRecord` that keeps the first spelling.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from core.addresses.normalize import (
    clean_street_name,
    fold_text,
    split_kyiv_street_entry,
    street_key,
    street_type,
)
from core.addresses.schemas import AddressBatch, BuildingRecord, StreetRecord
from core.errors import SourceFormatError
from core.formats.yasno_addresses import classify_yasno_address_file
from core.schedules.model import normalize_queue_id

_STREETS_ASSIGNMENT = re.compile(r"DisconSchedule\.streets\s*=\s*")


def _kyiv_identity(name: str, district: str | None) -> tuple[object, ...]:
    """Identity of a Kyiv street: type, key and district, qualifier included."""
    street, _, qualifier = split_kyiv_street_entry(name)
    qualifier_key = street_key(qualifier) if qualifier else None
    return street_type(street), street_key(street), district, qualifier_key


def _kyiv_record(entry: str) -> StreetRecord:
    """Build a record from one Kyiv entry; a qualifier is shown in brackets after the street."""
    street, district, qualifier = split_kyiv_street_entry(entry)
    name = f"{street} ({qualifier})" if qualifier else street
    return StreetRecord(name=name, district=district)


def _require_strings(items: Any, *, file: str, place: str) -> list[str]:
    if not isinstance(items, list):
        raise SourceFormatError(
            file=file, place=place, reason=f"expected a JSON array, found {type(items).__name__}"
        )
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise SourceFormatError(
                file=file,
                place=f"{place}[{index}]",
                reason=f"expected a street name string, found {type(item).__name__}",
            )
    return items


def read_dtek_street_list(obj: Any, *, file: str, source: str = "dtek-street-list") -> AddressBatch:
    """Read Kyiv's flat array of street strings into one record per distinct street.

    A district written in the entry ("Дарницький р-н, вул. Садова") goes to `district`.
    Entries that differ only in spelling are merged, keeping the first display form.
    Blank entries are skipped. Raises SourceFormatError for any other shape.
    """
    entries = _require_strings(obj, file=file, place="streets")
    records: dict[tuple[object, ...], StreetRecord] = {}
    for entry in entries:
        if not entry.strip():
            continue
        record = _kyiv_record(entry)
        records.setdefault(_kyiv_identity(record.name, record.district), record)
    return AddressBatch(source=source, streets=tuple(records.values()))


def read_dtek_streets_from_page(text: str, *, file: str) -> AddressBatch:
    """Read the `DisconSchedule.streets = [...]` array out of the Kyiv shutdowns page or script."""
    assignment = _STREETS_ASSIGNMENT.search(text)
    if assignment is None:
        raise SourceFormatError(
            file=file, place="page", reason="no DisconSchedule.streets assignment was found"
        )
    try:
        streets, _ = json.JSONDecoder().raw_decode(text, assignment.end())
    except json.JSONDecodeError as error:
        raise SourceFormatError(
            file=file, place="DisconSchedule.streets", reason=f"invalid JSON: {error.msg}"
        ) from error
    return read_dtek_street_list(streets, file=file, source="dtek-page-streets")


def _unique_streets(settlement: str, streets: Iterable[str]) -> list[StreetRecord]:
    records: dict[tuple[str | None, str], StreetRecord] = {}
    for street in streets:
        name = clean_street_name(street)
        if name:
            identity = (street_type(name), street_key(name))
            records.setdefault(identity, StreetRecord(name=name, settlement=settlement))
    return list(records.values())


def read_dtek_regional_streets(obj: Any, *, file: str) -> AddressBatch:
    """Read a regional site's `{"<settlement>": [street, ...]}` object.

    Settlements whose names differ only in apostrophe or case ("с. Мар’їнка", "с. Мар'їнка")
    are merged with their streets, and each settlement keeps its first spelling.
    Raises SourceFormatError for any other shape.
    """
    if not isinstance(obj, dict):
        raise SourceFormatError(
            file=file,
            place="streets",
            reason=f"expected an object of settlements, found {type(obj).__name__}",
        )
    settlements: dict[str, tuple[str, list[str]]] = {}
    for settlement, streets in obj.items():
        names = _require_strings(streets, file=file, place=f"streets[{settlement!r}]")
        display = clean_street_name(settlement)
        entry = settlements.setdefault(fold_text(display), (display, []))
        entry[1].extend(names)

    records: list[StreetRecord] = []
    for display, names in settlements.values():
        records.extend(_unique_streets(display, names))
    return AddressBatch(source="dtek-regional-streets", streets=tuple(records))


def _house_queues(house: str, details: Any, *, file: str) -> tuple[str, ...]:
    """Return the normalized queues of one house of a getHomeNum response, without repeats."""
    place = f"data[{house!r}].sub_type_reason"
    if not isinstance(details, dict):
        raise SourceFormatError(file=file, place=f"data[{house!r}]", reason="expected an object")
    reasons = details.get("sub_type_reason") or []
    if not isinstance(reasons, list):
        raise SourceFormatError(file=file, place=place, reason="expected a list of queue ids")
    queues: list[str] = []
    for reason in reasons:
        try:
            queue = normalize_queue_id(str(reason))
        except ValueError as error:
            raise SourceFormatError(file=file, place=place, reason=str(error)) from error
        if queue not in queues:
            queues.append(queue)
    return tuple(queues)


def read_dtek_house_queues(obj: Any, *, file: str, street: str) -> AddressBatch:
    """Read a `getHomeNum` response into one street whose buildings carry their queues.

    House numbers stay as DTEK wrote them ("71/З"). A house with an empty `sub_type_reason`
    has no queue. An empty `data` (a JSON `[]` from DTEK's PHP) gives a street without
    buildings. Raises SourceFormatError when `result` is not true or the shape differs.
    """
    if not isinstance(obj, dict) or obj.get("result") is not True:
        found = obj.get("result") if isinstance(obj, dict) else type(obj).__name__
        raise SourceFormatError(
            file=file, place="result", reason=f"expected result true, found {found!r}"
        )
    data = obj.get("data")
    if data == []:
        data = {}
    if not isinstance(data, dict):
        raise SourceFormatError(
            file=file, place="data", reason="expected an object of house numbers"
        )

    buildings = tuple(
        BuildingRecord(number=house.strip(), queues=_house_queues(house, details, file=file))
        for house, details in data.items()
    )
    record = StreetRecord(name=clean_street_name(street), buildings=buildings)
    return AddressBatch(source="dtek-house-queues", streets=(record,))


def _detect_json_format(obj: Any, filename: str) -> str | None:
    if obj == []:
        kind = classify_yasno_address_file(obj, filename=filename)
        return f"yasno-{kind}" if kind else "dtek-street-list"
    if isinstance(obj, list) and all(isinstance(item, str) for item in obj):
        return "dtek-street-list"
    if isinstance(obj, dict) and "result" in obj and "data" in obj:
        return "dtek-house-queues"
    if (
        isinstance(obj, dict)
        and obj
        and all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in obj.values())
    ):
        return "dtek-regional-streets"
    kind = classify_yasno_address_file(obj, filename=filename)
    return f"yasno-{kind}" if kind else None


def detect_address_format(content: bytes, filename: str) -> str | None:
    """Return the address format of a file's content, or None when it matches none of them.

    The names are "dtek-street-list", "dtek-page-streets", "dtek-regional-streets",
    "dtek-house-queues", "yasno-streets", "yasno-houses" and "yasno-group". The file name only
    tells YASNO street and house lists apart when their values do not.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if _STREETS_ASSIGNMENT.search(text):
        return "dtek-page-streets"
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return None
    return _detect_json_format(obj, filename)
