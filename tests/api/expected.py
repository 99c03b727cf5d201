"""An independent reading of real source files, to check what the API serves against the file itself.

Deliberately simple and separate from `core.formats`: it walks the raw JSON by hand and builds
UTC instants with zoneinfo, so a bug in the readers cannot hide in the expectation.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
OFF_HALVES = {
    "yes": (False, False),
    "no": (True, True),
    "first": (True, False),
    "second": (False, True),
}


def wall(day: dt.date, minute: int) -> dt.datetime:
    if minute == 1440:
        day, minute = day + dt.timedelta(days=1), 0
    return dt.datetime(
        day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=KYIV
    ).astimezone(dt.UTC)


def spans_to_instants(
    day: dt.date, minutes: list[tuple[int, int]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[list[int]] = []
    for start, end in sorted(minutes):
        if merged and merged[-1][1] == start:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    result = [(wall(day, s), wall(day, e)) for s, e in merged]
    return [(s, e) for s, e in result if s < e]


def dtek_fact_expectation(
    fact: dict[str, Any],
) -> dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]]:
    """Return the off intervals per (queue, day) of a DTEK `fact` object; all-"yes" days map to []."""
    expected = {}
    data = fact["data"] if isinstance(fact["data"], dict) else {}
    for stamp, groups in data.items():
        day = dt.datetime.fromtimestamp(int(stamp), KYIV).date()
        for group, hours in groups.items():
            minutes = []
            for key, state in hours.items():
                first, second = OFF_HALVES[state]
                start = (int(key) - 1) * 60
                if first:
                    minutes.append((start, start + 30))
                if second:
                    minutes.append((start + 30, start + 60))
            expected[(group.removeprefix("GPV"), day)] = spans_to_instants(day, minutes)
    return expected


def yasno_expectation(
    document: dict[str, Any],
) -> dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]]:
    expected = {}
    for group, days in document.items():
        for name in ("today", "tomorrow"):
            if name not in days:
                continue
            day = dt.date.fromisoformat(days[name]["date"][:10])
            minutes = [
                (s["start"], s["end"]) for s in days[name]["slots"] if s["type"] == "Definite"
            ]
            expected[(group, day)] = spans_to_instants(day, minutes)
    return expected


def served_intervals(body: dict[str, Any]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (
            dt.datetime.fromisoformat(i["start"]).astimezone(dt.UTC),
            dt.datetime.fromisoformat(i["end"]).astimezone(dt.UTC),
        )
        for i in body["intervals"]
        if i["state"] == "off"
    ]
