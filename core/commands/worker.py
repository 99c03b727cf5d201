"""`dso worker`: the dramatiq worker and the outbox relay of the Redis setup."""

import argparse
import asyncio
import signal
import sys

import structlog

from core.db import create_engine, session_factory
from core.jobs import JobRunner, JobSettings
from core.settings import Settings

log = structlog.get_logger(__name__)


async def run_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM, then let running jobs finish and stop."""
    if not settings.platform.redis.url:
        print(
            "dso worker needs Redis: set DSO_REDIS_URL (redis.url). Without Redis, `dso serve`"
            " runs the jobs in its own process.",
            file=sys.stderr,
        )
        return 78

    overrides = {"worker_threads": args.threads} if args.threads else {}
    job_settings = JobSettings(**{**_as_dict(JobSettings.from_env()), **overrides})
    engine = create_engine(settings.database_url)
    runner = JobRunner(settings, session_factory(engine), job_settings=job_settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    await runner.start()
    print(f"worker running with {job_settings.worker_threads} threads; Ctrl+C stops it")
    try:
        await stop.wait()
    finally:
        await runner.stop()
        await engine.dispose()
    return 0


def _as_dict(job_settings: JobSettings) -> dict[str, object]:
    return {field: getattr(job_settings, field) for field in JobSettings.__struct_fields__}
