"""Stored planned works and emergency outages, with the history of their restoration estimates."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class Outage(Base):
    """An outage that staff record: planned works, an emergency, or a local stabilization outage.

    `target_kind` is `buildings`, `street` or `node`; `target` holds the building ids, the street
    id, or the network node as {"kind": "substation" | "feeder" | "transformer_substation", "id": ...}.
    """

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    kind: Mapped[str] = mapped_column(String(30))
    cause: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[Any] = mapped_column(JSON)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    estimated_restoration: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_outages_region_resolved", "region", "resolved_at"),)


class RestorationEstimate(Base):
    """One estimate of when power returns, kept so customers and staff can see how it moved."""

    __tablename__ = "outage_estimates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"), index=True)
    estimated_restoration: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
