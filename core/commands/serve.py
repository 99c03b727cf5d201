"""`dso serve`: the HTTP server."""

import argparse

import uvicorn

from core.settings import Settings


def serve(settings: Settings, args: argparse.Namespace) -> int:
    server = settings.platform.server
    uvicorn.run(
        "core.app:create_app",
        factory=True,
        host=args.host or server.host,
        port=args.port or server.port,
        workers=args.workers or server.workers,
        log_level=settings.platform.log_level,
        access_log=False,
    )
    return 0
