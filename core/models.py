"""Every table of the platform, imported in one place so Alembic and tests see the whole schema."""

from core.addresses.models import Building, Settlement, Street, StreetAlias
from core.data_versions import DataVersion
from core.db import Base
from core.jobs import OutboxMessage
from core.notifications.models import Notification, NotificationDelivery, Subscription
from core.outages.models import Outage, RestorationEstimate
from core.readings.models import (
    AccountLink,
    Meter,
    MeterAccount,
    ReadingBatch,
    ReadingNotice,
    ReadingPhoto,
    ReadingSubmission,
    SignInCode,
    SignInLock,
)
from core.regions import Region
from core.schedules.models import DayScheduleRow, ScheduleVersion, WeeklyTemplateRow

metadata = Base.metadata

__all__ = [
    "AccountLink",
    "Building",
    "DataVersion",
    "DayScheduleRow",
    "Meter",
    "MeterAccount",
    "Notification",
    "NotificationDelivery",
    "Outage",
    "OutboxMessage",
    "ReadingBatch",
    "ReadingNotice",
    "ReadingPhoto",
    "ReadingSubmission",
    "Region",
    "RestorationEstimate",
    "ScheduleVersion",
    "Settlement",
    "SignInCode",
    "SignInLock",
    "Street",
    "StreetAlias",
    "Subscription",
    "WeeklyTemplateRow",
    "metadata",
]
