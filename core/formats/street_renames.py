"""Reader for a city's street renames, in the shape of Dnipro's rename.dp.ua `rename.json`.

The file is `{"lastUpdate": <Unix ms>, "r61": {...}, ..., "r68": {...}}`. Each area object is a
city district with `oldAreaName`, `newAreaName` (districts were renamed too) and `objects`:
`{"type", "oldName", "newName"}`, with `newType` where the renaming also changed the type,
`restored` for a historical name given back, and an optional `link`. Names are written without
a type word, so the reader adds one in DTEK's style. The file has no dates per renaming, so
file order is the only order it gives.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from core.addresses.normalize import fold_text, street_key, street_type
from core.addresses.schemas import AddressBatch, RenameRecord
from core.errors import SourceFormatError

# Object types of the file -> (the word written before the name, words that already name the
# type inside a name, such as "Січеславська набережна" or "Амурський парк").
_TYPE_WORDS: dict[str, tuple[str, frozenset[str]]] = {
    "street": ("вул.", frozenset({"вулиця"})),
    "lane": ("пров.", frozenset({"провулок"})),
    "avenue": ("просп.", frozenset({"проспект"})),
    "boulevard": ("бул.", frozenset({"бульвар"})),
    "square": ("пл.", frozenset({"площа"})),
    "embankment": ("наб.", frozenset({"набережна"})),
    "impasse": ("тупик", frozenset({"тупик"})),
    "slope": ("узвіз", frozenset({"узвіз"})),
    "area": ("масив", frozenset({"масив"})),
    "park": ("парк", frozenset({"парк", "сквер"})),
    "station": ("станція", frozenset({"станція"})),
    "lake": ("озеро", frozenset({"озеро", "плесо"})),
    "island": ("острів", frozenset({"острів"})),
}

_UPDATE_KEY = "lastUpdate"

# (street type, street key, city district) of a name, as `rename_key` builds it.
RenameKey = tuple[str | None, str, str | None]


def _fail(file: str, place: str, reason: str) -> SourceFormatError:
    return SourceFormatError(file=file, place=place, reason=reason)


def typed_name(name: str, object_type: str) -> str:
    """Write a name with its type word before it, unless a word of the name already names the type.

    Raises KeyError for a type that is not in the mapping.
    """
    prefix, own_words = _TYPE_WORDS[object_type]
    if own_words & set(fold_text(name).split()):
        return name
    return f"{prefix} {name}"


def _areas(obj: Any, *, file: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (key, area object) for every area of the file, checking the top-level shape."""
    if not isinstance(obj, dict):
        raise _fail(file, "renames", f"expected a JSON object, found {type(obj).__name__}")
    for key, area in obj.items():
        if key == _UPDATE_KEY:
            continue
        if not isinstance(area, dict) or not isinstance(area.get("objects"), list):
            raise _fail(file, key, "expected an area object with an 'objects' array")
        yield key, area


def _text(container: dict[str, Any], field: str, *, file: str, place: str) -> str:
    value = container.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _fail(file, f"{place}.{field}", f"expected a non-empty name, found {value!r}")
    return " ".join(value.split())


def _object_type(item: dict[str, Any], field: str, *, file: str, place: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or value not in _TYPE_WORDS:
        known = ", ".join(_TYPE_WORDS)
        reason = f"unknown object type {value!r}; the known types are {known}"
        raise _fail(file, f"{place}.{field}", reason)
    return value


def _rename(item: Any, *, file: str, place: str, settlement: str, district: str) -> RenameRecord:
    """Read one renamed object. The new name takes `newType` when the renaming set one."""
    if not isinstance(item, dict):
        raise _fail(file, place, f"expected an object, found {type(item).__name__}")
    old_type = _object_type(item, "type", file=file, place=place)
    new_type = old_type
    if item.get("newType") is not None:
        new_type = _object_type(item, "newType", file=file, place=place)

    old_name = _text(item, "oldName", file=file, place=place)
    new_name = _text(item, "newName", file=file, place=place)
    return RenameRecord(
        old_name=typed_name(old_name, old_type),
        new_name=typed_name(new_name, new_type),
        settlement=settlement,
        district=district,
    )


def read_street_renames(obj: Any, *, file: str, settlement: str) -> AddressBatch:
    """Read every renamed object of the file, in file order, as renames in `settlement`.

    Names keep the file's spelling and apostrophes, with the type word added in front.
    Each rename's district is the area's current name (`newAreaName`). Raises
    SourceFormatError naming the area and object for a shape or object type it does not know.
    """
    renames: list[RenameRecord] = []
    for key, area in _areas(obj, file=file):
        district = _text(area, "newAreaName", file=file, place=key)
        for index, item in enumerate(area["objects"]):
            place = f"{key}.objects[{index}]"
            renames.append(
                _rename(item, file=file, place=place, settlement=settlement, district=district)
            )
    return AddressBatch(source="street-renames", renames=tuple(renames))


def read_district_renames(obj: Any, *, file: str = "-") -> dict[str, str]:
    """Return the renamed city districts of the file as {old name: new name}.

    Areas whose name did not change are left out, so `renames.get(name, name)` gives the
    current name of any district. Raises SourceFormatError for a shape it does not know.
    """
    renames: dict[str, str] = {}
    for key, area in _areas(obj, file=file):
        old = _text(area, "oldAreaName", file=file, place=key)
        new = _text(area, "newAreaName", file=file, place=key)
        if old != new:
            renames[old] = new
    return renames


def rename_key(name: str, district: str | None) -> RenameKey:
    """Build the key under which `resolve_rename_chains` stores a name of a district.

    The street type is part of the key because "вул. X" and "пров. X" are two streets that
    were often renamed apart ("вул. Малишева" -> "вул. Василя Тютюнника", "пров. Малишева" ->
    "пров. Тютюнника").
    """
    return street_type(name), street_key(name), district


def _final_name(start: RenameKey, latest: dict[RenameKey, tuple[int, RenameRecord]]) -> str:
    """Follow renames from `start` to the name the street has now.

    A cycle (a name given back after a renaming) ends at the new name of the rename that
    comes last in the file among the renames of the cycle.
    """
    visited: dict[RenameKey, int] = {}
    steps: list[tuple[int, RenameRecord]] = []
    key = start
    while key in latest and key not in visited:
        visited[key] = len(steps)
        position, record = latest[key]
        steps.append((position, record))
        key = rename_key(record.new_name, record.district)

    if key in visited:
        cycle = steps[visited[key] :]
        return max(cycle, key=lambda step: step[0])[1].new_name
    return steps[-1][1].new_name


def resolve_rename_chains(renames: Sequence[RenameRecord]) -> dict[RenameKey, str]:
    """Map every old name of one settlement's renames to the street's current name.

    Keys are `rename_key(old_name, district)`. Renames chain within a district: A -> B then
    B -> C maps both A and B to C. When one key was renamed more than once in a district, the
    rename that comes last in `renames` wins, because the file gives no dates. A cycle (a name
    given back) ends at the new name of its rename that comes last in `renames`.
    """
    latest: dict[RenameKey, tuple[int, RenameRecord]] = {}
    for position, record in enumerate(renames):
        latest[rename_key(record.old_name, record.district)] = (position, record)
    return {key: _final_name(key, latest) for key in latest}


def detect_street_renames(obj: Any) -> bool:
    """Tell whether a parsed JSON document is a street renames file of this shape."""
    if not isinstance(obj, dict) or _UPDATE_KEY not in obj:
        return False
    areas = [area for key, area in obj.items() if key != _UPDATE_KEY]
    return bool(areas) and all(
        isinstance(area, dict) and isinstance(area.get("objects"), list) for area in areas
    )
