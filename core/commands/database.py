"""`dso db upgrade`."""

import argparse

from core import migrate
from core.settings import Settings


def upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    print(f"database is at the newest schema: {_safe_url(settings.database_url)}")
    return 0


def _safe_url(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}@{host}"
