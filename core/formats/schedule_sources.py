"""Detect which schedule source format a file is in and read it into a `ScheduleDocument`.

Accepted as published and inside the wrappers that public archives add:
- "dtek": the shutdowns HTML page (or its script block) with `DisconSchedule.fact` and
  `DisconSchedule.preset`, a bare `fact` or `preset`, `{..., raw: {preset, fact}}` and
  `{regionId, lastUpdated, fact, preset, ...}`;
- "yasno": the planned-outages object keyed by group ("1.1", "36.1", ...);
- "yasno-legacy": the legacy v1 page, bare or as `{fetchedAt, source, payload}`.
"""

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from core.errors import SourceFormatError
from core.formats.dtek import (
    PageAssignmentError,
    child_place,
    extract_page_assignments,
    format_error,
    read_dtek_fact,
    read_dtek_preset,
)
from core.formats.yasno import (
    read_yasno_legacy,
    read_yasno_legacy_cities,
    read_yasno_legacy_updated_at,
    read_yasno_planned_outages,
)
from core.schedules.model import DaySchedule, ScheduleDocument, WeeklyTemplate

FORMATS = frozenset({"dtek", "yasno", "yasno-legacy"})
_YASNO_GROUP = re.compile(r"^\d{1,3}\.\d{1,2}$")


def detect_format(content: bytes) -> str | None:
    """Return "dtek", "yasno" or "yasno-legacy", or None when the content matches no format."""
    try:
        return _classify(_decode(content, ""))
    except PageAssignmentError:
        return "dtek"
    except (ValueError, SourceFormatError):
        return None


def read_schedule_source(
    content: bytes,
    filename: str,
    *,
    formats: Collection[str],
    legacy_city: str | None = None,
) -> ScheduleDocument | None:
    """Read a schedule source file when its format is one of `formats`.

    Returns None when the content is valid JSON (or a DTEK page) in none of `formats`, such as a
    YASNO file offered to a region that reads only "dtek", or a DTEK getHomeNum address response.
    Raises SourceFormatError when the file is not JSON and not a DTEK shutdowns page, or when it is
    in one of `formats` but malformed. A legacy YASNO page needs `legacy_city` ("kiev", "dnipro").
    """
    unknown = set(formats) - FORMATS
    if unknown:
        raise ValueError(f"unknown source formats {sorted(unknown)}; known are {sorted(FORMATS)}")

    value = _parse(content, filename)
    source = _classify(value)
    if source is None or source not in formats:
        return None
    if source == "dtek":
        return _read_dtek_document(value, filename)
    if source == "yasno":
        days, updated_at = read_yasno_planned_outages(value, file=filename)
        return ScheduleDocument(source="yasno", updated_at=updated_at, days=tuple(days))
    return _read_legacy_document(value, filename, legacy_city)


def _parse(content: bytes, filename: str) -> Any:
    """Decode the content, turning every failure into a SourceFormatError that names its place."""
    try:
        return _decode(content, filename)
    except UnicodeDecodeError as error:
        reason = "the file is not UTF-8 text, so it is not JSON and not a DTEK shutdowns page"
        raise format_error(filename, f"byte {error.start}", reason) from None
    except json.JSONDecodeError as error:
        place = f"line {error.lineno} column {error.colno}"
        reason = f"invalid JSON ({error.msg}); the file may be truncated"
        raise format_error(filename, place, reason) from None
    except PageAssignmentError as error:
        reason = f"DisconSchedule.{error.name} is not valid JSON; the page may be truncated"
        raise format_error(filename, f"line {error.line}", reason) from None


def _decode(content: bytes, filename: str) -> Any:
    """Decode JSON, or the `DisconSchedule` assignments of a DTEK page, as one JSON value.

    Raises UnicodeDecodeError, json.JSONDecodeError or PageAssignmentError (all ValueErrors), and
    SourceFormatError for text that is neither.
    """
    text = content.decode("utf-8-sig")
    if text.lstrip().startswith(("{", "[")):
        return json.loads(text)

    assignments = extract_page_assignments(text)
    if "fact" not in assignments and "preset" not in assignments:
        raise format_error(filename, "byte 0", "not JSON and not a DTEK shutdowns page")
    return {name: assignments[name] for name in ("fact", "preset") if name in assignments}


def _classify(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if _dtek_parts(value):
        return "dtek"
    if _is_yasno_legacy(value):
        return "yasno-legacy"
    if _is_yasno_planned_outages(value):
        return "yasno"
    return None


def _dtek_parts(value: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """Find the `fact` and `preset` objects and their JSON paths, or return {} for other objects."""
    container: Mapping[str, Any]
    raw = value.get("raw")
    if isinstance(raw, dict) and _has_fact_or_preset(raw):
        container, prefix = raw, "raw"
    elif _has_fact_or_preset(value):
        container, prefix = value, ""
    elif "data" in value and ("update" in value or "today" in value):
        return {"fact": (value, "")}
    elif "data" in value and any(key in value for key in ("updateFact", "days", "sch_names")):
        return {"preset": (value, "")}
    else:
        return {}
    names = [name for name in ("fact", "preset") if name in container]
    return {name: (container[name], child_place(prefix, name)) for name in names}


def _has_fact_or_preset(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("fact"), dict) or isinstance(value.get("preset"), dict)


def _is_yasno_legacy(value: Mapping[str, Any]) -> bool:
    payload = value.get("payload")
    if isinstance(payload, dict):
        return isinstance(payload.get("components"), list)
    return isinstance(value.get("components"), list)


def _is_yasno_planned_outages(value: Mapping[str, Any]) -> bool:
    if not value or not all(_YASNO_GROUP.match(key) for key in value):
        return False
    return any(isinstance(group, dict) and "today" in group for group in value.values())


def _read_dtek_document(value: Mapping[str, Any], filename: str) -> ScheduleDocument:
    parts = _dtek_parts(value)
    days: list[DaySchedule] = []
    templates: list[WeeklyTemplate] = []
    updated_at = template_updated_at = None
    if "fact" in parts:
        fact, place = parts["fact"]
        days, updated_at = read_dtek_fact(fact, file=filename, place=place)
    if "preset" in parts:
        preset, place = parts["preset"]
        templates, template_updated_at = read_dtek_preset(preset, file=filename, place=place)
    return ScheduleDocument(
        source="dtek",
        updated_at=updated_at,
        days=tuple(days),
        templates=tuple(templates),
        template_updated_at=template_updated_at,
    )


def _read_legacy_document(
    value: Mapping[str, Any], filename: str, city: str | None
) -> ScheduleDocument:
    if city is None:
        cities = ", ".join(read_yasno_legacy_cities(value, file=filename))
        reason = f"the legacy YASNO schedule covers several cities ({cities}); choose one"
        raise format_error(filename, "legacy_city", reason)
    templates = read_yasno_legacy(value, file=filename, city=city)
    return ScheduleDocument(
        source="yasno-legacy",
        templates=tuple(templates),
        template_updated_at=read_yasno_legacy_updated_at(value, file=filename),
    )
