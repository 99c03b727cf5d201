"""The normalized stabilization-schedule model that every source format is read into.

Whatever the source (DTEK `fact`/`preset`, the YASNO API, an archive wrapper), a reader returns a
`ScheduleDocument`. Instants are aware UTC datetimes; intervals are half-open `[start, end)`;
"on" is whatever no interval covers.
"""

import datetime as dt
import enum
import itertools
import re

import msgspec


class DayStatus(enum.StrEnum):
    """The status a source published for one queue on one local day."""

    APPLIES = "applies"
    WAITING = "waiting"
    EMERGENCY = "emergency"
    NO_DATA = "no_data"
    NO_OUTAGES = "no_outages"


class SlotState(enum.StrEnum):
    """State of a covered interval: a definite outage or a possible one (the grey zone)."""

    OFF = "off"
    POSSIBLE = "possible"


class Interval(msgspec.Struct, frozen=True):
    """A half-open span `[start, end)` of aware UTC instants with one state."""

    start: dt.datetime
    end: dt.datetime
    state: SlotState


def overlaps(interval: Interval, start: dt.datetime, end: dt.datetime) -> bool:
    """Return whether the half-open `interval` shares any instant with `[start, end)`.

    An outage that ends at 01:00 does not overlap a window that starts at 01:00.
    """
    return interval.start < end and start < interval.end


class DaySchedule(msgspec.Struct, frozen=True):
    """The definite schedule of one queue on one Europe/Kyiv calendar day."""

    queue: str
    day: dt.date
    status: DayStatus
    intervals: tuple[Interval, ...] = ()


class TemplateSpan(msgspec.Struct, frozen=True):
    """A span of the weekly template in wall-clock minutes of a weekday (1 = Monday .. 7 = Sunday)."""

    weekday: int
    start_minute: int
    end_minute: int
    state: SlotState


class WeeklyTemplate(msgspec.Struct, frozen=True):
    """The weekly "possible outages" layer of one queue, kept apart from the definite schedule."""

    queue: str
    spans: tuple[TemplateSpan, ...] = ()


class ScheduleDocument(msgspec.Struct, frozen=True):
    """The normalized content of one source file.

    `source` names the format family (`dtek`, `yasno`, `yasno-legacy`); `updated_at` is the
    source's own publication time when it states one.
    """

    source: str
    updated_at: dt.datetime | None = None
    days: tuple[DaySchedule, ...] = ()
    templates: tuple[WeeklyTemplate, ...] = ()
    template_updated_at: dt.datetime | None = None


_QUEUE_PATTERN = re.compile(r"^(?:GPV)?(\d{1,3})\.(\d{1,2})$", re.IGNORECASE)


def normalize_queue_id(raw: str | tuple[int, int]) -> str:
    """Return the canonical queue id `"<queue>.<subqueue>"`.

    `"GPV36.1"`, `"36.1"` and `(36, 1)` (YASNO's group and subgroup) are all `"36.1"`.
    Raises ValueError for anything else.
    """
    if isinstance(raw, tuple):
        queue, subqueue = raw
        if queue < 1 or subqueue < 1:
            raise ValueError(f"queue {queue}.{subqueue} is not a positive queue number")
        return f"{int(queue)}.{int(subqueue)}"

    match = _QUEUE_PATTERN.match(raw.strip())
    if match is None:
        raise ValueError(f"{raw!r} is not a queue id such as 36.1 or GPV36.1")
    return f"{int(match.group(1))}.{int(match.group(2))}"


def queue_sort_key(queue: str) -> tuple[int, int]:
    """Sort queues numerically: 2.1 before 10.1."""
    major, minor = queue.split(".")
    return int(major), int(minor)


def merge_intervals(intervals: list[Interval] | tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Sort and merge intervals so that none overlap and no two touching ones share a state.

    Where an `off` and a `possible` interval overlap, the definite `off` wins the overlap.
    """
    cuts = sorted({i.start for i in intervals} | {i.end for i in intervals})
    pieces: list[Interval] = []
    for start, end in itertools.pairwise(cuts):
        covering = {i.state for i in intervals if i.start <= start and end <= i.end}
        if not covering:
            continue
        state = SlotState.OFF if SlotState.OFF in covering else SlotState.POSSIBLE
        if pieces and pieces[-1].end == start and pieces[-1].state == state:
            pieces[-1] = Interval(pieces[-1].start, end, state)
        else:
            pieces.append(Interval(start, end, state))
    return tuple(pieces)
