"""Stored schedule versions, day schedules and weekly templates.

Every import that changes anything is a new version. The current schedule of a queue on a day
is the row of the newest version that has one.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class ScheduleVersion(Base):
    __tablename__ = "schedule_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    source_name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Per queue and day: the status before and after and the intervals added and removed.
    changes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)


class DayScheduleRow(Base):
    """One queue's day in one version; `intervals` holds `[start, end, state]` with ISO UTC instants."""

    __tablename__ = "day_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(10))
    day: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    intervals: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_day_schedules_lookup", "region", "queue", "day", "version_id"),)


class WeeklyTemplateRow(Base):
    """One queue's weekly template in one version; `spans` holds `[weekday, start_minute, end_minute, state]`."""

    __tablename__ = "weekly_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("schedule_versions.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(10))
    spans: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_weekly_templates_lookup", "region", "queue", "version_id"),)
