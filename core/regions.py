"""The regions table: one row per configured region, kept in step with config/ at start."""

from sqlalchemy import Boolean, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.settings import RegionSettings


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_uk: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


async def ensure_region(session: AsyncSession, region: RegionSettings) -> None:
    """Insert or refresh the region's row from config."""
    row = await session.get(Region, region.code)
    if row is None:
        session.add(
            Region(
                code=region.code,
                name_uk=region.name_uk,
                name_en=region.name_en,
                enabled=region.enabled,
            )
        )
    else:
        row.name_uk, row.name_en, row.enabled = region.name_uk, region.name_en, region.enabled
    await session.flush()
