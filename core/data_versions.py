"""Change counters that tell every worker process when to reload what it keeps in memory.

Each write that changes the address registry or the schedules bumps its counter in the same
transaction. Workers poll the counters (a cheap primary-key read) and rebuild their in-memory
indexes when one moved.
"""

import datetime as dt

from sqlalchemy import Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime
from core.timezone import now_utc

ADDRESSES = "addresses"
SCHEDULES = "schedules"
OUTAGES = "outages"


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


async def bump(session: AsyncSession, name: str) -> None:
    """Advance counter `name` in the caller's transaction."""
    row = await session.get(DataVersion, name, with_for_update=True)
    if row is None:
        session.add(DataVersion(name=name, version=1, changed_at=now_utc()))
    else:
        row.version += 1
        row.changed_at = now_utc()
    await session.flush()


async def read_all(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(DataVersion.name, DataVersion.version))
    return {name: version for name, version in rows.all()}
