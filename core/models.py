"""Every table of the platform, imported in one place so Alembic and tests see the whole schema."""

from core.addresses.models import Building, Settlement, Street
from core.db import Base
from core.regions import Region
from core.schedules.models import DayScheduleRow, ScheduleVersion, WeeklyTemplateRow

metadata = Base.metadata

__all__ = [
    "Building",
    "DayScheduleRow",
    "Region",
    "ScheduleVersion",
    "Settlement",
    "Street",
    "WeeklyTemplateRow",
    "metadata",
]
