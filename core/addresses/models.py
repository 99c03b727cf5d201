"""Stored address registry: settlements, streets and buildings with the queues that feed them."""

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Settlement(Base):
    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    katottg: Mapped[str | None] = mapped_column(String(20), default=None)

    __table_args__ = (Index("uq_settlements_region_key", "region", "key", unique=True),)


class Street(Base):
    """A street as the DSO wrote it; `key` is the normalized form used for matching."""

    __tablename__ = "streets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"), default=None)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    street_type: Mapped[str | None] = mapped_column(String(40), default=None)
    district: Mapped[str | None] = mapped_column(String(100), default=None)

    __table_args__ = (Index("ix_streets_region_key", "region", "key"),)


class Building(Base):
    """A building of a street. `queues` lists every queue that feeds it; two or more means no single queue."""

    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    number_key: Mapped[str] = mapped_column(String(40))
    queues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    other_operator: Mapped[str | None] = mapped_column(String(200), default=None)

    __table_args__ = (Index("uq_buildings_street_number", "street_id", "number_key", unique=True),)
