"""Stored address registry: settlements, streets and buildings with the queues that feed them."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Settlement(Base):
    """A settlement; `kind`, `hromada` and `district` (raion) come from the KATOTTG codifier."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    katottg: Mapped[str | None] = mapped_column(String(20), default=None)
    kind: Mapped[str | None] = mapped_column(String(60), default=None)
    hromada: Mapped[str | None] = mapped_column(String(200), default=None)
    district: Mapped[str | None] = mapped_column(String(200), default=None)

    # Several villages of one oblast share a name, so the name key is not unique; the code is.
    __table_args__ = (
        Index("ix_settlements_region_key", "region", "key"),
        Index("uq_settlements_katottg", "katottg", unique=True),
    )


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
    # The words of `key` in sorted order: "Здановської Юлії" and "Юлії Здановської" are one street.
    token_key: Mapped[str] = mapped_column(String(300), default="")
    source_name: Mapped[str | None] = mapped_column(String(300), default=None)

    __table_args__ = (
        Index("ix_streets_region_key", "region", "key"),
        Index("ix_streets_region_token_key", "region", "token_key"),
    )


class StreetAlias(Base):
    """Another name of a street: a former name with the dates it was valid, or another spelling."""

    __tablename__ = "street_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    # "former" for a name the street no longer has, "spelling" for another way of writing it.
    kind: Mapped[str] = mapped_column(String(20), default="spelling")
    valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (Index("uq_street_aliases_street_key", "street_id", "key", unique=True),)


class Building(Base):
    """A building of a street. `queues` lists every queue that feeds it; two or more means no single queue."""

    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    number_key: Mapped[str] = mapped_column(String(40))
    queues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    other_operator: Mapped[str | None] = mapped_column(String(200), default=None)
    other_operator_phone: Mapped[str | None] = mapped_column(String(60), default=None)
    other_operator_website: Mapped[str | None] = mapped_column(String(200), default=None)
    # The parsed house number: 12/4 is number 12, fraction "4"; "12 корп. 2" has block "2".
    house_number: Mapped[int | None] = mapped_column(Integer, default=None)
    house_letter: Mapped[str] = mapped_column(String(10), default="")
    house_fraction: Mapped[str] = mapped_column(String(20), default="")
    house_block: Mapped[str] = mapped_column(String(20), default="")
    substation: Mapped[str | None] = mapped_column(String(100), default=None)
    feeder: Mapped[str | None] = mapped_column(String(100), default=None)
    transformer_substation: Mapped[str | None] = mapped_column(String(100), default=None)

    __table_args__ = (Index("uq_buildings_street_number", "street_id", "number_key", unique=True),)
