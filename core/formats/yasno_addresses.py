"""Readers for the YASNO address API (app.yasno.ua, addresses v2).

An address is found in three requests, each with its own response: the streets matching a query
`[{"id": 1956, "value": "вул. Здановської Юлії"}]`, the houses of one street
`[{"id": 10939, "value": "71З"}]`, and the group of one house `{"group": 36, "subgroup": 1}`.
`read_yasno_address_chain` links the three responses into one street with one building.
"""

import re
from typing import Any

from core.addresses.normalize import street_type
from core.addresses.schemas import AddressBatch, BuildingRecord, StreetRecord
from core.errors import SourceFormatError
from core.schedules.model import normalize_queue_id

# Tokens of the capture file names: "r25", "dso902", "street1956", "house10939".
_NAME_TOKEN = re.compile(r"(?<![a-z0-9])(street|house|dso|r)(\d+)(?![a-z0-9])", re.IGNORECASE)
_TOKEN_KEYS = {"street": "street", "house": "house", "dso": "dso", "r": "region"}


def _is_id_value_list(obj: Any) -> bool:
    return isinstance(obj, list) and all(
        isinstance(item, dict)
        and isinstance(item.get("id"), int)
        and not isinstance(item.get("id"), bool)
        and isinstance(item.get("value"), str)
        for item in obj
    )


def _is_group(obj: Any) -> bool:
    return isinstance(obj, dict) and all(
        isinstance(obj.get(key), int) and not isinstance(obj.get(key), bool)
        for key in ("group", "subgroup")
    )


def classify_yasno_address_file(obj: Any, *, filename: str = "") -> str | None:
    """Return "streets", "houses" or "group" for a parsed YASNO response, or None.

    Street and house lists share one shape, so the values decide: house numbers start with a
    digit. For an empty list only the file name ("streets" or "houses" in it) can decide.
    """
    if _is_group(obj):
        return "group"
    if not _is_id_value_list(obj):
        return None
    values = [item["value"].strip() for item in obj]
    if values and all(value[:1].isdigit() for value in values):
        return "houses"
    if values and any(street_type(value) or not value[:1].isdigit() for value in values):
        return "streets"
    lowered = filename.lower()
    if "houses" in lowered:
        return "houses"
    if "streets" in lowered:
        return "streets"
    return None


def ids_from_filename(name: str) -> dict[str, int]:
    """Read the ids that a capture file name carries.

    "yasno_addresses-v2-group_r25_dso902_street1956_house10939_2026-01-29.json" gives
    {"region": 25, "dso": 902, "street": 1956, "house": 10939}. Missing tokens are left out.
    """
    ids: dict[str, int] = {}
    for token, digits in _NAME_TOKEN.findall(name):
        ids.setdefault(_TOKEN_KEYS[token.lower()], int(digits))
    return ids


def _value_for_id(items: Any, requested_id: int, *, file: str, place: str) -> str:
    """Return the `value` of the item whose `id` is `requested_id` in a YASNO id/value list."""
    if not _is_id_value_list(items):
        raise SourceFormatError(
            file=file, place=place, reason='expected a list of {"id": int, "value": str} objects'
        )
    for item in items:
        if item["id"] == requested_id:
            return str(item["value"]).strip()
    known = ", ".join(str(item["id"]) for item in items) or "none"
    raise SourceFormatError(
        file=file, place=place, reason=f"id {requested_id} is not in the list (ids: {known})"
    )


def _group_queue(group: Any, *, file: str) -> str:
    if not _is_group(group):
        raise SourceFormatError(
            file=file, place="group", reason='expected {"group": int, "subgroup": int}'
        )
    try:
        return normalize_queue_id((group["group"], group["subgroup"]))
    except ValueError as error:
        raise SourceFormatError(file=file, place="group", reason=str(error)) from error


def read_yasno_address_chain(
    streets: Any, houses: Any, group: Any, *, street_id: int, house_id: int, file: str
) -> AddressBatch:
    """Link the streets, houses and group responses into one street with one building.

    The street is the one with `street_id`, the building the house with `house_id`, and its
    queue is the group response's `"<group>.<subgroup>"`. Raises SourceFormatError naming `file`
    when a response has another shape or does not contain the requested id.
    """
    name = _value_for_id(streets, street_id, file=file, place="streets")
    number = _value_for_id(houses, house_id, file=file, place="houses")
    queue = _group_queue(group, file=file)
    building = BuildingRecord(number=number, queues=(queue,))
    return AddressBatch(
        source="yasno-addresses", streets=(StreetRecord(name=name, buildings=(building,)),)
    )
