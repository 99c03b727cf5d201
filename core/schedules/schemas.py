"""API and report shapes of the schedules domain."""

import datetime as dt

import msgspec


class IntervalOut(msgspec.Struct, frozen=True):
    """A covered interval with ISO 8601 instants in the local offset; `state` is `off` or `possible`."""

    start: dt.datetime
    end: dt.datetime
    state: str


class SourceOut(msgspec.Struct, frozen=True):
    """Where a schedule comes from. `stale` is true when the source has not published for longer
    than the region allows; `updated_at` then says since when."""

    name: str
    updated_at: dt.datetime | None
    stale: bool = False


class QueueDayOut(msgspec.Struct, frozen=True):
    """One queue's schedule on one local date."""

    region: str
    queue: str
    date: dt.date
    status: str
    stale: bool
    intervals: list[IntervalOut]
    source: SourceOut | None
    version: int | None


class DaySummary(msgspec.Struct, frozen=True):
    date: dt.date
    queues: int
    statuses: dict[str, int]


class FileImport(msgspec.Struct, frozen=True):
    """What one imported file changed: a new version, or nothing when its content was already current."""

    filename: str
    source: str
    version_id: int | None
    changed: bool
    updated_at: dt.datetime | None
    days: list[DaySummary]
    templates: int
    ignored_queues: list[str]


class ImportReport(msgspec.Struct, frozen=True):
    region: str
    files: list[FileImport]


class DayChangeOut(msgspec.Struct, frozen=True):
    """How one queue's day changed in a version; `status_before` is null for a newly published day."""

    queue: str
    date: dt.date
    status_before: str | None
    status: str
    added: list[IntervalOut]
    removed: list[IntervalOut]
    hours_off_before: float
    hours_off: float


class VersionOut(msgspec.Struct, frozen=True):
    id: int
    source: str
    filename: str
    imported_at: dt.datetime
    source_updated_at: dt.datetime | None
    changes: list[DayChangeOut]


class VersionStateOut(msgspec.Struct, frozen=True):
    """The cheap "has anything changed" answer: the newest version of the region and its ETag."""

    region: str
    version: int | None
    updated_at: dt.datetime | None
    etag: str


class TemplateSpanOut(msgspec.Struct, frozen=True):
    weekday: int
    start: str
    end: str
    state: str


class WeeklyTemplateOut(msgspec.Struct, frozen=True):
    """The weekly "possible outages" layer of a queue, kept apart from the definite day schedule."""

    region: str
    queue: str
    layer: str
    spans: list[TemplateSpanOut]
    source: SourceOut | None
    version: int | None
