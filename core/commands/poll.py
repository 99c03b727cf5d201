"""`dso poll`: fetch the configured schedule sources and import what changed."""

import argparse

from core.db import create_engine, session_factory
from core.plugins import build_plugin_manager
from core.schedules.poller import SourcePoller
from core.settings import Settings


async def poll(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        poller = SourcePoller(settings, build_plugin_manager(settings), session_factory(engine))
        if not poller.sources():
            print("no schedule source has a url and poll_seconds > 0 in config/regions/*.toml")
            return 0
        await poller.run(rounds=1 if args.once else None)
    finally:
        await engine.dispose()
    return 0
