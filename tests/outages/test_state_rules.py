"""Rules of the state-now answer on real-format DTEK rows and half-open windows."""

import datetime as dt

from core.formats.dtek import read_dtek_fact, read_dtek_preset
from core.schedules.model import Interval, SlotState, overlaps
from core.timezone import local_midnight_utc, local_minute_to_utc

DAY = dt.date(2026, 1, 29)
STAMP = str(int(local_midnight_utc(DAY).timestamp()))


def at(hour: int, minute: int = 0) -> dt.datetime:
    return local_minute_to_utc(DAY, hour * 60 + minute)


def test_outage_overlaps_window_inside_it() -> None:
    outage = Interval(at(0), at(4), SlotState.OFF)
    assert overlaps(outage, at(1), at(2))


def test_outage_ending_at_window_start_does_not_overlap() -> None:
    outage = Interval(at(0), at(1), SlotState.OFF)
    assert not overlaps(outage, at(1), at(2))


def test_dtek_fact_row_half_hours() -> None:
    states = {
        1: "no",
        2: "first",
        3: "yes",
        4: "second",
        5: "no",
        6: "no",
        7: "first",
        24: "second",
    }
    row = {str(hour): states.get(hour, "yes") for hour in range(1, 25)}
    fact = {"data": {STAMP: {"GPV1.1": row}}, "update": "28.01.2026 21:36", "today": int(STAMP)}

    days, _updated = read_dtek_fact(fact, file="row.json")
    assert [(i.start, i.end) for i in days[0].intervals] == [
        (at(0), at(1, 30)),
        (at(3, 30), at(6, 30)),
        (at(23, 30), at(24)),
    ]


def test_dtek_preset_row_possible_half_hours() -> None:
    states = {1: "maybe", 2: "mfirst", 3: "yes", 4: "msecond", 5: "maybe"}
    row = {str(hour): states.get(hour, "yes") for hour in range(1, 25)}
    preset = {
        "days": {str(d): "" for d in range(1, 8)},
        "data": {"GPV1.1": {str(d): row for d in range(1, 8)}},
        "updateFact": "28.01.2026 21:36",
    }

    templates, _updated = read_dtek_preset(preset, file="preset.json")
    monday = [(s.start_minute, s.end_minute, s.state) for s in templates[0].spans if s.weekday == 1]
    assert monday == [(0, 90, SlotState.POSSIBLE), (210, 300, SlotState.POSSIBLE)]
