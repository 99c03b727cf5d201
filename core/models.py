"""Every table of the platform, imported in one place so Alembic and tests see the whole schema."""

from core.addresses.models import Building, Settlement, Street, StreetAlias
from core.data_versions import DataVersion
from core.db import Base
from core.outages.models import Outage, RestorationEstimate
from core.regions import Region
from core.schedules.models import DayScheduleRow, ScheduleVersion, WeeklyTemplateRow

metadata = Base.metadata

__all__ = [
    "Building",
    "DataVersion",
    "DayScheduleRow",
    "Outage",
    "Region",
    "RestorationEstimate",
    "ScheduleVersion",
    "Settlement",
    "Street",
    "StreetAlias",
    "WeeklyTemplateRow",
    "metadata",
]
