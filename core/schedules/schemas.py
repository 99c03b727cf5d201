"""API and report shapes of the schedules domain."""

import datetime as dt

import msgspec


class IntervalOut(msgspec.Struct, frozen=True):
    """A covered interval with ISO 8601 instants in the local offset; `state` is `off` or `possible`."""

    start: dt.datetime
    end: dt.datetime
    state: str


class SourceOut(msgspec.Struct, frozen=True):
    name: str
    updated_at: dt.datetime | None


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
